"""The memo of SVG path drawing (mirbook.svgpaths) prints the same PDF, byte for byte.

The pages printed here are not made for the memo: the demo's real report sections (the
avance chart of every indicator, with its bands, bars, dashed series and annotations, the
tables around them) and hand-written SVG that exercises what the house charts do not:
markers (the vertices a path records), arcs, relative and implicit commands, units,
percentages of the viewport, and a path whose data is malformed half way.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from conftest import DEMO
from mirbook import report, svgpaths
from mirbook.render import html_to_pdf

EPOCH = "1790000000"

HAND_WRITTEN = """<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="12cm" height="6cm" viewBox="0 0 240 120">
  <defs>
    <marker id="punta" markerWidth="6" markerHeight="6" refX="3" refY="3" orient="auto">
      <path d="M0,0 L6,3 L0,6 z" fill="#9D2449"/>
    </marker>
    <path id="curva" d="M10 80 C 40 10, 65 10, 95 80 S 150 150, 180 80" stroke="#13322B" fill="none"
          marker-start="url(#punta)" marker-mid="url(#punta)" marker-end="url(#punta)"/>
    <path id="arco" d="m 20,20 a 15 10 30 1 1 30,0 h 10 v 10 q 5 5 10 0 t 10 0 Z" fill="#B38E5D"/>
    <path id="roto" d="M 5 5 L 30 30 L 12" stroke="#000"/>
  </defs>
  <use xlink:href="#curva"/>
  <use xlink:href="#curva" x="10" y="5"/>
  <use xlink:href="#curva" transform="scale(0.5)"/>
  <use xlink:href="#arco"/>
  <use xlink:href="#arco" x="100"/>
  <use xlink:href="#roto"/>
  <use xlink:href="#roto" x="50"/>
  <path d="M 0 0 L 50% 50%" stroke="#333"/>
  <path d="M 1em 1em l 2em 0" stroke="#333" font-size="7"/>
  <path d="M 1em 1em l 2em 0" stroke="#333" font-size="9"/>
</svg>"""

#: The same percentage path in a viewport of another size: it must be drawn to that size.
OTHER_VIEWPORT = """<svg xmlns="http://www.w3.org/2000/svg" width="6cm" height="6cm" viewBox="0 0 90 90">
  <path d="M 0 0 L 50% 50%" stroke="#333"/>
  <path d="M 1em 1em l 2em 0" stroke="#333" font-size="7"/>
</svg>"""


def _page(sections: list[str]) -> str:
    return "<!DOCTYPE html><html lang='es'><head><meta charset='utf-8'><title>Prueba</title></head><body>" + \
        "".join(sections) + "</body></html>"


def _uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _hand_written_section() -> str:
    uri = _uri(HAND_WRITTEN)
    return (f"<h2>Trazos</h2><p><img src='{uri}' alt='trazos'></p><p><img src='{uri}' alt='otra vez' "
            f"style='width:6cm'></p><p><img src='{_uri(OTHER_VIEWPORT)}' alt='otro tamaño'></p>")


@pytest.fixture(scope="module")
def demo_sections() -> list[str]:
    wb = report.open(2026, "T3", DEMO)
    return [report.indicador_html(wb, clave) for clave in ("C1", "A1.1", "A2.1")]


def _print(html: str, path: Path, memo: bool) -> bytes:
    with pytest.MonkeyPatch.context() as patch:
        if not memo:  # html_to_pdf installs the memo: keep WeasyPrint's own drawer this time
            patch.setattr(svgpaths, "install", lambda: False)
        html_to_pdf(html, path, "Encabezado")
    return path.read_bytes()


def _print_both(html: str, tmp_path: Path, monkeypatch) -> tuple[bytes, bytes]:
    """The page printed by WeasyPrint alone, then with the memo (twice: learning, then replaying)."""
    from weasyprint import svg as weasy_svg

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)  # fontTools dates the font subsets with it
    svgpaths.uninstall()
    original = weasy_svg.TAGS["path"]
    try:
        plain = _print(html, tmp_path / "plain.pdf", memo=False)
        assert weasy_svg.TAGS["path"] is original
        learning = _print(html, tmp_path / "memo.pdf", memo=True)
        assert weasy_svg.TAGS["path"] is not original and svgpaths._memo, "the memo was not used"
        replaying = _print(html, tmp_path / "memo-again.pdf", memo=True)
        assert replaying == learning
    finally:
        svgpaths.uninstall()
    assert weasy_svg.TAGS["path"] is original
    return plain, learning


def test_the_demo_report_sections_print_the_same_pdf(demo_sections, tmp_path, monkeypatch):
    plain, remembered = _print_both(_page(demo_sections), tmp_path, monkeypatch)
    assert plain.startswith(b"%PDF") and len(plain) > 20_000
    assert remembered == plain


def test_markers_arcs_units_and_a_broken_path_print_the_same_pdf(tmp_path, monkeypatch):
    plain, remembered = _print_both(_page([_hand_written_section()]), tmp_path, monkeypatch)
    assert remembered == plain


def test_another_weasyprint_version_draws_as_it_always_does(monkeypatch):
    import weasyprint
    from weasyprint import svg as weasy_svg

    svgpaths.uninstall()
    original = weasy_svg.TAGS["path"]
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    assert svgpaths.install() is False
    assert weasy_svg.TAGS["path"] is original


def test_the_memo_is_checked_against_the_pinned_weasyprint():
    constraints = (Path(__file__).resolve().parents[1] / "requirements" / "constraints.txt").read_text()
    assert f"weasyprint=={svgpaths.CHECKED_VERSION}\n" in constraints
