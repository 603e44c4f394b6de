"""The archived PDFs, checked with poppler: A4, header, "Página N de M", vector charts, a first page with content.

The first page of every PDF is rasterised with ``pdftoppm`` (saved to ``test-artifacts/pdf/``)
and must not be blank. Skipped only when poppler-utils is missing (``.ci/run`` installs it).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from mirbook.formatting import period_es
from site_archive import ARTIFACTS, build_archive

TOOLS = ("pdftoppm", "pdfinfo", "pdftotext", "pdfimages")
pytestmark = pytest.mark.skipif(
    any(shutil.which(t) is None for t in TOOLS),
    reason="poppler-utils no está instalado (pdftoppm, pdfinfo, pdftotext, pdfimages; en CI lo instala .ci/run)",
)
A4 = (595.28, 841.89)  # points


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_archive(tmp_path_factory)


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


def _manifest(pdf: Path) -> dict:
    return json.loads((pdf.parent / "manifest.json").read_text(encoding="utf-8"))


def _pages(pdf: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", str(pdf)), re.MULTILINE).group(1))


def test_the_archive_has_pdfs(site):
    pdfs = site.pdfs()
    assert len(pdfs) == len(site.revision_folders())  # one notebook per revision in the test archive
    for pdf in pdfs:
        assert pdf.read_bytes().startswith(b"%PDF")


def test_every_page_is_a4(site):
    for pdf in site.pdfs():
        pages = _pages(pdf)
        sizes = re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", _run("pdfinfo", "-f", "1", "-l", str(pages), str(pdf)),
                           re.MULTILINE)
        assert len(sizes) == pages, pdf
        for width, height in sizes:
            assert abs(float(width) - A4[0]) < 1 and abs(float(height) - A4[1]) < 1, (pdf, width, height)


def test_header_and_page_footer(site):
    for pdf in site.pdfs():
        manifest = _manifest(pdf)
        pages = _pages(pdf)
        first = _run("pdftotext", "-f", "1", "-l", "1", str(pdf), "-")
        header = first.strip().splitlines()[0]
        assert "Matriz de Indicadores para Resultados" in header, header
        assert period_es(manifest["anio"], int(manifest["periodo"][1])) in header, header
        assert f"Página 1 de {pages}" in first, pdf
        assert "Datos sintéticos de demostración" in first, pdf
        last = _run("pdftotext", "-f", str(pages), "-l", str(pages), str(pdf), "-")
        assert f"Página {pages} de {pages}" in last and "Matriz de Indicadores para Resultados" in last, pdf


def test_charts_stay_vector(site):
    """Charts are vector (SVG): no PDF carries a raster image, so none can print blurred."""
    for pdf in site.pdfs():
        images = _run("pdfimages", "-list", str(pdf)).splitlines()[2:]
        assert images == [], f"{pdf}: raster images found (charts should stay SVG): {images[:3]}"


def test_first_page_rasterises_with_content(site):
    from PIL import Image, ImageStat

    out_dir = ARTIFACTS / "pdf"
    out_dir.mkdir(parents=True, exist_ok=True)
    for pdf in site.pdfs():
        name = re.sub(r"[^\w.-]+", "_", pdf.relative_to(site.reports).with_suffix("").as_posix())
        stem = out_dir / f"{name}-p1"
        subprocess.run(["pdftoppm", "-r", "60", "-f", "1", "-l", "1", "-png", "-singlefile", str(pdf), str(stem)],
                       check=True, capture_output=True, timeout=60)
        png = stem.with_suffix(".png")
        assert png.is_file(), png
        with Image.open(png) as image:
            grey = image.convert("L")
            width, height = grey.size
            assert abs(height / width - A4[1] / A4[0]) < 0.02, (png, grey.size)
            assert ImageStat.Stat(grey).stddev[0] > 15, f"{png} looks blank"
            dark = sum(grey.histogram()[:200]) / (width * height)
            assert 0.02 < dark < 0.9, f"{png}: {dark:.1%} of the page is ink"
