"""Executed notebook → static HTML page (no code, no JavaScript) → A4 PDF.

* :func:`notebook_to_html` uses nbconvert's HTML exporter with the ``mirbook``
  template (``templates/mirbook/``): only Markdown cells and cell outputs, no
  prompts, no ``<script>``, the stylesheet inline, images as ``data:`` URIs,
  ``lang="es"``. The exporter is built once per process; its environment gets
  the filters of :mod:`mirbook.templating` and imports the shared macros
  (``templates/macros.html.j2``), so the demo notice reads as on every other page.
* :func:`html_to_pdf` prints that same HTML with WeasyPrint on A4, with the header
  text on top of every page and "Página N de M" at the bottom, as PDF/A-3b with
  document metadata and embedded associated files (see the archival PDF section).
  WeasyPrint is given a URL fetcher that only serves ``data:`` URIs, so a PDF never
  reaches the network.

nbconvert and WeasyPrint are imported inside the functions: importing
``mirbook.render`` stays cheap.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from . import formula, style, templating

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
        filters=dict(templating.FILTERS, latex_html=formula.latex_to_html),
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        embed_images=True,
    )
    exporter.language_code = "es"
    return exporter


def notebook_to_html(nb: "nbformat.NotebookNode", title: str, footer: dict[str, str],
                     folder: Path | None = None) -> str:
    """An executed notebook as one complete static HTML page.

    ``footer``: ``fuente`` (the data source), ``generado`` (generation time text) and
    ``demo`` (``"1"`` for the synthetic demo data, else ``""``). Every value is escaped.
    ``folder``: the notebook's own folder, where JupyterLab finds the files that Markdown
    images name (``![mapa](mapa.png)``); nbconvert embeds them from there as ``data:`` URIs.
    """
    unknown = set(footer) - set(FOOTER_KEYS)
    if unknown:
        raise ValueError(f"unknown footer keys: {sorted(unknown)}")
    resources = {
        "metadata": {"path": str(folder) if folder is not None else ""},
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


# --- archival PDFs (PDF/A-3b) ------------------------------------------------------------------
#
# Every report PDF is PDF/A-3b: an archival PDF whose fonts are embedded, with an sRGB output
# intent, XMP metadata and, as PDF/A-3 "associated files", the data that lets the PDF alone be
# traced: the period's indicadores.csv, its provenance and validacion.html. A PDF cannot carry
# its own hash, so the embedded provenance is the part of manifest.json that says how the
# figures were made (PROVENANCE_KEYS: inputs, code, versions, parameters and start time, each
# equal to the same key of the manifest) and not ``salidas`` (the hashes of the outputs, this
# PDF among them), ``fin`` or what later revisions add (signatures, earlier revisions); of the
# parameters, not the reports folder (where the archive happened to be written, not what the
# figures came from: the same run into two folders gives the same PDFs). Nor the fingerprint
# (``huella``): a PDF is printed before its notebook's run is over, and the data files a
# notebook reads through mirbook.datos join the manifest's inputs (and its fingerprint) only
# after every notebook ran; so the embedded inputs are those known when the PDF was printed,
# each with the same sha256 as in the manifest, which may list more (see attachment_problems).

PDF_VARIANT = "pdf/a-3b"
PDF_LANGUAGE = "es-MX"
# Page 1 keeps this band free at the bottom for the visible e.firma blocks (see mirbook.firma).
SIGNATURE_BAND_MM = 30
PROVENANCE_NAME = "procedencia.json"
PROVENANCE_KEYS = ("mirbook", "anio", "periodo", "parametros", "entradas", "codigo",
                   "paquetes", "python", "git", "inicio", "cuadernos", "demo")
ATTACHED_FILES = (  # (file of the period folder, description, PDF/A-3 AFRelationship)
    ("indicadores.csv", "Tabla de indicadores del periodo (la misma de la carpeta del periodo)", "Data"),
    ("validacion.html", "Reporte de validación de los datos de entrada", "Supplement"),
)


@dataclass(frozen=True)
class PdfMetadata:
    """What an archival PDF says about itself (Info dictionary and XMP)."""

    title: str
    institution: str
    period: str  # e.g. "tercer trimestre de 2026"
    revision: int | None = None
    created: datetime | None = None  # the run's time; None: $SOURCE_DATE_EPOCH, else now
    language: str = PDF_LANGUAGE

    def description(self) -> str:
        """The subject line: institution, period and revision."""
        text = f"{self.institution} — {self.period}"
        return text + (f" — revisión {self.revision}" if self.revision else "")

    def keywords(self) -> list[str]:
        """MIR, the period and the revision, for catalogues."""
        return ["MIR", self.period] + ([f"revisión {self.revision}"] if self.revision else [])


@dataclass(frozen=True)
class PdfAttachment:
    """A file embedded in the PDF as a PDF/A-3 associated file (``/AF``, ``/AFRelationship``)."""

    name: str
    data: bytes = field(repr=False)
    description: str
    relationship: str = "Supplement"  # Source | Data | Alternative | Supplement | Unspecified


def run_moment() -> datetime:
    """``$SOURCE_DATE_EPOCH`` when set (reproducible PDFs), else now; timezone-aware."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(timezone.utc).astimezone()


