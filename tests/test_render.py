"""mirbook.render: notebook → static HTML (no code, no JavaScript, self-contained) → A4 PDF."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
import zlib
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from mirbook import render, report, style

# A 1×1 transparent PNG.
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
    )
).decode()


def pdf_facts(path: Path) -> dict:
    """Page count and whether every page is A4, read from the PDF itself (streams inflated)."""
    data = Path(path).read_bytes()
    assert data.startswith(b"%PDF-")
    chunks = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            pass
    blob = b"\n".join(chunks)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", blob)
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", blob))
    a4 = bool(boxes) and all(abs(float(w) - 595.28) < 0.5 and abs(float(h) - 841.89) < 0.5 for w, h in boxes)
    return {"pages": pages, "a4": a4}


def fake_executed_notebook() -> nbformat.NotebookNode:
    """What papermill hands over, built without a kernel: real report blocks plus hostile outputs."""
    wb = report.open(2026, "T3")
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = new_code_cell('year = 2026\nperiod = "T3"', metadata={"tags": ["parameters"]})
    nb.cells = [
        params,
        new_code_cell("SECRET_CODE = report.portada(wb)", execution_count=2, outputs=[
            new_output("display_data", data={"text/html": report.portada_html(wb), "text/plain": "<HTML>"}),
        ]),
        new_markdown_cell("## Árbol de la MIR\n\nTexto *narrativo*.", metadata={"tags": ["nueva-pagina"]}),
        new_code_cell("report.arbol_mir(wb)", execution_count=3, outputs=[
            new_output("display_data", data={"text/html": report.arbol_mir_html(wb)}),
            new_output("stream", name="stdout", text="salida <b>cruda</b> & más"),
            new_output("stream", name="stderr", text="UserWarning: ruido"),
        ]),
        new_code_cell("hostile()", execution_count=4, outputs=[
            new_output("display_data", data={"application/javascript": "alert(1)", "text/plain": "js"}),
            new_output("display_data", data={"text/html": "<p>antes</p><script>alert(2)</script><p>después</p>"}),
            new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
            new_output("execute_result", data={"text/plain": "'<texto plano>'"}, execution_count=4),
        ]),
        new_code_cell('report.indicador(wb, "A1.1")', execution_count=5, outputs=[
            new_output("display_data", data={"text/html": report.indicador_html(wb, "A1.1")}),
        ]),
    ]
    return nb


@pytest.fixture(scope="module")
def html() -> str:
    footer = {"fuente": "data/2026: registros.csv <b>&</b>", "generado": "hoy 10:00", "demo": "1"}
    return render.notebook_to_html(fake_executed_notebook(), 'Reporte <T3> & "más"', footer)


def test_import_is_light():
    code = "import sys, mirbook.render, mirbook.report; print(sorted(m for m in ('nbconvert', 'weasyprint', 'matplotlib', 'pandas', 'seaborn') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_exporter_built_once():
    assert render._exporter() is render._exporter()


def test_every_stylesheet_takes_its_colours_from_the_palette():
    palette = {value.upper() for value in style.css_variables().values()}
    sheets = {"report": style.page_css(), "site": style.site_css(), "validation": style.validation_css()}
    for name, css in sheets.items():
        assert "$" not in css, name
        colours = {c.upper() for c in re.findall(r"#[0-9A-Fa-f]{3,8}\b", css)}
        assert colours and colours <= palette, (name, colours - palette)


def test_nbconvert_environment_has_the_shared_filters():
    from mirbook import templating

    filters = render._exporter().environment.filters
    for name, function in templating.FILTERS.items():
        assert filters[name] is function, name


def test_static_self_contained_page(html):
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="es">' in html
    assert 'name="viewport"' in html
    assert "<style>" in html and "size: A4" in html
    assert '<style media="screen and (max-width: 40rem)">' in html
    assert "<script" not in html.lower() and "alert(1)" not in html and "alert(2)" not in html
    assert "<p>antes</p>" in html and "<p>después</p>" in html
    assert "<link" not in html.lower()
    assert not re.search(r'\s(src|href)="(https?:)?//', html)
    assert 'src="data:image/png;base64,' in html


def test_no_code_no_prompts_no_stderr(html):
    assert "SECRET_CODE" not in html and "hostile()" not in html and "period =" not in html
    assert "In&nbsp;[" not in html and "Out[" not in html
    assert "UserWarning" not in html


def test_text_outputs_and_metadata_are_escaped(html):
    assert '<title>Reporte &lt;T3&gt; &amp; "más"</title>' in html  # quotes need no escaping in text
    assert "salida &lt;b&gt;cruda&lt;/b&gt; &amp; más" in html
    assert "'&lt;texto plano&gt;'" in html
    assert "Fuente de los datos: data/2026: registros.csv &lt;b&gt;&amp;&lt;/b&gt;" in html
    assert "Generado: hoy 10:00" in html
    assert "Datos sintéticos de demostración: no son cifras reales" in html


def test_markdown_and_tags(html):
    assert "<h2" in html and "Árbol de la MIR" in html and "<em>narrativo</em>" in html
    assert 'class="celda celda-texto nueva-pagina"' in html
    assert "anchor-link" not in html.split("<body", 1)[1]


def test_demo_footer_only_for_demo():
    nb = new_notebook(cells=[new_markdown_cell("hola")])
    plain = render.notebook_to_html(nb, "t", {"fuente": "f", "generado": "g", "demo": ""})
    assert "Datos sintéticos" not in plain.split("<body", 1)[1]
    with pytest.raises(ValueError):
        render.notebook_to_html(nb, "t", {"fuente": "f", "otra": "x"})


def test_css_string_escaping():
    text = 'Programa "MIR" \\ } ; T3'
    css = render._css_string(text)
    assert '"' not in css and "}" not in css and ";" not in css
    assert css.count("\\") == 5  # the quote ×2, backslash, brace, semicolon


def test_pdf_is_a4_with_header_and_footer(html, tmp_path):
    out = tmp_path / "sub" / "reporte.pdf"
    render.html_to_pdf(html, out, 'MIR "UPM" — T3 2026 \\ {x}')
    facts = pdf_facts(out)
    assert facts["a4"], facts
    assert facts["pages"] >= 2
    import shutil

    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
        assert 'MIR "UPM" — T3 2026 \\ {x}' in text
        assert f"Página 1 de {facts['pages']}" in text
        assert f"Página {facts['pages']} de {facts['pages']}" in text


def test_pdf_never_fetches_from_the_network():
    fetcher = render._offline_fetcher()
    with pytest.raises(ValueError):
        fetcher.fetch("https://example.com/x.png")
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    assert fetcher.fetch("data:text/plain;base64,aG9sYQ==") is not None


# --- LaTeX outputs (display(Math(...)), Latex(...)): typeset, never dropped --------------------------


def _latex_notebook(*objects) -> nbformat.NotebookNode:
    """A notebook whose one cell displays ``objects``, with the MIME bundles IPython itself makes."""
    from IPython.core.formatters import DisplayFormatter

    formatter = DisplayFormatter()
    outputs = [new_output("display_data", data=formatter.format(o)[0]) for o in objects]
    nb = new_notebook()
    nb.cells = [new_code_cell("display(...)", execution_count=1, outputs=outputs)]
    return nb


def _formula_images(page: str) -> list[tuple[str, bytes]]:
    """(alt text, SVG bytes) of each typeset formula of the page."""
    from html.parser import HTMLParser

    found = []

    class Images(HTMLParser):
        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "img" and a.get("class") == "formula":
                found.append((a["alt"], base64.b64decode(a["src"].removeprefix("data:image/svg+xml;base64,"))))

    Images().feed(page)
    return found


def test_a_math_output_is_typeset_into_the_page_not_dropped():
    from IPython.display import Latex, Math

    nb = _latex_notebook(Math(r"\frac{R}{P} \times 100 < 3"), Latex(r"El avance es $$\frac{R}{P}$$"))
    assert nb.cells[0].outputs[0].data["text/latex"].startswith("$\\displaystyle")  # what IPython sends
    page = render.notebook_to_html(nb, "Fórmulas", {})
    images = _formula_images(page)
    assert len(images) == 2
    assert images[0][0] == r"$\displaystyle \frac{R}{P} \times 100 < 3$"  # the source, as alt text
    assert all(svg.lstrip().startswith(b"<?xml") and b"<path" in svg and b"<script" not in svg for _, svg in images)
    assert "<pre" not in page.split("<main", 1)[1]
    assert render.notebook_to_html(nb, "Fórmulas", {}) == page  # no date, fixed ids: the same bytes each run


def test_latex_that_mathtext_cannot_typeset_is_shown_as_its_source():
    from IPython.display import Latex

    source = r"\begin{align} a &= b <c> \\ d &= e \end{align}"
    page = render.notebook_to_html(_latex_notebook(Latex(source)), "Fórmulas", {})
    assert '<pre class="salida">\\begin{align} a &amp;= b &lt;c&gt; \\\\ d &amp;= e \\end{align}</pre>' in page
    assert not _formula_images(page)


def test_a_typeset_formula_is_printed_in_the_pdf(tmp_path):
    from IPython.display import Math

    with_formula = render.notebook_to_html(_latex_notebook(Math(r"\sum_{k=1}^{n} k")), "F", {})
    empty = render.notebook_to_html(_latex_notebook(), "F", {})
    pixels = []
    for name, page in (("con", with_formula), ("sin", empty)):
        render.html_to_pdf(page, tmp_path / f"{name}.pdf", "F")
        subprocess.run(["pdftoppm", "-gray", "-r", "40", "-f", "1", "-l", "1", str(tmp_path / f"{name}.pdf"),
                        str(tmp_path / name)], check=True)
        pixels.append(next(tmp_path.glob(f"{name}*.pgm")).read_bytes())
    assert pixels[0] != pixels[1]
