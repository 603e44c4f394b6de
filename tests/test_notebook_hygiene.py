"""Committed notebooks carry no outputs and open with their ``parameters`` cell."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT
from mirbook.pipeline import discover_notebooks

NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
PARAMETERS = {"year", "period", "data_dir"}


def test_the_report_notebooks_exist_in_order():
    names = [p.name for p in discover_notebooks(ROOT / "notebooks")]
    assert names[:3] == ["00_resumen.ipynb", "10_componente_1.ipynb", "20_componente_2.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stripped_and_parameterised(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    for cell in code:
        assert not cell.get("outputs"), f"{path.name}: a code cell has outputs (run nbstripout)"
        assert cell.get("execution_count") is None, f"{path.name}: execution counts are committed"
    first = code[0]
    assert "parameters" in first.get("metadata", {}).get("tags", []), f"{path.name}: first code cell is not tagged parameters"
    source = "".join(first["source"])
    assigned = {line.split("=")[0].strip() for line in source.splitlines() if "=" in line and not line.lstrip().startswith("#")}
    assert PARAMETERS <= assigned, f"{path.name}: the parameters cell must define {sorted(PARAMETERS)}"


def test_nbstripout_filter_is_declared():
    assert "filter=nbstripout" in (ROOT / ".gitattributes").read_text()


def test_jupyterlab_checkpoints_are_not_committed_notebooks(tmp_path):
    ignored = (ROOT / ".gitignore").read_text()
    assert ".ipynb_checkpoints/" in ignored