def provenance(manifest: Mapping) -> dict:
    """The part of a manifest that a PDF embeds (see the comment above ``PROVENANCE_KEYS``)."""
    out = {key: manifest[key] for key in PROVENANCE_KEYS if key in manifest}
    if isinstance(out.get("parametros"), Mapping):
        out["parametros"] = {k: v for k, v in out["parametros"].items() if k != "reports_dir"}
    return out


def provenance_bytes(manifest: Mapping) -> bytes:
    """The embedded provenance file: stable JSON, like the manifest's encoding."""
    return (json.dumps(provenance(manifest), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def period_attachments(folder: Path, manifest: Mapping) -> list[PdfAttachment]:
    """The attachments of every report PDF of a (staged) period folder.

    ``folder`` must already hold ``indicadores.csv`` and ``validacion.html``; ``manifest``
    may be the manifest being built (only ``PROVENANCE_KEYS`` are used).
    """
    out = []
    for name, description, relationship in ATTACHED_FILES:
        path = Path(folder) / name
        if not path.is_file():
            raise FileNotFoundError(f"{path}: falta; los PDF del periodo lo llevan adjunto")
        out.append(PdfAttachment(name, path.read_bytes(), description, relationship))
    out.insert(1, PdfAttachment(PROVENANCE_NAME, provenance_bytes(manifest),
                                "Procedencia: entradas, código, versiones y horas del manifiesto (sin salidas)",
                                "Source"))
    return out


def attachment_problems(pdf_path: Path, folder: Path, manifest: Mapping) -> list[str]:
    """Spanish findings when the files embedded in a report PDF differ from the archived ones.

    ``indicadores.csv`` and ``validacion.html`` must equal the files of the revision folder
    byte for byte; ``procedencia.json`` must equal :func:`provenance` of its manifest. A PDF made
    before archival PDFs existed has no attachments and no findings.
    """
    import pikepdf

    try:
        with pikepdf.open(pdf_path) as pdf:
            embedded = {name: spec.get_file().read_bytes() for name, spec in pdf.attachments.items()}
    except pikepdf.PdfError as exc:
        return [f"{Path(pdf_path).name}: el PDF no se puede leer ({exc})"]
    if not embedded:
        return []
    expected = {name: (Path(folder) / name) for name, _desc, _rel in ATTACHED_FILES}
    lines = []
    for name, path in expected.items():
        if name not in embedded:
            lines.append(f"{Path(pdf_path).name}: no lleva adjunto {name}")
        elif not path.is_file() or embedded[name] != path.read_bytes():
            lines.append(f"{Path(pdf_path).name}: el {name} adjunto no es igual al archivado")
    if PROVENANCE_NAME not in embedded:
        lines.append(f"{Path(pdf_path).name}: no lleva adjunto {PROVENANCE_NAME}")
    else:
        try:
            same = _same_provenance(json.loads(embedded[PROVENANCE_NAME]), provenance(manifest))
        except ValueError:
            same = False
        if not same:
            lines.append(f"{Path(pdf_path).name}: el {PROVENANCE_NAME} adjunto no coincide con manifest.json")
    return lines


def _same_provenance(embedded: object, archived: dict) -> bool:
    """The embedded provenance agrees with the manifest: every key equal, except that the
    manifest's inputs may add files (those the notebooks read, known after the PDF was printed)."""
    if not isinstance(embedded, dict) or set(embedded) != set(archived):
        return False
    inputs, known = embedded.get("entradas"), archived.get("entradas")
    if not (isinstance(inputs, dict) and isinstance(known, dict)):
        return embedded == archived
    return (all(known.get(label) == digest for label, digest in inputs.items())
            and {k: v for k, v in embedded.items() if k != "entradas"}
            == {k: v for k, v in archived.items() if k != "entradas"})


def _w3c(moment: datetime) -> str:
    """A W3C date-time with offset, as WeasyPrint writes it to the Info dictionary and XMP."""
    moment = moment if moment.tzinfo else moment.astimezone()
    text = moment.isoformat(timespec="seconds")
    return text.replace("+00:00", "Z")


def _weasy_attachment(item: PdfAttachment, moment: datetime):
    import io

    from weasyprint import Attachment

    naive_utc = moment.astimezone(timezone.utc).replace(tzinfo=None)  # WeasyPrint writes it with "Z"
    return Attachment(file_obj=io.BytesIO(item.data), name=item.name, description=item.description,
                      created=naive_utc, modified=naive_utc, relationship=item.relationship,
                      url_fetcher=_offline_fetcher())


def _first_page_css() -> str:
    """Keep the signature band free on page 1; its footer lines move to the top of the band.

    WeasyPrint applies these stylesheets with the *user* origin, below the report's own CSS:
    ``!important`` lets them win over the report's ``@page`` margins.
    """
    return ("@page :first { margin-bottom: " + str(SIGNATURE_BAND_MM + 18) + "mm !important; "
            "@bottom-left { vertical-align: top !important; padding-top: 5mm !important; } "
            "@bottom-center { vertical-align: top !important; padding-top: 5mm !important; } "
            "@bottom-right { vertical-align: top !important; padding-top: 5mm !important; } }")


def html_to_pdf(html: str, out_path: Path, header: str, metadata: PdfMetadata | None = None,
                attachments: Sequence[PdfAttachment] = ()) -> None:
    """Print ``html`` to an A4 PDF/A-3b at ``out_path``: ``header`` on top, "Página N de M" at the bottom.

    ``metadata`` sets the title, subject, author (the institution), keywords, language and
    dates (without it the HTML ``<title>`` is used and the PDF carries no dates, so it is
    reproducible as is); ``attachments`` are embedded as PDF/A-3 associated files.
    """
    from weasyprint import CSS, HTML

    from . import svgpaths

    svgpaths.install()  # the charts' glyph outlines parsed once, not at every use (same PDF)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    document = HTML(string=html, url_fetcher=_offline_fetcher(), base_url=None).render(
        stylesheets=[CSS(string=pdf_header_css(header)), CSS(string=_first_page_css())])
    meta = document.metadata
    meta.lang = metadata.language if metadata else PDF_LANGUAGE
    moment = None
    if metadata is not None:
        moment = metadata.created or run_moment()
        meta.title = metadata.title
        meta.authors = [metadata.institution]
        meta.description = metadata.description()
        meta.keywords = metadata.keywords()
        meta.generator = "mirbook"
        meta.created = meta.modified = _w3c(moment)
    files = [_weasy_attachment(item, moment or run_moment()) for item in attachments]
    document.write_pdf(out_path, pdf_variant=PDF_VARIANT, attachments=files or None, finisher=_unique_associated_files)


def _unique_associated_files(_document, pdf) -> None:
    """WeasyPrint 70 lists each associated file twice in the catalog's ``/AF``: keep each once."""
    import pydyf

    if "AF" in pdf.catalog:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))


def small_pdf(html: str) -> bytes:
    """One self-contained HTML fragment page as PDF bytes (fonts embedded), e.g. a signature block."""
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_offline_fetcher(), base_url=None).write_pdf()
