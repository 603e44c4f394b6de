"""The run's own process reads, parses and hashes each input file once (issue 10).

Validation, the workbook and the manifest's hashes share one reading of a year
(:class:`mirbook.sources.YearInputs`); only the optimised executor's quick "nothing
changed?" check hashes the files before that reading, and an unchanged re-run parses nothing.
The notebooks' own processes read the data themselves and are not counted here.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from conftest import DEMO, ROOT
from mirbook import sources
from mirbook.model import Period
from mirbook.pipeline import Runner

PERIOD = Period(2026, 3)
RESUMEN = ROOT / "notebooks" / "00_resumen.ipynb"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DEMO, target)
    return target


def data_files(data: Path) -> list[Path]:
    return sorted(p.resolve() for year in ("2025", "2026") for p in (data / year).iterdir())


@pytest.fixture
def opened(monkeypatch, data: Path) -> Counter:
    """How many times each data file is opened by this process (``open`` and ``Path`` reads)."""
    counts: Counter = Counter()
    watched = set(data_files(data))
    real_open = builtins.open

    def counting_open(file, *args, **kwargs):
        if isinstance(file, (str, Path)) and Path(file).resolve() in watched:
            counts[Path(file).name if Path(file).parent.name == "2026" else f"2025/{Path(file).name}"] += 1
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting_open)
    monkeypatch.setattr(io, "open", counting_open)  # what pathlib's read_bytes/open call
    return counts


@pytest.fixture
def parsed(monkeypatch) -> Counter:
    """How many times each year's files are parsed (:func:`mirbook.sources.read_input_file`)."""
    counts: Counter = Counter()
    real = sources.read_input_file

    def counting(name: str, path: Path, *args, **kwargs):
        counts[f"{path.parent.name}/{path.name}"] += 1
        return real(name, path, *args, **kwargs)

    monkeypatch.setattr(sources, "read_input_file", counting)
    return counts


def test_the_plain_run_opens_each_input_file_once(tmp_path, data, opened, parsed):
    runner = Runner(data, tmp_path / "reports", notebooks=[RESUMEN], jobs=1, log=lambda _: None, optimised=False)
    runner.run(PERIOD)
    names = {p.name if p.parent.name == "2026" else f"2025/{p.name}" for p in data_files(data)}
    assert set(opened) == names and set(opened.values()) == {1}, opened
    assert set(parsed.values()) == {1} and len(parsed) == len(names), parsed
    manifest = json.loads((tmp_path / "reports" / "2026" / "T3" / "manifest.json").read_text(encoding="utf-8"))
    for path in data_files(data):  # the manifest's hashes are those of the very bytes parsed
        label = f"datos/{path.parent.name}/{path.name}"
        assert manifest["entradas"][label] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_optimised_run_parses_once_and_an_unchanged_rerun_only_hashes(tmp_path, data, opened, parsed):
    runner = Runner(data, tmp_path / "reports", notebooks=[RESUMEN], log=lambda _: None)
    runner.run(PERIOD)
    assert set(parsed.values()) == {1} and len(parsed) == len(data_files(data)), parsed
    assert set(opened.values()) == {2}, opened  # the quick check's hash, then the one reading
    parsed.clear()
    opened.clear()
    again = runner.run(PERIOD)
    assert again.unchanged
    assert not parsed and set(opened.values()) == {1}, (parsed, opened)


def test_validation_and_the_workbook_get_the_same_reading(tmp_path, data, monkeypatch):
    import mirbook.validation as validation
    import mirbook.workbook as workbook

    seen: dict[str, list] = {"validation": [], "workbook": []}
    real_validate, real_open = validation.validate, workbook.open_workbook

    def spy_validate(*args, inputs=None, **kwargs):
        seen["validation"].append(inputs)
        return real_validate(*args, inputs=inputs, **kwargs)

    def spy_open(*args, inputs=None, previous_inputs=None, **kwargs):
        seen["workbook"].append((inputs, previous_inputs))
        return real_open(*args, inputs=inputs, previous_inputs=previous_inputs, **kwargs)

    monkeypatch.setattr(validation, "validate", spy_validate)
    monkeypatch.setattr(workbook, "open_workbook", spy_open)
    runner = Runner(data, tmp_path / "reports", notebooks=[RESUMEN], log=lambda _: None)
    runner.run_many([Period(2026, 2), PERIOD])
    (first, second), ((w1, p1), (w2, p2)) = seen["validation"], seen["workbook"]
    assert first is not None and first is second is w1 is w2  # one reading of 2026 for both periods
    assert p1 is not None and p1 is p2 and p1.year == 2025
