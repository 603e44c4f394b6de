"""The display helpers of the report notebooks (mirbook.report, charts, style), without a kernel."""

from __future__ import annotations

import base64
import re
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from conftest import DEMO, load_pinned_params, make_year
from mirbook import charts, report, style
from mirbook.workbook import open_workbook

EVIL_TITLE = '<script>alert(1)</script> & "x"'
EVIL_TITLE_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;x&#34;"


@pytest.fixture(scope="module")
def wb():
    return report.open(2026, "T3")


@pytest.fixture(scope="module")
def wb_2025_t4():
    return report.open(2025, "T4")


def evil_data(root: Path) -> Path:
    """A tiny 2026 dataset whose user text tries to inject HTML."""
    data = root / "data"
    make_year(
        data,
        2026,
        programacion=[["A1.1", "DPPIM", 1, 2], ["A1.1", "DPPIM", 3, 2], ["A1.2", "DPRCM", 2, 1]],
        registros=[
            ["EVIL-001", "A1.1", "DPPIM", "2026-02-10", EVIL_TITLE, "Oficio <b>UPM</b>/1 & anexo", "programa", ""],
            ["EVIL-002", "A1.1", "DPPIM", "2026-08-03", "Nota 'técnica' <i>", "javascript:alert(1)", "acción", ""],
            ["EVIL-003", "A1.2", "DPRCM", "2026-05-04", "Evaluación", 'https://x.example/a?b=1&c="onmouseover=alert(1)',
             "", ""],
            ["EVIL-004", "A1.2", "DPRCM", "2026-05-05", "Evaluación 2", "https://x.example/a?b=1&c=2", "", ""],
        ],
        justificaciones=[["A1.1", 3, "Causa <img src=x onerror=alert(1)>", "Efecto & \"más\"", "</section><script>x</script>"]],
    )
    return data


