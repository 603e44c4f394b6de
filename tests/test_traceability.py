"""Every data file a notebook reads through ``mirbook.datos`` is part of the revision (issue 11).

A notebook of 2026 T3 that reads 2024 (not the period's year, not the previous one) must
leave the 2024 files in the manifest's ``entradas`` and in the fingerprint: a change to one of
them, or a new year folder in the data folder, makes a new revision; nothing changed says so.
Also: a failing notebook's message says where (the cell as JupyterLab numbers it, the line)
and its executed notebook is kept outside the archive.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from conftest import DEMO, make_year, pinned_root, registros
from mirbook.archive import sha256_file
from mirbook.errors import DataError, MirbookError
from mirbook.model import Period
from mirbook.pipeline import Runner
from mirbook.provenance import read_inputs

PERIOD = Period(2026, 3)
PARAMETERS = 'year = 2026\nperiod = "T3"\ndata_dir = None'


def _parameters_cell() -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(PARAMETERS)
    cell.metadata["tags"] = ["parameters"]
    return cell


def _notebook(path: Path, *sources: str, title: str = "Análisis") -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_markdown_cell(f"# {title}"), _parameters_cell()]
    notebook.cells += [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(notebook, path)
    return path


def _reads_2024(folder: Path) -> Path:
    return _notebook(
        folder / "30_historico.ipynb",
        "from mirbook import datos, report\n\nwb = report.open(year, period, data_dir)",
        "tabla = datos.registros(wb, anios=[2024, 2026])\ntabla.groupby('anio').size()",
        title="Serie histórica",
    )


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A project root (``MIRBOOK_ROOT``) with the demo data and a small 2024 of its own."""
    root = pinned_root(tmp_path / "proyecto")
    monkeypatch.setenv("MIRBOOK_ROOT", str(root))
    shutil.copytree(DEMO, root / "data")
    shutil.rmtree(root / "data" / "2024")  # the demo's 2024 (unit workbooks) becomes two plain tables
    make_year(root / "data", 2024, programacion=[["A1.1", "DPPIM", 1, 2]],
              registros=registros("A1.1", "DPPIM", ["2024-02-10", "2024-05-03"]))
    (root / "notebooks").mkdir()
    return root


def _manifest(reports: Path) -> dict:
    return json.loads((reports / "2026" / "T3" / "manifest.json").read_text(encoding="utf-8"))


def test_another_years_files_are_traced_and_make_new_revisions(project):
    data, reports = project / "data", project / "reports"
    notebook = _reads_2024(project / "notebooks")
    runner = Runner(data, reports, notebooks=[notebook], log=lambda _: None)

    first = runner.run(PERIOD)
    manifest = _manifest(reports)
    assert first.revision == 1 and not first.unchanged
    for name in ("programacion.csv", "registros.csv"):
        assert manifest["entradas"][f"datos/2024/{name}"] == sha256_file(data / "2024" / name)
    assert manifest["anios_datos"] == [2024, 2025, 2026]
    assert not list(reports.rglob("*.lecturas.jsonl")), "the read logs stay out of the archive"

    again = runner.run(PERIOD)
    assert again.unchanged and again.revision == 1

    with open(data / "2024" / "registros.csv", "a", encoding="utf-8", newline="") as handle:
        handle.write("A1.1-DPPIM-003,A1.1,DPPIM,2024-06-01,Producto 3,Oficio UPM/DPPIM/0003,,\r\n")
    changed = runner.run(PERIOD)
    assert not changed.unchanged and changed.revision == 2
    assert _manifest(reports)["entradas"]["datos/2024/registros.csv"] == sha256_file(data / "2024" / "registros.csv")
    assert runner.run(PERIOD).unchanged

    make_year(data, 2023, programacion=[["A1.1", "DPPIM", 1, 1]], registros=registros("A1.1", "DPPIM", ["2023-03-01"]))
    grown = runner.run(PERIOD)
    assert not grown.unchanged and grown.revision == 3
    assert _manifest(reports)["anios_datos"] == [2023, 2024, 2025, 2026]
    assert "datos/2023/registros.csv" not in _manifest(reports)["entradas"], "only what a notebook read"


def test_the_kernel_path_traces_the_reads_too(project):
    notebook = _reads_2024(project / "notebooks")
    Runner(project / "data", project / "reports", notebooks=[notebook], log=lambda _: None,
           optimised=False, jobs=1).run(PERIOD)
    assert "datos/2024/registros.csv" in _manifest(project / "reports")["entradas"]


def test_a_file_changed_after_the_notebook_read_it_is_an_error(tmp_path):
    path = tmp_path / "data" / "2024" / "registros.csv"
    path.parent.mkdir(parents=True)
    path.write_text("a\n", encoding="utf-8")
    entry = {"tipo": "archivo", "anio": 2024, "tabla": "registros", "ruta": str(path), "sha256": sha256_file(path)}
    assert read_inputs(tmp_path / "data", [entry], "30_x") == {"datos/2024/registros.csv": entry["sha256"]}
    path.write_text("b\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"registros\.csv cambió mientras se ejecutaba el cuaderno 30_x"):
        read_inputs(tmp_path / "data", [entry], "30_x")


def test_a_failing_notebook_says_which_cell_and_line_and_keeps_the_executed_notebook(project):
    notebook = _notebook(
        project / "notebooks" / "40_falla.ipynb",
        "x = 1",
        "y = x + 1",
        "z = y * 2\nraise ValueError('dato imposible')",
        "w = 3",
    )
    reports = project / "reports"
    with pytest.raises(MirbookError) as info:
        Runner(project / "data", reports, notebooks=[notebook], log=lambda _: None).run(PERIOD)
    message = str(info.value)
    # Five code cells in the user's notebook (the parameters cell is one; papermill's injected one is not).
    assert "El cuaderno 40_falla falló en la celda 4 de 5, línea 2: ValueError: dato imposible" in message
    kept = project / "borradores" / "fallidos" / "2026-T3" / "40_falla.ipynb"
    assert str(kept) in message
    executed = nbformat.read(kept, as_version=4)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors and errors[0].evalue == "dato imposible"
    assert not reports.exists() or not list(reports.rglob("*.ipynb"))

    nbformat.write(nbformat.read(_reads_2024(project / "notebooks"), as_version=4), notebook)  # fixed
    Runner(project / "data", reports, notebooks=[notebook], log=lambda _: None).run(PERIOD)
    assert not kept.exists(), "once the notebook runs, the copy of its failure is gone"
