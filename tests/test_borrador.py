"""``mirbook borrador``: one notebook, one period, its HTML (and PDF) in a scratch folder, never the archive."""

from __future__ import annotations

import shutil

import nbformat
import pytest

from conftest import DEMO, ROOT, pinned_root, run_cli
from mirbook.borrador import draft
from mirbook.errors import MirbookError
from mirbook.model import Period

TEMPLATE = ROOT / "notebooks" / "plantilla" / "NN_analisis.ipynb"


def test_a_draft_renders_one_notebook_with_its_pdf_outside_the_archive(tmp_path):
    out, reports = tmp_path / "borradores", tmp_path / "reports"
    result = run_cli("borrador", "00_resumen", "--year", "2025", "--period", "T4", "--pdf",
                     "--out", str(out), "--reports-dir", str(reports))
    assert result.returncode == 0, result.stderr
    folder = out / "2025-T4"
    html, pdf, executed = folder / "00_resumen.html", folder / "00_resumen.pdf", folder / "00_resumen.ipynb"
    for path in (html, pdf, executed):
        assert f"{path}" in result.stdout
    assert "Evaluación de la MIR — cuarto trimestre de 2025" in html.read_text(encoding="utf-8")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in nbformat.read(executed, as_version=4).cells)
    assert not reports.exists(), "a draft never touches the archive"
    assert "no se archivó nada" in result.stdout


def test_a_draft_of_a_new_notebook_goes_to_the_projects_drafts_folder_without_pdf(tmp_path):
    root = pinned_root(tmp_path / "proyecto")
    (root / "notebooks").mkdir()
    shutil.copy(TEMPLATE, root / "notebooks" / "30_migracion.ipynb")
    result = run_cli("borrador", "30_migracion", "--year", "2026", "--period", "T1", "--data-dir", str(DEMO),
                     env={"MIRBOOK_ROOT": str(root)})
    assert result.returncode == 0, result.stderr
    folder = root / "borradores" / "2026-T1"
    assert (folder / "30_migracion.html").is_file()
    assert not (folder / "30_migracion.pdf").exists() and "PDF:" not in result.stdout
    assert not (root / "reports").exists()


def test_a_draft_folder_inside_the_reports_folder_is_refused(tmp_path):
    reports = tmp_path / "reports"
    result = run_cli("borrador", "00_resumen", "--year", "2026", "--period", "T3",
                     "--out", str(reports / "borradores"), "--reports-dir", str(reports))
    assert result.returncode == 2
    assert "está dentro del archivo de reportes" in result.stderr and "Traceback" not in result.stderr
    assert not reports.exists()


def test_an_unknown_notebook_names_the_ones_there_are(tmp_path):
    result = run_cli("borrador", "31_no_existe", "--year", "2026", "--period", "T3", "--out", str(tmp_path))
    assert result.returncode == 2
    assert "No existe el cuaderno «31_no_existe»" in result.stderr and "00_resumen" in result.stderr


def test_a_failing_draft_says_where_and_keeps_the_executed_notebook(tmp_path):
    notebook = nbformat.read(TEMPLATE, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    code[2].source = "total = 1\nraise KeyError('columna_que_no_existe')"
    path = tmp_path / "31_falla.ipynb"
    nbformat.write(notebook, path)
    with pytest.raises(MirbookError) as info:
        draft(str(path), Period(2026, 3), DEMO, tmp_path / "reports", tmp_path / "b", log=lambda _: None)
    message = str(info.value)
    assert f"falló en la celda 3 de {len(code)}, línea 2: KeyError" in message
    kept = tmp_path / "b" / "2026-T3" / "31_falla.ipynb"
    assert str(kept) in message and kept.is_file()