class _Tags(HTMLParser):
    """Collects start tags and their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


# --- style --------------------------------------------------------------------------------------


def test_every_semaforo_has_word_symbol_and_aa_contrast():
    symbols = set()
    for key in ("verde", "amarillo", "rojo", "no_aplica"):
        sem = style.semaforo(key)
        assert sem.etiqueta and sem.simbolo
        symbols.add(sem.simbolo)
        assert style.contrast_ratio(sem.texto, sem.fondo) >= 4.5, key
        assert style.contrast_ratio(sem.oscuro, "#FFFFFF") >= 4.5, key
        assert style.contrast_ratio(style.TEXTO, sem.tinte) >= 4.5, key
    assert len(symbols) == 4  # one shape per semáforo: legible in grey print
    for colour in (style.TEXTO, style.TEXTO_SUAVE, style.ENLACE, style.GUINDA):
        assert style.contrast_ratio(colour, "#FFFFFF") >= 4.5
        assert style.contrast_ratio(colour, style.FONDO_SUAVE) >= 4.5


def test_page_css_is_filled_and_has_print_rules():
    css = style.page_css()
    assert "$" not in css
    assert "size: A4" in css and "counter(pages)" in css and "@media print" in css
    assert "break-inside: avoid" in css and "@media screen and (max-width: 40rem)" in css
    assert "http" not in css and "@import" not in css and "url(" not in css


# --- is_demo ------------------------------------------------------------------------------------


def test_is_demo(tmp_path, wb):
    assert report.is_demo(wb)
    assert report.is_demo(DEMO)
    data = evil_data(tmp_path)
    assert not report.is_demo(data)
    (data / "DEMO").write_text("", encoding="utf-8")
    assert report.is_demo(data)


# --- blocks -------------------------------------------------------------------------------------


def test_portada_summarises_the_whole_mir(wb):
    html = report.portada_html(wb)
    assert "Evaluación de la MIR — tercer trimestre de 2026" in html
    assert "Datos sintéticos de demostración" in html
    for clave in wb.mir.claves:
        assert f">{clave} <" in html
    for word in ("Verde", "Amarillo", "Rojo", "No aplica"):
        assert word in html
    assert "reportan 6 de los 10 indicadores de la MIR: 2 en verde, 2 en amarillo y 2 en rojo" in html


def test_portada_of_a_component(wb):
    html = report.portada_html(wb, componente="C2")
    assert "Componente 2 — tercer trimestre de 2026" in html
    assert "Centro de Estudios Migratorios" in html
    assert all(c in html for c in ("C2", "A2.1", "A2.2", "A2.3"))
    assert "A1.1" not in html


def test_tree_has_every_indicator_with_its_semaforo(wb):
    html = report.arbol_mir_html(wb)
    for result in wb.evaluation.results:
        assert result.clave in html
    assert html.count('class="nodo') == 10
    assert "Actividad 1.3" in html and "sem-rojo" in html


def test_table_in_mir_order_with_previous_year(wb):
    html = report.tabla_indicadores_html(wb)
    positions = [html.index(f">{c}<") for c in wb.mir.claves]
    assert positions == sorted(positions)
    assert "2025 T3" in html
    assert "no reporta" in html  # FIN, PROP, C1, C2 in T3


def test_avisos(wb):
    html = report.avisos_html(wb)
    assert "A2.3" in html and "sin justificación" in html
    assert "Sin avisos" in report.avisos_html(wb, componente="C1")


def test_indicador_shows_ficha_figures_products_and_sources(wb):
    html = report.indicador_html(wb, "A1.3")
    ind = wb.mir.get("A1.3")
    assert "Ficha del indicador" in html
    for text in (ind.texto.resumen_narrativo, ind.texto.definicion, ind.texto.metodo_calculo,
                 ind.texto.supuestos, ind.texto.medios_verificacion):
        assert str(escape(text)) in html
    assert "25 de 20 programados" in html
    assert "125.00 %" in html and "sem-rojo" in html
    assert "2026/registros.csv" in html and "2026/programacion.csv" in html
    # every product with its folio and row
    for registro in report.products(ind, wb.data, wb.period):
        assert registro.folio in html
        assert f'<td class="num">{registro.fila}</td>' in html
    assert "Justificaciones" in html and "justificaciones.csv, fila" in html
    assert "2025 T3" in html  # comparison with the previous year


def test_non_reporting_indicator_is_informative(wb):
    html = report.indicador_html(wb, "C1")
    assert "No reporta en este periodo (informativo)" in html
    assert "semáforo informativo de las cifras" in html and 'class="sem sem-rojo sem-info"' in html
    assert "150.00 %" in html


def test_missing_justification_is_flagged(wb):
    html = report.indicador_html(wb, "A2.3")
    assert "Falta la justificación" in html


def test_flujo_breakdown_for_fin(wb_2025_t4):
    html = report.indicador_html(wb_2025_t4, "FIN")
    assert "Desglose por flujo migratorio" in html
    for flujo in ("inmigración", "emigración", "tránsito", "retorno"):
        assert flujo in html
    assert '<th scope="row">2024 T4</th>' in html  # the demo's 2024 (unit workbooks) is the year before


def test_tipo_breakdown(wb):
    html = report.indicador_html(wb, "A2.2")
    assert "Desglose por tipo de producto" in html and "boletín estadístico" in html


def test_previous_error_is_shown(tmp_path):
    data = evil_data(tmp_path)
    (data / "2025").mkdir()
    (data / "2025" / "programacion.csv").write_bytes(b"")  # empty file: a data error
    (data / "2025" / "registros.csv").write_text("folio\n", encoding="utf-8")
    workbook = open_workbook(2026, "T3", data)
    assert workbook.previous_error
    assert "No se pudo leer el año anterior" in report.portada_html(workbook)
    assert "Año anterior" in report.avisos_html(workbook)


def test_user_text_is_escaped_everywhere(tmp_path):
    workbook = open_workbook(2026, "T3", evil_data(tmp_path))
    html = "".join(
        [report.portada_html(workbook, "C1"), report.tabla_indicadores_html(workbook, "C1"),
         report.avisos_html(workbook), report.arbol_mir_html(workbook)]
        + [report.indicador_html(workbook, c) for c in ("C1", "A1.1", "A1.2", "A1.3")]
    )
    assert "<script" not in html.lower()
    assert "<b>" not in html and "<i>" not in html and "<img src=x" not in html
    assert EVIL_TITLE_ESCAPED in html
    assert "&lt;/section&gt;&lt;script&gt;x&lt;/script&gt;" in html
    assert "Datos sintéticos de demostración" not in html
    links = [attrs.get("href", "") for tag, attrs in tags_of(html) if tag == "a"]
    assert "https://x.example/a?b=1&c=2" in links  # a plain URL becomes a link (href unescaped by the parser)
    assert not any(link.startswith("javascript") or '"' in link for link in links)
    for tag, attrs in tags_of(html):
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if tag == "img":
            assert attrs["src"].startswith("data:image/svg+xml;base64,")


# --- charts -------------------------------------------------------------------------------------


def test_bands_follow_the_thresholds():
    ind = load_pinned_params().mir.get("A1.1")  # the tests' thresholds, not the editable ones
    bands = charts.bands(ind, Fraction(100))
    assert [(round(lo, 6), hi if hi == float("inf") else round(hi, 6), s) for lo, hi, s in bands] == [
        (0, 80, "rojo"), (80, 90, "amarillo"), (90, 110, "verde"), (110, 120, "amarillo"), (120, float("inf"), "rojo")
    ]
    assert charts.bands(ind, Fraction(0)) == []
    from dataclasses import replace

    descendente = replace(ind, sentido="descendente")
    verde = next((lo, hi) for lo, hi, s in charts.bands(descendente, Fraction(50)) if s == "verde")
    assert verde == pytest.approx((50 * 100 / 110, 50 * 100 / 90))


def test_chart_is_deterministic_svg(wb):
    html1 = report.indicador_html(wb, "A2.1")
    html2 = report.indicador_html(wb, "A2.1")
    uris = re.findall(r'src="(data:image/svg\+xml;base64,[^"]+)"', html1)
    assert len(uris) == 1 and uris == re.findall(r'src="(data:image/svg\+xml;base64,[^"]+)"', html2)
    svg = base64.b64decode(uris[0].split(",", 1)[1]).decode("utf-8")
    assert svg.startswith("<svg") and "<script" not in svg
    assert not re.search(r'(href|src)="https?:', svg)  # namespaces and metadata only, nothing to load


# --- the one template environment ---------------------------------------------------------------


def test_filters_write_csv_text_as_formatting_writes_numbers():
    from fractions import Fraction

    from mirbook import templating
    from mirbook.formatting import int_es, pct_es

    assert templating.pct("1066.67") == pct_es(Fraction(106667, 100)) == "1,066.67 %"
    assert templating.pct(Fraction(200, 3)) == "66.67 %"
    assert templating.pct("") == templating.pct(None) == "—"
    assert templating.pct("n/d") == "n/d"
    assert templating.entero("1234") == int_es(1234) == templating.entero(1234) == "1,234"
    assert templating.entero("") == templating.entero(None) == "—"
    assert templating.entero("12.5") == "12.5"
    assert templating.numero(Fraction(25, 2)) == "12.50" and templating.numero(10) == "10"
    assert templating.lista(["A1.1"]) == "A1.1"
    assert templating.lista(["A1.1", "A1.2", "A1.3"]) == "A1.1, A1.2 y A1.3"


def test_every_page_template_compiles_in_the_one_environment():
    from mirbook import templating

    env = templating.environment()
    assert env is templating.environment() and env.autoescape
    names = env.list_templates()
    for expected in ("macros.html.j2", "report/portada.html.j2", "report/frases.html.j2",
                     "site/index.html.j2", "site/period.html.j2", "validation/validacion.html.j2"):
        assert expected in names
    assert not any(name.startswith("mirbook/") for name in names)  # nbconvert's template, nbconvert's filters
    for name in names:
        env.get_template(name)


def test_one_demo_macro_gives_each_wording():
    from mirbook import templating

    macros = templating.environment().get_template("macros.html.j2").module
    reporte, reportes, pie = (str(macros.datos_demo(forma)) for forma in ("reporte", "reportes", "pie"))
    assert "de este reporte no son reales" in reporte and 'class="aviso-demo"' in reporte
    assert "de estos reportes no son reales" in reportes
    assert pie.startswith('<p class="demo">') and "aviso-demo" not in pie
