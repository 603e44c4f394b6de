"""End to end: ``mirbook run`` on real data, real notebooks, real HTML and PDF, a real archive."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from conftest import DEMO, ROOT, run_cli
from mirbook.errors import MirbookError
from mirbook.model import Period
from mirbook.pipeline import Runner, discover_notebooks

PERIOD = Period(2026, 3)
RESUMEN = ROOT / "notebooks" / "00_resumen.ipynb"


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """sha256 and mtime of every file below ``folder``."""
    return {
        p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def archived(tmp_path_factory) -> Path:
    """One full run of the demo period through the command line, as a user would."""
    reports = tmp_path_factory.mktemp("reports")
    result = run_cli("run", "--year", "2026", "--period", "T3", "--reports-dir", str(reports))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Semáforo: 2 verde · 2 amarillo · 2 rojo · 4 no aplica" in result.stdout
    assert "A2.3: semáforo amarillo en T3 sin justificación" in result.stdout
    assert "Traceback" not in result.stderr and "WARNING" not in result.stdout + result.stderr
    return reports


def test_full_run_archives_every_artifact(archived):
    folder = archived / "2026" / "T3"
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    for stem in ("00_resumen", "10_componente_1", "20_componente_2"):
        assert {f"{stem}.html", f"{stem}.pdf", f"cuadernos/{stem}.ipynb"} <= names
        assert (folder / f"{stem}.pdf").read_bytes().startswith(b"%PDF")
    assert {"index.html", "indicadores.csv", "validacion.html", "manifest.json", "captura.html",
            "registros_periodo.csv"} <= names
    assert (archived / "index.html").is_file()
    assert not (archived / ".staging").exists()
    rows = list(csv.DictReader((folder / "indicadores.csv").open(encoding="utf-8")))
    assert [r["clave"] for r in rows] == ["FIN", "PROP", "C1", "C2", "A1.1", "A1.2", "A1.3", "A2.1", "A2.2", "A2.3"]
    assert rows[4]["avance_pct"] == "90.00" and rows[4]["semaforo"] == "verde"


def test_manifest_traces_inputs_outputs_and_environment(archived):
    folder = archived / "2026" / "T3"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["anio"] == 2026 and manifest["periodo"] == "T3" and manifest["revision"] == 1
    registros = DEMO / "2026" / "registros.csv"
    assert manifest["entradas"]["datos/2026/registros.csv"] == hashlib.sha256(registros.read_bytes()).hexdigest()
    assert "datos/2025/programacion.csv" in manifest["entradas"]  # the previous year feeds the comparison
    assert "params/mir.yaml" in manifest["entradas"] and "notebooks/00_resumen.ipynb" in manifest["entradas"]
    for rel, digest in manifest["salidas"].items():
        assert hashlib.sha256((folder / rel).read_bytes()).hexdigest() == digest
    assert set(manifest["salidas"]) >= {"00_resumen.pdf", "indicadores.csv", "cuadernos/20_componente_2.ipynb"}
    assert manifest["paquetes"]["papermill"] and manifest["paquetes"]["great-expectations"].startswith("1.")
    assert set(manifest["git"]) == {"commit", "sucio"}
    assert manifest["inicio"] <= manifest["fin"]
    assert manifest["parametros"] == {
        "year": 2026, "period": "T3", "data_dir": str(DEMO), "reports_dir": str(archived)
    }


def test_executed_notebooks_carry_the_parameters(archived):
    notebook = nbformat.read(archived / "2026" / "T3" / "cuadernos" / "10_componente_1.ipynb", as_version=4)
    injected = [c for c in notebook.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "year = 2026" in injected[0].source and 'period = "T3"' in injected[0].source


def test_identical_rerun_changes_nothing_and_says_so(archived):
    before = snapshot(archived)
    result = run_cli("run", "--year", "2026", "--period", "T3", "--reports-dir", str(archived))
    assert result.returncode == 0, result.stderr
    assert "Sin cambios" in result.stdout
    assert snapshot(archived) == before


def test_verify_catches_one_changed_byte(archived, tmp_path):
    copy = tmp_path / "copia"
    shutil.copytree(archived, copy)
    ok = run_cli("verify", "--reports-dir", str(copy))
    assert ok.returncode == 0 and "íntegro" in ok.stdout
    pdf = copy / "2026" / "T3" / "10_componente_1.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    pdf.write_bytes(bytes(data))
    bad = run_cli("verify", "--reports-dir", str(copy))
    assert bad.returncode == 1
    assert "2026/T3/10_componente_1.pdf" in bad.stderr and "sha256" in bad.stderr


def test_changed_input_makes_a_new_revision_and_keeps_the_old_one_whole(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DEMO, data)
    reports = tmp_path / "reports"
    runner = Runner(data, reports, notebooks=[RESUMEN], log=lambda _: None)
    first = runner.run(PERIOD)
    assert first.revision == 1 and not first.unchanged
    folder = reports / "2026" / "T3"
    before = snapshot(folder)
    with open(data / "2026" / "registros.csv", "a", encoding="utf-8") as handle:
        handle.write("UPM-2026-9999,A2.1,CEM,2026-09-29,Nota técnica adicional,Oficio UPM/CEM/9999/2026,nota técnica,\n")
    second = runner.run(PERIOD)
    assert second.revision == 2 and not second.unchanged
    old = folder / "revisiones" / "r001"
    for rel, (digest, _) in before.items():
        if rel == "index.html":
            continue  # navigation pages are rebuilt; everything else is kept byte for byte
        assert hashlib.sha256((old / rel).read_bytes()).hexdigest() == digest, rel
    rows = {r["clave"]: r for r in csv.DictReader((folder / "indicadores.csv").open(encoding="utf-8"))}
    assert rows["A2.1"]["realizado"] == "6"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["revision"] == 2 and manifest["revisiones_anteriores"] == ["revisiones/r001"]
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "Cambios respecto de la revisión 1" in page and "datos/2026/registros.csv" in page
    assert 'href="revisiones/r001/index.html"' in page
    assert (old / "index.html").is_file()
    checked, problems = __import__("mirbook.archive", fromlist=["verify"]).verify(reports)
    assert checked == 2 and problems == []


def _failing_notebook(path: Path) -> Path:
    notebook = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell('year = 2026\nperiod = "T3"\ndata_dir = None')
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Análisis que falla"),
        parameters,
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("raise ValueError('dato imposible en la celda 3')"),
        nbformat.v4.new_code_cell("y = 2"),
    ]
    nbformat.write(notebook, path)
    return path


def test_a_failing_notebook_stops_the_run_leaving_no_archive_and_no_debris(tmp_path):
    reports = tmp_path / "reports"
    bad = _failing_notebook(tmp_path / "30_falla.ipynb")
    runner = Runner(DEMO, reports, notebooks=[RESUMEN, bad], log=lambda _: None)
    with pytest.raises(MirbookError) as info:
        runner.run(PERIOD)
    message = str(info.value)
    assert "30_falla" in message and "ValueError" in message and "dato imposible" in message
    assert list(reports.rglob("*")) == []


def test_a_failing_notebook_leaves_the_existing_archive_untouched(tmp_path):
    reports = tmp_path / "reports"
    Runner(DEMO, reports, notebooks=[RESUMEN], log=lambda _: None).run(PERIOD)
    before = snapshot(reports)
    bad = _failing_notebook(tmp_path / "30_falla.ipynb")
    with pytest.raises(MirbookError):
        Runner(DEMO, reports, notebooks=[RESUMEN, bad], log=lambda _: None).run(PERIOD)
    assert snapshot(reports) == before


def test_notebooks_are_discovered_in_file_name_order(tmp_path):
    for name in ("20_b.ipynb", "00_a.ipynb", "plantilla.ipynb", "_borrador.ipynb", "15_c.ipynb"):
        (tmp_path / name).write_text("{}")
    assert [p.name for p in discover_notebooks(tmp_path)] == ["00_a.ipynb", "15_c.ipynb", "20_b.ipynb"]


def test_report_titles_come_from_metadata_then_the_first_level_one_heading(tmp_path):
    from mirbook.execute import notebook_title

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("## Detalle"), nbformat.v4.new_markdown_cell("# Análisis de flujos")]
    path = tmp_path / "30_x.ipynb"
    nbformat.write(notebook, path)
    assert notebook_title(path) == "Análisis de flujos"
    notebook.metadata["title"] = "Flujos migratorios por trimestre"
    nbformat.write(notebook, path)
    assert notebook_title(path) == "Flujos migratorios por trimestre"
    assert notebook_title(RESUMEN).startswith("Resumen de la MIR")
