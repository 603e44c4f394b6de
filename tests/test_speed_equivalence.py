"""The optimised pipeline makes the same reports as the plain one (issue #6).

``mirbook run`` runs notebooks on kernels forked from preloaded worker processes, renders
in separate tasks, validates while the notebooks run and skips unchanged periods before
validating. None of that may change a byte of what is archived. Here one period is built
twice with the clock fixed (``SOURCE_DATE_EPOCH``): by the optimised path, and by the
plain reference path (``MIRBOOK_PLAIN=1 --jobs 1``: validation first, one ipykernel per
notebook through papermill's own engine, rendering in the command's own process). Every
artifact must be identical byte for byte, except what records *when* and *where* the run
happened: the manifest's timing fields and reports folder, and the executed notebooks'
papermill/nbclient timing metadata and the random id papermill gives its injected cell.

There are no timing assertions here: speed is measured by ``make bench``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest

from conftest import DEMO, ROOT, run_cli
from mirbook.errors import DataError, MirbookError
from mirbook.execute import ENGINE_WARM, ENGINE_KERNEL, NotebookJob, execute
from mirbook.model import Period
from mirbook.executors import PRELOAD
from mirbook.pipeline import Runner
from mirbook.workers import WorkerPool

EPOCH = "1790000000"  # 2026-09-21 14:13:20 UTC, fixed: both runs see the same clock
PERIOD = Period(2026, 3)
RESUMEN = ROOT / "notebooks" / "00_resumen.ipynb"


def _normalised_notebook(path: Path) -> dict:
    """An executed notebook without what only says when it ran (and papermill's random cell ids).

    Warnings and tracebacks name a cell by the process that ran it (``/tmp/ipykernel_<pid>/``).
    """
    notebook = json.loads(re.sub(r"ipykernel_\d+", "ipykernel_PID", path.read_text(encoding="utf-8")))
    notebook["metadata"].pop("papermill", None)
    for cell in notebook["cells"]:
        cell["metadata"].pop("papermill", None)
        cell["metadata"].pop("execution", None)
        if {"injected-parameters", "papermill-error-cell-tag"} & set(cell["metadata"].get("tags", [])):
            cell.pop("id", None)  # papermill's own cells get a random id
    return notebook


def _normalised_manifest(path: Path) -> dict:
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for key in ("inicio", "fin"):
        manifest.pop(key)
    manifest["parametros"].pop("reports_dir")
    manifest["salidas"] = {k: v for k, v in manifest["salidas"].items() if not k.endswith(".ipynb")}
    return manifest


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("equivalencia")
    fast, plain = base / "optimizado", base / "simple"
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    args = ("run", "--year", str(PERIOD.year), "--period", PERIOD.label)
    done = run_cli(*args, "--reports-dir", str(fast), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    done = run_cli(*args, "--reports-dir", str(plain), "--jobs", "1", env=dict(env, MIRBOOK_PLAIN="1"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return fast, plain


def test_both_paths_archive_the_same_files(both):
    fast, plain = both
    assert _files(fast) == _files(plain)
    assert {"2026/T3/10_componente_1.pdf", "2026/T3/cuadernos/20_componente_2.ipynb", "index.html"} <= set(_files(fast))


def test_every_report_is_byte_identical(both):
    fast, plain = both
    compared = 0
    for rel in _files(fast):
        # the ledger records each manifest's sha256: manifests differ in when and where (compared below)
        if rel.endswith((".ipynb", "manifest.json")) or rel == "registro.jsonl":
            continue
        assert (fast / rel).read_bytes() == (plain / rel).read_bytes(), rel
        compared += 1
    assert compared >= 10  # 3 HTML + 3 PDF + indicadores.csv + validacion.html + 2 index.html


def test_executed_notebooks_are_the_same_as_with_a_kernel(both):
    fast, plain = both
    for path in sorted((fast / "2026" / "T3" / "cuadernos").glob("*.ipynb")):
        kernel = plain / path.relative_to(fast)
        assert _normalised_notebook(path) == _normalised_notebook(kernel), path.name
        executed = nbformat.read(path, as_version=4)
        assert executed.metadata.language_info["name"] == "python"
        assert all("execution" in c.metadata for c in executed.cells if c.cell_type == "code")


def test_manifests_agree_apart_from_when_and_where(both):
    fast, plain = both
    manifest = fast / "2026" / "T3" / "manifest.json"
    assert _normalised_manifest(manifest) == _normalised_manifest(plain / "2026" / "T3" / "manifest.json")
    assert json.loads(manifest.read_text(encoding="utf-8"))["inicio"] == "2026-09-21T14:13:20+00:00"


def test_unchanged_rerun_is_recognised_before_validation(both, tmp_path):
    """The re-run trusts the fingerprint: it never imports Great Expectations, and touches nothing."""
    fast, _ = both
    copy = tmp_path / "archivo"
    shutil.copytree(fast, copy)
    code = (
        "import sys; from mirbook.cli import main\n"
        "code = main(['run', '--year', '2026', '--period', 'T3', '--reports-dir', sys.argv[1]])\n"
        "assert 'great_expectations' not in sys.modules, 'se importó Great Expectations'\n"
        "assert 'papermill' not in sys.modules, 'se importó papermill'\n"
        "sys.exit(code)\n"
    )
    before = {p: p.stat().st_mtime_ns for p in copy.rglob("*")}
    done = subprocess.run([sys.executable, "-c", code, str(copy)], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})
    assert done.returncode == 0, done.stderr
    assert "Sin cambios" in done.stdout and "Revisión 1 (sin cambios)" in done.stdout
    assert {p: p.stat().st_mtime_ns for p in copy.rglob("*")} == before


# --- the warm kernel against a launched kernel, output by output -------------------------------


TRICKY_CELLS = [
    "import sys, warnings\nfrom IPython.display import HTML, Markdown, display, clear_output",
    "print('uno'); print('dos', file=sys.stderr); print('tres')",
    "display(HTML('<b>negrita</b>')); print('después del display')",
    "{'a': (1, 2), 'b': None}",
    "x = 41\nx + 1",
    "None",
    "'no se muestra';",
    "display(Markdown('*antes*')); clear_output()\ndisplay(Markdown('**después**'))",
    "h = display(HTML('<i>v1</i>'), display_id='d1')\nh.update(HTML('<i>v2</i>'))",
    "warnings.warn('aviso de prueba', UserWarning)",
    "",
    "print('sin salto', end='')",
]


def _tricky_notebook(path: Path, failing: bool) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    parameters = nbformat.v4.new_code_cell("year = 2026\nperiod = 'T3'\ndata_dir = None")
    parameters.metadata["tags"] = ["parameters"]
    cells = [nbformat.v4.new_markdown_cell("# Prueba"), parameters]
    cells += [nbformat.v4.new_code_cell(source) for source in TRICKY_CELLS]
    if failing:
        cells += [nbformat.v4.new_code_cell("raise ValueError('valor imposible')"), nbformat.v4.new_code_cell("y = 2")]
    notebook.cells = cells
    nbformat.write(notebook, path)
    return path


def _job(source: Path, folder: Path, engine: str) -> NotebookJob:
    return NotebookJob(
        source=source, executed=folder / f"{engine}.ipynb", html=folder / f"{engine}.html",
        pdf=folder / f"{engine}.pdf", parameters={"year": 2026, "period": "T3", "data_dir": str(DEMO)},
        title="Prueba", header="Prueba", footer={}, timeout=60, cwd=source.parent, log=folder / f"{engine}.log",
        engine=engine, save_each_cell=engine == ENGINE_KERNEL,
    )


@pytest.mark.parametrize("failing", [False, True], ids=["completo", "con_error"])
def test_a_warm_kernel_records_what_a_launched_kernel_sends(tmp_path, failing):
    source = _tricky_notebook(tmp_path / "99_prueba.ipynb", failing)
    errors = {}
    with WorkerPool(2, preload=PRELOAD) as pool:  # fresh processes, as in a run
        futures = {engine: pool.submit(execute, _job(source, tmp_path, engine))
                   for engine in (ENGINE_KERNEL, ENGINE_WARM)}
        for engine, future in futures.items():
            try:
                future.result()
            except MirbookError as exc:
                errors[engine] = str(exc)
    if failing:
        assert errors[ENGINE_KERNEL] == errors[ENGINE_WARM]
        assert "99_prueba" in errors[ENGINE_KERNEL] and "ValueError: valor imposible" in errors[ENGINE_KERNEL]
    else:
        assert errors == {}
    kernel = _normalised_notebook(tmp_path / f"{ENGINE_KERNEL}.ipynb")
    warm = _normalised_notebook(tmp_path / f"{ENGINE_WARM}.ipynb")
    assert kernel == warm


def test_a_cell_past_the_timeout_stops_both_engines_alike(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    parameters = nbformat.v4.new_code_cell("year = 2026\nperiod = 'T3'\ndata_dir = None")
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [parameters, nbformat.v4.new_code_cell("print('antes')"),
                      nbformat.v4.new_code_cell("import time\nprint('esperando')\ntime.sleep(30)")]
    source = tmp_path / "98_lento.ipynb"
    nbformat.write(notebook, source)
    messages = {}
    with WorkerPool(2, preload=PRELOAD) as pool:
        futures = {engine: pool.submit(execute, replace(_job(source, tmp_path, engine), timeout=2))
                   for engine in (ENGINE_KERNEL, ENGINE_WARM)}
        for engine, future in futures.items():
            with pytest.raises(MirbookError) as info:
                future.result()
            messages[engine] = str(info.value)
    assert messages[ENGINE_KERNEL] == messages[ENGINE_WARM]
    assert "98_lento" in messages[ENGINE_KERNEL] and "CellTimeoutError" in messages[ENGINE_KERNEL]


# --- validation still decides, and first ------------------------------------------------------------


def _failing_notebook(path: Path) -> Path:
    notebook = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell('year = 2026\nperiod = "T3"\ndata_dir = None')
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [nbformat.v4.new_markdown_cell("# Falla"), parameters,
                      nbformat.v4.new_code_cell("raise ValueError('el cuaderno también falla')")]
    nbformat.write(notebook, path)
    return path


def test_validation_errors_win_over_notebook_errors_and_nothing_is_left(tmp_path):
    """Data that load but break the contract: notebooks start while validation runs; validation wins."""
    data = tmp_path / "data"
    shutil.copytree(DEMO, data)
    registros = data / "2026" / "registros.csv"
    lines = registros.read_text(encoding="utf-8").splitlines(keepends=True)
    first = lines[1].split(",")
    assert first[1] == "A1.1"
    first[2] = "CEM"  # CEM may not report A1.1: only Great Expectations sees it
    lines[1] = ",".join(first)
    registros.write_text("".join(lines), encoding="utf-8")
    reports = tmp_path / "reports"
    runner = Runner(data, reports, notebooks=[RESUMEN, _failing_notebook(tmp_path / "30_falla.ipynb")],
                    log=lambda _: None)
    with pytest.raises(DataError) as info:
        runner.run(PERIOD)
    message = str(info.value)
    assert "no puede reportar el indicador A1.1" in message and "el cuaderno también falla" not in message
    assert not reports.exists()  # not even the (empty) reports folder is left behind


def test_run_many_archives_the_good_periods_and_reports_the_bad(tmp_path):
    reports = tmp_path / "reports"
    bad = _failing_notebook(tmp_path / "30_falla.ipynb")
    runner = Runner(DEMO, reports, notebooks=[RESUMEN], log=lambda _: None)
    first = runner.run_many([Period(2026, 2), Period(2026, 3)])
    assert [r.revision for r in first] == [1, 1] and not any(r.unchanged for r in first)
    again = runner.run_many([Period(2026, 2), Period(2026, 3), Period(2027, 1)])
    assert [getattr(r, "unchanged", None) for r in again[:2]] == [True, True]
    assert isinstance(again[2], DataError) and "2027" in str(again[2])
    failing = Runner(DEMO, reports, notebooks=[RESUMEN, bad], log=lambda _: None).run_many([Period(2026, 1)])
    assert isinstance(failing[0], MirbookError) and "30_falla" in str(failing[0])
    assert sorted(p.name for p in (reports / "2026").iterdir() if p.is_dir()) == ["T2", "T3"]
    assert not (reports / ".staging").exists()

