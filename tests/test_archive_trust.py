"""An archive an auditor can trust (issue 14): the archived report PDFs carry their data, every
signature is checked by ``mirbook verificar`` (each kind of tampering caught, by name), the pages
show who signed what, and ``mirbook exportar`` makes a package that checks with standard tools.

The archive is the shared real one of tests/site_archive.py (demo data, summary notebook); the
certificates come from a throwaway CA (tests/efirma_certs.py).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest

from conftest import run_cli
from efirma_certs import PASSWORD, RFC, TestCA
from mirbook import render
from mirbook.manifest import read as read_manifest
from site_archive import PERIODS, REVISED, build_archive
from test_pdfa import assert_archival


@pytest.fixture(scope="module")
def ca(tmp_path_factory) -> TestCA:
    return TestCA(tmp_path_factory.mktemp("ac-archivo"))


@pytest.fixture(scope="module")
def juana(ca):
    return ca.issue("juana")


@pytest.fixture(scope="module")
def maria(ca):
    return ca.issue("maria", name="MARÍA GÓMEZ RUIZ", rfc="GORM750505XY2", curp="GORM750505MDFMZR03")


@pytest.fixture
def reports(tmp_path_factory, tmp_path) -> Path:
    copy = tmp_path / "reports"
    shutil.copytree(build_archive(tmp_path_factory).reports, copy)
    return copy


def _verify(reports: Path, *extra: str) -> subprocess.CompletedProcess:
    return run_cli("verificar", "--reports-dir", str(reports), *extra)


def _firmar(reports: Path, issued, *extra: str) -> None:
    done = run_cli("firmar", "--year", str(REVISED.year), "--period", REVISED.label, "--cer", str(issued.cer),
                   "--key", str(issued.key), "--password-env", "MIRBOOK_CLAVE", "--reports-dir", str(reports),
                   *extra, env={"MIRBOOK_CLAVE": PASSWORD})
    assert done.returncode == 0, done.stderr


def _relist(folder: Path, rel: str) -> None:
    """What a careful forger does: the manifest's sha256 of ``rel`` updated to the tampered file,
    so that only the check under test can see the change."""
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["salidas"][rel] = hashlib.sha256((folder / rel).read_bytes()).hexdigest()
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")


# --- archival PDFs from a real run ---------------------------------------------------------------


def test_every_archived_pdf_carries_its_metadata_and_the_archived_files(tmp_path_factory):
    site = build_archive(tmp_path_factory)
    folders = site.revision_folders()
    assert len(folders) == 3  # 2025 T4, 2026 T1 and its first revision
    for folder in folders:
        manifest = read_manifest(folder)
        assert manifest is not None
        pdfs = sorted(folder.glob("*.pdf"))
        assert pdfs, folder
        for path in pdfs:
            pdf = assert_archival(path)  # PDF/A-3b id, sRGB output intent, embedded fonts
            embedded = {name: spec.get_file().read_bytes() for name, spec in pdf.attachments.items()}
            assert embedded["indicadores.csv"] == (folder / "indicadores.csv").read_bytes(), path
            assert embedded["validacion.html"] == (folder / "validacion.html").read_bytes(), path
            assert json.loads(embedded["procedencia.json"]) == render.provenance(manifest.to_dict()), path
            info = pdf.docinfo
            assert f"revisión {manifest.revision}" in str(info.Subject)
            assert str(info.Author) == manifest.institucion
            created = pikepdf.models.metadata.decode_pdf_date(str(info.CreationDate))
            assert created.isoformat(timespec="seconds") == manifest.inicio  # the run's start


# --- verificar: signatures and embedded files ----------------------------------------------------


def test_an_untouched_and_a_freshly_signed_archive_pass(reports, juana, ca):
    done = _verify(reports)
    assert done.returncode == 0, done.stderr
    assert "Archivo íntegro" in done.stdout
    _firmar(reports, juana)
    for extra in ((), ("--ca", str(ca.ca_file))):
        done = _verify(reports, *extra)
        assert done.returncode == 0, done.stderr


def test_a_pdf_resaved_without_its_signature_is_caught(reports, juana):
    _firmar(reports, juana)
    folder = reports / str(REVISED.year) / REVISED.label
    rel = "00_resumen.pdf"
    with pikepdf.open(folder / rel) as pdf:  # re-saved by another program: the signature is gone
        pdf.Root.AcroForm.Fields = pikepdf.Array()
        for annot in list(pdf.pages[0].obj.Annots):
            if annot.get("/FT") == "/Sig":
                pdf.pages[0].obj.Annots.remove(annot)
        pdf.save(folder / "otro.pdf")
    (folder / "otro.pdf").replace(folder / rel)
    done = _verify(reports)  # the manifest is left as it was: the hash and the signature both speak
    assert done.returncode == 1
    assert f"{REVISED.year}/{REVISED.label}, revisión" in done.stderr
    assert f"{rel}: falta la firma «Elaboró» de JUANA PÉREZ LÓPEZ que registra el manifiesto" in done.stderr


def test_a_signature_over_a_modified_pdf_is_caught(reports, juana):
    _firmar(reports, juana)
    folder = reports / str(REVISED.year) / REVISED.label
    rel = "00_resumen.pdf"
    data = (folder / rel).read_bytes()
    at = data.index(b"stream\n") + 50  # inside the first page stream, covered by the signature
    (folder / rel).write_bytes(data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:])
    done = _verify(reports)
    assert done.returncode == 1
    assert f"{REVISED.year}/{REVISED.label}, revisión" in done.stderr
    assert (f"{rel}: firma «FirmaMirbook1» de JUANA PÉREZ LÓPEZ: "
            "la firma no es criptográficamente válida") in done.stderr


def test_an_embedded_csv_that_differs_from_the_archive_is_caught(reports):
    folder = reports / "2025" / "T4"
    rel = "00_resumen.pdf"
    with pikepdf.open(folder / rel) as pdf:
        spec = pdf.attachments["indicadores.csv"]
        changed = spec.get_file().read_bytes().replace(b"\n", b"\n ", 1)
        pdf.attachments["indicadores.csv"] = pikepdf.AttachedFileSpec(pdf, changed, filename="indicadores.csv")
        pdf.save(folder / "otro.pdf")
    (folder / "otro.pdf").replace(folder / rel)
    done = _verify(reports)
    assert done.returncode == 1
    assert "2025/T4, revisión" in done.stderr
    assert f"{rel}: el indicadores.csv adjunto no es igual al archivado" in done.stderr
    assert done.stderr.count("\n  - ") == 2, done.stderr  # its changed hash and the attachment, nothing else


def test_a_signature_from_an_untrusted_ca_is_named_only_with_ca(reports, juana, tmp_path):
    _firmar(reports, juana)
    (tmp_path / "otra-ac").mkdir()
    other = TestCA(tmp_path / "otra-ac")
    assert _verify(reports).returncode == 0
    done = _verify(reports, "--ca", str(other.ca_file))
    assert done.returncode == 1
    assert "el certificado no es de confianza para la autoridad certificadora indicada" in done.stderr


# --- two roles, shown on the pages -----------------------------------------------------------------


def test_two_roles_both_valid_unsigned_revision_kept_and_shown_on_the_pages(reports, juana, maria, ca):
    folder = reports / str(REVISED.year) / REVISED.label
    unsigned = read_manifest(folder)
    _firmar(reports, juana)
    _firmar(reports, maria, "--rol", "Revisó")
    manifest = read_manifest(folder)
    assert manifest.revision == unsigned.revision + 2 and manifest.motivo == "firma"
    assert {(f.rol, f.firmante) for f in manifest.firmas} == {("Elaboró", "JUANA PÉREZ LÓPEZ"),
                                                              ("Revisó", "MARÍA GÓMEZ RUIZ")}
    kept = folder / "revisiones" / f"r{unsigned.revision:03d}"
    assert read_manifest(kept) == unsigned and not read_manifest(kept).firmas
    done = _verify(reports, "--ca", str(ca.ca_file))
    assert done.returncode == 0, done.stderr

    page = (folder / "index.html").read_text(encoding="utf-8")
    section = page[page.index('id="firmas"'):page.index("</section>", page.index('id="firmas"'))]
    for expected in ("Elaboró", "JUANA PÉREZ LÓPEZ", RFC, "Revisó", "MARÍA GÓMEZ RUIZ", "GORM750505XY2",
                     'href="00_resumen.pdf"'):
        assert expected in section, expected
    assert "manifest.json.p7s" in page
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert f"Elaboró — JUANA PÉREZ LÓPEZ (RFC {RFC})" in index
    assert "Revisó — MARÍA GÓMEZ RUIZ (RFC GORM750505XY2)" in index
    assert 'id="firmas"' not in (kept / "index.html").read_text(encoding="utf-8")  # the unsigned one


# --- exportar --------------------------------------------------------------------------------------


def test_an_export_unzipped_verifies_and_checks_with_sha256sum(reports, juana, ca, tmp_path):
    _firmar(reports, juana)
    before = {p: p.read_bytes() for p in reports.rglob("*") if p.is_file()}
    out = tmp_path / "auditoria-2026.zip"
    done = run_cli("exportar", "--year", str(REVISED.year), "--out", str(out), "--reports-dir", str(reports))
    assert done.returncode == 0, done.stderr
    assert {p: p.read_bytes() for p in reports.rglob("*") if p.is_file()} == before  # archive untouched

    with zipfile.ZipFile(out) as bundle:
        bundle.extractall(tmp_path / "unzip")
    root = tmp_path / "unzip" / "auditoria-2026"
    names = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert {"LEEME.txt", "SHA256SUMS", "exportacion.json", "index.html", "registro.jsonl",
            "2026/T1/manifest.json.p7s", "2026/T1/revisiones/r001/manifest.json"} <= names
    assert not any(n.startswith("2025/") for n in names)
    original = reports / "2026" / "T1"
    for rel in read_manifest(original).salidas:
        assert (root / "2026" / "T1" / rel).read_bytes() == (original / rel).read_bytes()

    sums = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=root, capture_output=True, text=True)
    assert sums.returncode == 0, sums.stdout + sums.stderr
    listed = {line.split("  ", 1)[1] for line in (root / "SHA256SUMS").read_text(encoding="utf-8").splitlines()}
    assert listed == names - {"SHA256SUMS"}
    cms = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-content", "manifest.json",
                          "-in", "manifest.json.p7s", "-CAfile", str(ca.ca_file), "-purpose", "any",
                          "-out", "/dev/null"], cwd=root / "2026" / "T1", capture_output=True, text=True)
    assert cms.returncode == 0, cms.stderr
    readme = (root / "LEEME.txt").read_text(encoding="utf-8")
    for expected in ("sha256sum -c SHA256SUMS", "pdfsig", "openssl cms -verify -binary -inform DER -content "
                     "manifest.json -in manifest.json.p7s -noverify", "-CAfile", "que NO se incluyeron: 2025/T4"):
        assert expected in readme, expected

    done = _verify(root, "--ca", str(ca.ca_file))
    assert done.returncode == 0, done.stderr
    assert "2025/T4: no incluido en esta exportación" in done.stdout
    shutil.rmtree(root / "2026" / "T1")
    done = _verify(root)
    assert done.returncode == 1 and "2026/T1: falta el periodo" in done.stderr


def test_exportar_without_archived_periods_of_that_year_says_so(reports, tmp_path):
    out = tmp_path / "x.zip"
    done = run_cli("exportar", "--year", "2019", "--out", str(out), "--reports-dir", str(reports))
    assert done.returncode == 1 and "No hay periodos archivados de 2019" in done.stderr
    assert "Traceback" not in done.stderr and not out.exists()
    done = run_cli("exportar", "--year", str(PERIODS[0].year), "--period", PERIODS[0].label, "--out", str(out),
                   "--reports-dir", str(reports))
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(out) as bundle:
        exported = json.loads(bundle.read("x/exportacion.json"))
    assert exported["incluidos"] == ["2025/T4"] and exported["no_incluidos"] == ["2026/T1"]
