"""Archival PDFs: PDF/A-3b identification, output intent, embedded fonts, metadata and attachments.

The PDFs are opened with pikepdf (qpdf), independent of WeasyPrint, which wrote them.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pikepdf
import pytest

from mirbook import render
from site_archive import build_archive

NS = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
      "xmp": "http://ns.adobe.com/xap/1.0/", "dc": "http://purl.org/dc/elements/1.1/"}
HTML = ("<!DOCTYPE html><html lang='es'><head><title>Resumen</title></head><body>"
        "<h1>Evaluación del periodo</h1><p>Texto con acentos: año, programación, «comillas».</p></body></html>")
MANIFEST = {
    "mirbook": "0.1.0", "anio": 2026, "periodo": "T3", "revision": 2, "huella": "abc",
    "entradas": {"2026/registros.csv": "11" * 32}, "codigo": {"render.py": "22" * 32},
    "paquetes": {"weasyprint": "70.0"}, "python": "3.11.9", "inicio": "2026-10-05T10:00:00-06:00",
    "fin": "2026-10-05T10:01:00-06:00", "salidas": {"00_resumen.pdf": "33" * 32},
}


def _xmp(pdf: pikepdf.Pdf) -> ET.Element:
    raw = pdf.Root.Metadata.read_bytes()
    return ET.fromstring(raw[raw.index(b"<x:xmpmeta"):raw.rindex(b"</x:xmpmeta>") + len(b"</x:xmpmeta>")])


def _pdfa_id(pdf: pikepdf.Pdf) -> tuple[str | None, str | None]:
    part = conformance = None
    for desc in _xmp(pdf).iter(f"{{{NS['rdf']}}}Description"):
        part = desc.get(f"{{{NS['pdfaid']}}}part", part)
        conformance = desc.get(f"{{{NS['pdfaid']}}}conformance", conformance)
    return part, conformance


def _fonts(resources, seen: set) -> list[pikepdf.Dictionary]:
    """Every font reachable from a resources dictionary (form XObjects and appearances included)."""
    out = []
    if resources is None or resources.objgen in seen and resources.objgen != (0, 0):
        return out
    seen.add(resources.objgen)
    for font in (resources.get("/Font") or {}).values():
        out.append(font)
    for xobject in (resources.get("/XObject") or {}).values():
        if xobject.get("/Subtype") == "/Form":
            out.extend(_fonts(xobject.get("/Resources"), seen))
    return out


def all_fonts(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """The fonts of every page and of every annotation appearance."""
    seen: set = set()
    fonts = []
    for page in pdf.pages:
        fonts.extend(_fonts(page.obj.get("/Resources"), seen))
        for annot in page.obj.get("/Annots") or []:
            normal = (annot.get("/AP") or {}).get("/N")
            if normal is not None:
                fonts.extend(_fonts(normal.get("/Resources"), seen))
    return fonts


def font_is_embedded(font: pikepdf.Dictionary) -> bool:
    descriptors = [d.get("/FontDescriptor") for d in (font.get("/DescendantFonts") or [])] or [font.get("/FontDescriptor")]
    return all(d is not None and any(k in d for k in ("/FontFile", "/FontFile2", "/FontFile3")) for d in descriptors)


def assert_archival(path: Path) -> pikepdf.Pdf:
    """PDF/A-3b identification in XMP, an sRGB output intent and only embedded fonts."""
    pdf = pikepdf.open(path)
    assert _pdfa_id(pdf) == ("3", "B"), path
    intents = pdf.Root.OutputIntents
    assert len(intents) >= 1 and intents[0].S == "/GTS_PDFA1", path
    profile = intents[0].DestOutputProfile.read_bytes()
    assert profile[36:40] == b"acsp", f"{path}: the output intent is not an ICC profile"
    fonts = all_fonts(pdf)
    assert fonts, path
    assert all(font_is_embedded(f) for f in fonts), f"{path}: a font is not embedded"
    return pdf


@pytest.fixture
def staged(tmp_path: Path) -> Path:
    """A period folder as the pipeline stages it: indicadores.csv and validacion.html written."""
    folder = tmp_path / "T3"
    folder.mkdir()
    (folder / "indicadores.csv").write_bytes("clave,avance\r\nPROP,95.00\r\nFIN,—\r\n".encode("utf-8"))
    (folder / "validacion.html").write_text("<!DOCTYPE html><html lang='es'><body>Validación correcta</body></html>",
                                            encoding="utf-8")
    return folder


def _metadata(created: datetime | None) -> render.PdfMetadata:
    return render.PdfMetadata(title="Resumen — tercer trimestre de 2026", institution="Unidad de Política Migratoria",
                              period="tercer trimestre de 2026", revision=2, created=created)


def test_a_report_pdf_is_pdfa3b_with_metadata_and_its_three_attachments(staged, tmp_path):
    created = datetime(2026, 10, 5, 10, 0, tzinfo=timezone(timedelta(hours=-6)))
    attachments = render.period_attachments(staged, MANIFEST)
    out = tmp_path / "00_resumen.pdf"
    render.html_to_pdf(HTML, out, "Encabezado", _metadata(created), attachments)

    pdf = assert_archival(out)
    assert str(pdf.Root.Lang) == "es-MX"
    info = pdf.docinfo
    assert str(info.Title) == "Resumen — tercer trimestre de 2026"
    assert str(info.Author) == "Unidad de Política Migratoria"
    assert "tercer trimestre de 2026" in str(info.Subject) and "revisión 2" in str(info.Subject)
    assert str(info.CreationDate) == "D:20261005100000-06'00"
    created_xmp = [e.text for e in _xmp(pdf).iter(f"{{{NS['xmp']}}}CreateDate")]
    assert created_xmp == ["2026-10-05T10:00:00-06:00"]  # the same moment in XMP and Info

    embedded = {name: spec for name, spec in pdf.attachments.items()}
    assert set(embedded) == {"indicadores.csv", "procedencia.json", "validacion.html"}
    assert embedded["indicadores.csv"].get_file().read_bytes() == (staged / "indicadores.csv").read_bytes()
    assert embedded["validacion.html"].get_file().read_bytes() == (staged / "validacion.html").read_bytes()
    provenance = json.loads(embedded["procedencia.json"].get_file().read_bytes())
    assert "salidas" not in provenance and "fin" not in provenance
    assert provenance == {k: MANIFEST[k] for k in provenance} and provenance["entradas"] == MANIFEST["entradas"]
    relationships = {name: str(spec.obj.AFRelationship) for name, spec in embedded.items()}
    assert relationships == {"indicadores.csv": "/Data", "procedencia.json": "/Source", "validacion.html": "/Supplement"}
    associated = [tuple(spec.objgen) for spec in pdf.Root.AF]
    assert sorted(associated) == sorted(tuple(spec.obj.objgen) for spec in embedded.values())  # PDF/A-3: each in /AF


def test_attachment_problems_compare_the_embedded_files_with_the_archive(staged, tmp_path):
    out = staged / "00_resumen.pdf"
    render.html_to_pdf(HTML, out, "Encabezado", _metadata(None), render.period_attachments(staged, MANIFEST))
    assert render.attachment_problems(out, staged, MANIFEST) == []
    csv = staged / "indicadores.csv"
    csv.write_bytes(csv.read_bytes().replace(b"95.00", b"96.00"))
    assert render.attachment_problems(out, staged, MANIFEST) == [
        "00_resumen.pdf: el indicadores.csv adjunto no es igual al archivado"]
    changed = dict(MANIFEST, entradas={"2026/registros.csv": "44" * 32})
    assert "00_resumen.pdf: el procedencia.json adjunto no coincide con manifest.json" in \
        render.attachment_problems(out, staged, changed)
    plain = tmp_path / "plain.pdf"
    render.html_to_pdf(HTML, plain, "Encabezado")
    assert render.attachment_problems(plain, staged, MANIFEST) == []  # no attachments: nothing to compare


def test_pdfs_are_reproducible_under_source_date_epoch(staged, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    attachments = render.period_attachments(staged, MANIFEST)
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    render.html_to_pdf(HTML, first, "Encabezado", _metadata(None), attachments)
    render.html_to_pdf(HTML, second, "Encabezado", _metadata(None), attachments)
    assert first.read_bytes() == second.read_bytes()
    expected = datetime.fromtimestamp(1790000000, tz=timezone.utc).strftime("D:%Y%m%d%H%M%SZ")
    assert str(pikepdf.open(first).docinfo.CreationDate) == expected


def test_the_plain_call_still_works_and_is_archival(tmp_path):
    out = tmp_path / "plain.pdf"
    render.html_to_pdf(HTML, out, "Encabezado")
    pdf = assert_archival(out)
    assert str(pdf.Root.Lang) == "es-MX" and str(pdf.docinfo.Title) == "Resumen"
    assert len(pdf.attachments) == 0


def test_period_attachments_needs_the_tables_written_first(tmp_path):
    with pytest.raises(FileNotFoundError, match="indicadores.csv"):
        render.period_attachments(tmp_path, MANIFEST)


def test_page_one_keeps_the_signature_band_free(tmp_path):
    """The bottom band of page 1 is empty (the e.firma blocks go there), even on a full report page
    whose own stylesheet sets the page margins; the footer stays on the page, above the band."""
    import subprocess

    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "\n\n".join(f"Párrafo {n} de relleno." for n in range(200)))])
    html = render.notebook_to_html(notebook, "Prueba", {"fuente": "datos", "generado": "hoy", "demo": ""})
    out = tmp_path / "full.pdf"
    render.html_to_pdf(html, out, "Encabezado")
    band_pt = render.SIGNATURE_BAND_MM * 72 / 25.4

    def text(*area: str) -> str:
        return subprocess.run(["pdftotext", "-f", "1", "-l", "1", *area, str(out), "-"],
                              capture_output=True, text=True, check=True).stdout

    assert text("-x", "0", "-y", str(int(842 - band_pt)), "-W", "595", "-H", str(int(band_pt))).strip() == ""
    whole = text()
    assert "Párrafo 0" in whole and "Página 1 de" in whole


def test_the_archived_report_pdfs_are_pdfa3b(tmp_path_factory):
    site = build_archive(tmp_path_factory)
    pdfs = site.pdfs()
    assert pdfs
    for path in pdfs:
        assert_archival(path)
