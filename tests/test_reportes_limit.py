"""The product list of a section stops at params/reportes.yaml's limit; the complete list is an annex (issue 15)."""

from __future__ import annotations

import shutil

import pytest

from conftest import ROOT
from mirbook import report
from mirbook.errors import ParamsError
from mirbook.reportes import ANNEX, DEFAULT_MAX_PRODUCTOS, load_reportes
from mirbook.workbook import open_workbook


def _params(tmp_path, limit: int | None):
    folder = tmp_path / "params"
    shutil.copytree(ROOT / "params", folder)
    if limit is None:
        (folder / "reportes.yaml").unlink()
    else:
        (folder / "reportes.yaml").write_text(f"max_productos_listados: {limit}\n", encoding="utf-8")
    return folder


def test_a_section_lists_up_to_the_limit_and_names_the_annex(tmp_path):
    wb = open_workbook(2026, "T3", ROOT / "data", _params(tmp_path, 2))
    total = sum(1 for r in wb.data.registros if r.indicador == "A1.1" and r.fecha <= wb.period.end)
    assert total > 2
    html = report.indicador_html(wb, "A1.1")
    assert f"Productos entregados ({total})" in html
    assert f"Se listan los primeros 2 de {total} productos" in html and f'href="{ANNEX}"' in html
    table = html[html.index('class="tabla-productos"'):]
    table = table[:table.index("</table>")]
    assert table.count('<th scope="row"') == 2
    assert ANNEX == "registros_periodo.csv"  # the complete list every revision carries


def test_under_the_limit_nothing_changes(tmp_path):
    wb = open_workbook(2026, "T3", ROOT / "data", _params(tmp_path, 100_000))
    assert "Se listan los primeros" not in report.indicador_html(wb, "A1.1")


def test_the_limit_file_is_checked_and_optional(tmp_path):
    assert load_reportes(_params(tmp_path / "a", None)).max_productos_listados == DEFAULT_MAX_PRODUCTOS
    with pytest.raises(ParamsError, match="mayor que 0"):
        load_reportes(_params(tmp_path / "b", 0))
    assert load_reportes(ROOT / "params").max_productos_listados >= 1
