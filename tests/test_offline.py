"""A report page loads nothing from outside itself: a researcher's output that would is refused.

``display(HTML('<img src="https://…">'))``, ``Image(url=…)``, ``IFrame``, a Markdown image of a
file next to the notebook: JupyterLab shows them, the archived page (read offline, years later)
would not. The run stops naming the notebook, the cell and the URL, and archives nothing.
"""

from __future__ import annotations

import base64

import nbformat
import pytest

from conftest import DEMO, pinned_root, run_cli
from ledger_archive import snapshot
from mirbook.execute import where_in_notebook
from mirbook.offline import remote_loads

#: A real 1×1 PNG.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


@pytest.mark.parametrize("html, loads", [
    ('<img src="https://example.org/logo.png">', ["https://example.org/logo.png"]),
    ('<img src="logo.png" alt="x">', ["logo.png"]),
    ('<picture><source srcset="a.webp 1x, https://e.org/b.webp 2x"><img src="data:image/png;base64,AA"></picture>',
     ["a.webp", "https://e.org/b.webp"]),
    ('<iframe src="https://example.org/mapa" width="600"></iframe>', ["https://example.org/mapa"]),
    ('<link rel="stylesheet" href="//cdn.example.org/x.css">', ["//cdn.example.org/x.css"]),
    ('<style>@import "https://e.org/f.css"; td { background-image: url(\'fondo.jpg\') }</style>',
     ["https://e.org/f.css", "fondo.jpg"]),
    ('<td style="background: url(https://e.org/t.png)">1</td>', ["https://e.org/t.png"]),
    ('<object data="grafica.svg"></object><embed src="x.pdf"><video poster="p.jpg"></video>',
     ["grafica.svg", "x.pdf", "p.jpg"]),
    ('<svg><image href="https://e.org/i.png"/><use xlink:href="#glifo"/></svg>', ["https://e.org/i.png"]),
    ('<img src="https://e.org/a.png?x=1&amp;y=2"><img src="https://e.org/a.png?x=1&y=2">', ["https://e.org/a.png?x=1&y=2"]),
])
def test_what_a_page_would_load_from_outside_is_found(html, loads):
    assert remote_loads(html) == loads


def test_links_fragments_and_embedded_data_are_not_loads():
    page = ('<a href="https://www.gob.mx/inm">INM</a><img src="data:image/svg+xml;base64,PHN2Zz4="> '
            '<svg><path clip-path="url(#c1)"/></svg><p style="color: red">texto url(no)</p>'
            '<style>.a { fill: url(#degradado) }</style>')
    assert remote_loads(page) == []


def test_the_cell_is_named_as_jupyterlab_counts_it():
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("year = 2026")
    params.metadata["tags"] = ["parameters"]
    injected = nbformat.v4.new_code_cell("year = 2025")
    injected.metadata["tags"] = ["injected-parameters"]
    shows = nbformat.v4.new_code_cell("display(HTML(...))", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": '<img src="https://e.org/logo.png">', "text/plain": "<HTML>"})])
    nb.cells = [nbformat.v4.new_markdown_cell("# T\n\n![mapa](mapa.png)"), params, injected, shows,
                nbformat.v4.new_code_cell("x = 1")]
    assert where_in_notebook(nb, "https://e.org/logo.png") == " en la celda 2 de 3"
    assert where_in_notebook(nb, "mapa.png") == " en una celda de texto (Markdown)"
    assert where_in_notebook(nb, "otra.png") == ""


def _project(tmp_path, *sources: str, text: str = ""):
    root = pinned_root(tmp_path / "proyecto")
    (root / "notebooks").mkdir(exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('year = 2026\nperiod = "T3"\ndata_dir = None')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Análisis con logotipo"), params]
    nb.cells += [nbformat.v4.new_code_cell(source) for source in sources]
    if text:
        nb.cells.append(nbformat.v4.new_markdown_cell(text))
    nbformat.write(nb, root / "notebooks" / "30_logo.ipynb")
    return root


def _generar(root, reports):
    return run_cli("generar", "--year", "2026", "--period", "T3", "--data-dir", str(DEMO),
                   "--reports-dir", str(reports), env={"MIRBOOK_ROOT": str(root)})


def test_a_report_that_would_load_an_image_from_the_network_is_refused_and_the_archive_kept(tmp_path):
    reports = tmp_path / "reports"
    root = _project(tmp_path, "from IPython.display import HTML, display", "print('sin logotipo')")
    first = _generar(root, reports)
    assert first.returncode == 0, first.stderr
    before = snapshot(reports)

    root = _project(tmp_path, "from IPython.display import HTML, Image, display",
                    "display(HTML('<p>Logotipo:</p><img src=\"https://www.gob.mx/logo.png\">'))")
    result = _generar(root, reports)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert ("El cuaderno 30_logo en la celda 3 de 3 muestra algo que se carga desde fuera del reporte: "
            "https://www.gob.mx/logo.png") in result.stderr
    assert "Image(filename=...)" in result.stderr and "No se archivó nada" in result.stderr
    assert snapshot(reports) == before


def test_an_image_shown_from_a_file_is_embedded_and_archived(tmp_path):
    reports = tmp_path / "reports"
    root = _project(tmp_path, "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2])\n"
                              "fig.savefig('logo.png')\nplt.close(fig)",
                    "from IPython.display import Image, display\ndisplay(Image(filename='logo.png'))")
    result = _generar(root, reports)
    assert result.returncode == 0, result.stderr
    page = (reports / "2026" / "T3" / "30_logo.html").read_text(encoding="utf-8")
    assert 'src="data:image/png;base64,' in page and remote_loads(page) == []


def test_a_markdown_image_of_a_file_beside_the_notebook_is_embedded_as_in_jupyterlab(tmp_path):
    reports = tmp_path / "reports"
    root = _project(tmp_path, "print('mapa')", text="## Mapa\n\n![mapa de oficinas](mapa.png)")
    (root / "notebooks" / "mapa.png").write_bytes(PNG)
    result = _generar(root, reports)
    assert result.returncode == 0, result.stderr
    page = (reports / "2026" / "T3" / "30_logo.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," + base64.b64encode(PNG).decode() in page and remote_loads(page) == []

    (root / "notebooks" / "mapa.png").unlink()  # JupyterLab would show a broken image: the run says which cell
    result = _generar(root, tmp_path / "otro")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "El cuaderno 30_logo en una celda de texto (Markdown) muestra algo que se carga desde fuera del " \
           "reporte: mapa.png" in result.stderr
