"""Executed notebook → static HTML page (no code, no JavaScript) → A4 PDF.

* :func:`notebook_to_html` uses nbconvert's HTML exporter with the ``mirbook``
  template (``templates/mirbook/``): only Markdown cells and cell outputs, no
  prompts, no ``<script>``, the stylesheet inline, images as ``data:`` URIs,
  ``lang="es"``. The exporter is built once per process; its environment gets
  the filters of :mod:`mirbook.templating` and imports the shared macros
  (``templates/macros.html.j2``), so the demo notice reads as on every other page.
* :func:`html_to_pdf` prints that same HTML with WeasyPrint on A4, with the header
  text on top of every page and "Página N de M" at the bottom. WeasyPrint is given
  a URL fetcher that only serves ``data:`` URIs, so a PDF never reaches the network.

nbconvert and WeasyPrint are imported inside the functions: importing
``mirbook.render`` stays cheap.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from . import style, templating

if TYPE_CHECKING:  # pragma: no cover
    import nbformat

TEMPLATE_NAME = "mirbook"
FOOTER_KEYS = ("fuente", "generado", "demo")

_SCRIPT_RE = re.compile(r"<script\b[^>]*>.*?</script\s*>|<script\b[^>]*/?>", re.IGNORECASE | re.DOTALL)


@lru_cache(maxsize=1)
def _exporter():
    """The HTML exporter with the mirbook template, built once per process."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(style.TEMPLATES_DIR)],
        # the shared macros (templates/macros.html.j2) and filters of mirbook.templating
        extra_template_paths=[str(style.TEMPLATES_DIR)],
        filters=dict(templating.FILTERS),
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        embed_images=True,
    )
    exporter.language_code = "es"
    return exporter


def notebook_to_html(nb: "nbformat.NotebookNode", title: str, footer: dict[str, str]) -> str:
    """An executed notebook as one complete static HTML page.

    ``footer``: ``fuente`` (the data source), ``generado`` (generation time text) and
    ``demo`` (``"1"`` for the synthetic demo data, else ``""``). Every value is escaped.
    """
    unknown = set(footer) - set(FOOTER_KEYS)
    if unknown:
        raise ValueError(f"unknown footer keys: {sorted(unknown)}")
    resources = {
        "mirbook": {
            "title": str(title),
            "css": style.base_css(),
            "narrow_css": style.narrow_css(),
            "narrow_media": style.NARROW_MEDIA,
            "footer": {
                "fuente": str(footer.get("fuente", "") or ""),
                "generado": str(footer.get("generado", "") or ""),
                "demo": bool(str(footer.get("demo", "") or "").strip() not in ("", "0", "false")),
            },
        }
    }
    html, _ = _exporter().from_notebook_node(nb, resources=resources)
    # Defence in depth: the template emits no script, and no output may smuggle one in.
    return _SCRIPT_RE.sub("", html)


def _css_string(text: str) -> str:
    """``text`` as the inside of a double-quoted CSS string (every non-alphanumeric escaped)."""
    return "".join(c if (c.isalnum() or c == " ") else f"\\{ord(c):06x} " for c in " ".join(str(text).split()))


def _offline_fetcher():
    """A WeasyPrint URL fetcher that serves ``data:`` URIs only; anything else is refused."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=("data",), allow_redirects=False, timeout=1)


def pdf_header_css(header: str) -> str:
    """The page rule that puts ``header`` on top of every PDF page."""
    return (
        "@page { @top-left { content: \"" + _css_string(header) + "\"; "
        "font-family: 'DejaVu Sans', sans-serif; font-size: 8pt; color: " + style.TEXTO_SUAVE + "; "
        "vertical-align: bottom; padding-bottom: 2mm; border-bottom: 0.6pt solid " + style.DORADO + "; "
        "width: 100%; } }"
    )


def html_to_pdf(html: str, out_path: Path, header: str) -> None:
    """Print ``html`` to an A4 PDF at ``out_path``: ``header`` on top, "Página N de M" at the bottom."""
    from weasyprint import CSS, HTML

    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    document = HTML(string=html, url_fetcher=_offline_fetcher(), base_url=None)
    document.write_pdf(out_path, stylesheets=[CSS(string=pdf_header_css(header))])
