"""e.firma: loading and checking certificates and keys, PAdES signatures in sequence, detached CMS,
verification (pyHanko and poppler's pdfsig, openssl for the CMS), and ``mirbook firmar`` on an archive.

Every certificate and key is made at test time by a throwaway CA (tests/efirma_certs.py).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from conftest import run_cli
from efirma_certs import CURP, PASSWORD, RFC, TestCA
from mirbook import firma, render
from mirbook.manifest import read as read_manifest
from site_archive import REVISED, build_archive
from test_pdfa import HTML, MANIFEST, _pdfa_id, all_fonts, font_is_embedded



@pytest.fixture(scope="module")
def ca(tmp_path_factory) -> TestCA:
    return TestCA(tmp_path_factory.mktemp("ac"))


@pytest.fixture(scope="module")
def juana(ca):
    return ca.issue("juana")


@pytest.fixture(scope="module")
def maria(ca):
    return ca.issue("maria", name="MARÍA GÓMEZ RUIZ", rfc="GORM750505XY2", curp="GORM750505MDFMZR03", pem=True)


@pytest.fixture(scope="module")
def report_pdf(tmp_path_factory) -> bytes:
    """A real archival report PDF (PDF/A-3b with attachments), unsigned."""
    folder = tmp_path_factory.mktemp("pdf")
    (folder / "indicadores.csv").write_text("clave,avance\r\nPROP,95.00\r\n", encoding="utf-8")
    (folder / "validacion.html").write_text("<html lang='es'><body>ok</body></html>", encoding="utf-8")
    meta = render.PdfMetadata("Resumen — tercer trimestre de 2026", "Unidad de Política Migratoria",
                              "tercer trimestre de 2026", 1)
    render.html_to_pdf(HTML, folder / "r.pdf", "Encabezado", meta, render.period_attachments(folder, MANIFEST))
    return (folder / "r.pdf").read_bytes()


@pytest.fixture(scope="module")
def two_signatures(report_pdf, juana, maria) -> bytes:
    first = firma.sign_pdf(report_pdf, firma.load_credential(juana.cer, juana.key, PASSWORD), "Elaboró")
    return firma.sign_pdf(first, firma.load_credential(maria.cer, maria.key, PASSWORD), "Revisó")


# --- certificates and keys ----------------------------------------------------------------------


def test_the_signer_is_read_from_a_sat_like_subject(juana, maria):
    signer = firma.load_credential(juana.cer, juana.key, PASSWORD).signer
    assert (signer.name, signer.rfc, signer.curp) == ("JUANA PÉREZ LÓPEZ", RFC, CURP)
    assert signer.serial == f"{juana.certificate.serial_number:x}"
    pem = firma.load_credential(maria.cer, maria.key, PASSWORD).signer  # PEM certificate and PEM key
    assert (pem.name, pem.rfc, pem.curp) == ("MARÍA GÓMEZ RUIZ", "GORM750505XY2", "GORM750505MDFMZR03")


def test_asn1crypto_reads_the_string_rfc_once_mirbook_registered_it(juana):
    """x500UniqueIdentifier as a PrintableString: asn1crypto refuses it unless mirbook registers it."""
    from asn1crypto import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    der = juana.certificate.public_bytes(Encoding.DER)
    firma._accept_string_unique_identifier()
    subject = x509.Certificate.load(der).subject.native
    assert subject["unique_identifier"] == RFC and subject["serial_number"] == CURP
    assert x509.Certificate.load(der).dump(force=False) == der  # never re-encoded


def test_a_wrong_password_is_a_clear_message_without_the_password(juana):
    wrong = "no-es-la-contraseña-987"
    with pytest.raises(firma.FirmaError, match="la contraseña no es correcta") as error:
        firma.load_credential(juana.cer, juana.key, wrong)
    assert wrong not in str(error.value) and PASSWORD not in str(error.value)
    assert error.value.__cause__ is None and error.value.__suppress_context__


@pytest.mark.parametrize("days, message", [((-400, -1), "venció el"), ((2, 400), "todavía no es válido")])
def test_a_certificate_outside_its_validity_is_refused_at_signing_time(ca, days, message):
    issued = ca.issue(f"vigencia{days[0]}", days=days)
    with pytest.raises(firma.FirmaError, match=message):
        firma.load_credential(issued.cer, issued.key, PASSWORD)


def test_a_certificate_without_digital_signature_is_refused(ca):
    issued = ca.issue("sin-firma", digital_signature=False)
    with pytest.raises(firma.FirmaError, match="no permite la firma digital"):
        firma.load_credential(issued.cer, issued.key, PASSWORD)


def test_a_key_of_another_certificate_is_refused(ca):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    issued = ca.issue("ajena", key=other)
    with pytest.raises(firma.FirmaError, match="no corresponde al certificado"):
        firma.load_credential(issued.cer, issued.key, PASSWORD)


def test_a_file_that_is_not_a_certificate_is_refused(tmp_path, juana):
    bogus = tmp_path / "x.cer"
    bogus.write_bytes(b"no soy un certificado")
    with pytest.raises(firma.FirmaError, match="no es un certificado X.509"):
        firma.load_credential(bogus, juana.key, PASSWORD)


def test_an_unknown_role_is_refused(report_pdf, juana):
    with pytest.raises(firma.FirmaError, match="Rol de firma desconocido"):
        firma.sign_pdf(report_pdf, firma.load_credential(juana.cer, juana.key, PASSWORD), "Aprobó")


# --- PAdES in sequence ----------------------------------------------------------------------------


def test_two_roles_in_sequence_are_both_valid_and_trusted(two_signatures, ca):
    checks = firma.verify_pdf(two_signatures, firma.load_certificates(ca.ca_file))
    assert [(c.role, c.signer.name, c.signer.rfc) for c in checks] == [
        ("Elaboró", "JUANA PÉREZ LÓPEZ", RFC), ("Revisó", "MARÍA GÓMEZ RUIZ", "GORM750505XY2")]
    assert all(c.ok and c.trusted for c in checks), [c.problems for c in checks]
    assert all(c.signed_at is not None for c in checks)


def test_another_ca_does_not_make_the_signatures_trusted(two_signatures, tmp_path):
    stranger = TestCA(tmp_path)
    checks = firma.verify_pdf(two_signatures, [stranger.certificate])
    assert all(c.trusted is False and not c.ok for c in checks)
    assert all(c.ok for c in firma.verify_pdf(two_signatures))  # without a CA: integrity only


def test_pdfsig_validates_both_signatures(two_signatures, tmp_path):
    if shutil.which("pdfsig") is None:
        pytest.skip("pdfsig (poppler-utils) no está instalado")
    path = tmp_path / "firmado.pdf"
    path.write_bytes(two_signatures)
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert out.count("Signature Validation: Signature is Valid.") == 2, out
    assert "Total document signed" in out and "ETSI.CAdES.detached" in out


def test_signing_keeps_the_pdf_archival_with_visible_blocks_on_page_one(two_signatures, report_pdf, tmp_path):
    path = tmp_path / "firmado.pdf"
    path.write_bytes(two_signatures)
    assert two_signatures.startswith(report_pdf)  # incremental updates: the unsigned bytes are untouched
    pdf = pikepdf.open(path)
    assert _pdfa_id(pdf) == ("3", "B")
    assert firma.metadata_problems(two_signatures) == []  # Info and XMP agree (producer, dates)
    xmp = pdf.open_metadata()
    assert str(pdf.docinfo.Title) == xmp["dc:title"] == "Resumen — tercer trimestre de 2026"
    # signing updates the modification date (it may fall in the same second as the PDF's making)
    assert str(pdf.docinfo.ModDate) >= str(pikepdf.open(io.BytesIO(report_pdf)).docinfo.ModDate)
    assert all(font_is_embedded(f) for f in all_fonts(pdf))
    widgets = [a for a in pdf.pages[0].obj.Annots if a.get("/FT") == "/Sig"]
    assert len(widgets) == 2 and all(int(w.F) & 4 for w in widgets)  # printable
    assert set(pdf.attachments) == {"indicadores.csv", "procedencia.json", "validacion.html"}
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(path), "-"], capture_output=True, text=True).stdout
    for expected in ("Elaboró", "JUANA PÉREZ LÓPEZ", f"RFC: {RFC}", f"CURP: {CURP}", "Revisó", "MARÍA GÓMEZ RUIZ"):
        assert expected in text, expected


def test_a_byte_changed_after_signing_fails(two_signatures):
    at = two_signatures.index(b"stream\n") + 50  # inside the first stream, covered by both signatures
    tampered = two_signatures[:at] + bytes([two_signatures[at] ^ 0xFF]) + two_signatures[at + 1:]
    checks = firma.verify_pdf(tampered)
    assert not all(c.ok for c in checks)
    assert any("no es criptográficamente válida" in p for c in checks for p in c.problems)


def test_content_added_after_the_last_signature_fails(two_signatures):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(two_signatures))
    stream = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 72 Td (alterado) Tj ET"))
    writer.add_stream_to_page(0, stream)
    out = io.BytesIO()
    writer.write(out)
    checks = firma.verify_pdf(out.getvalue())
    assert any("no cubre el documento completo" in p for p in checks[-1].problems), checks[-1].problems


def test_metadata_problems_catch_an_info_dictionary_that_disagrees_with_xmp(report_pdf, tmp_path):
    source = tmp_path / "r.pdf"
    source.write_bytes(report_pdf)
    with pikepdf.open(source) as pdf:
        pdf.docinfo["/Producer"] = "otro programa"
        pdf.save(tmp_path / "otro.pdf")
    assert firma.metadata_problems(report_pdf) == []
    assert any("productor" in p for p in firma.metadata_problems((tmp_path / "otro.pdf").read_bytes()))


def test_a_resaved_pdf_loses_its_valid_signatures(two_signatures, tmp_path):
    source = tmp_path / "firmado.pdf"
    source.write_bytes(two_signatures)
    with pikepdf.open(source) as pdf:
        pdf.save(tmp_path / "resaved.pdf")
    checks = firma.verify_pdf((tmp_path / "resaved.pdf").read_bytes())
    assert not checks or not all(c.ok for c in checks)


# --- detached CMS -----------------------------------------------------------------------------------


def test_a_detached_cms_over_bytes_verifies_and_catches_a_change(juana, ca, tmp_path):
    data = json.dumps(MANIFEST, ensure_ascii=False).encode("utf-8")
    signature = firma.sign_detached(data, firma.load_credential(juana.cer, juana.key, PASSWORD))
    check = firma.verify_detached(data, signature, [ca.certificate])
    assert check.ok and check.trusted and check.signer.rfc == RFC and check.signed_at is not None
    changed = firma.verify_detached(data.replace(b"T3", b"T4"), signature)
    assert not changed.ok and "cambió" in changed.problems[0]
    if shutil.which("openssl"):
        (tmp_path / "m.json").write_bytes(data)
        (tmp_path / "m.json.p7s").write_bytes(signature)
        result = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", str(tmp_path / "m.json.p7s"),
                                 "-content", str(tmp_path / "m.json"), "-CAfile", str(ca.ca_file), "-purpose", "any",
                                 "-out", os.devnull], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr


# --- mirbook firmar on an archive -----------------------------------------------------------------


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _firmar(reports: Path, issued, *extra: str, password: str = PASSWORD) -> subprocess.CompletedProcess:
    return run_cli("firmar", "--year", str(REVISED.year), "--period", REVISED.label, "--cer", str(issued.cer),
                   "--key", str(issued.key), "--password-env", "MIRBOOK_CLAVE", "--reports-dir", str(reports),
                   *extra, env={"MIRBOOK_CLAVE": password})


@pytest.fixture
def archive_copy(tmp_path_factory, tmp_path) -> Path:
    site = build_archive(tmp_path_factory)
    reports = tmp_path / "reports"
    shutil.copytree(site.reports, reports)
    return reports


def test_firmar_two_roles_makes_two_revisions_and_keeps_the_unsigned_one(archive_copy, juana, maria, ca):
    folder = archive_copy / str(REVISED.year) / REVISED.label
    before = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    unsigned = {rel: digest for rel, digest in before["salidas"].items() if rel.endswith(".pdf")}
    first = _firmar(archive_copy, juana)
    assert first.returncode == 0, first.stderr
    assert "«Elaboró»" in first.stdout and PASSWORD not in first.stdout + first.stderr
    second = _firmar(archive_copy, maria, "--rol", "Revisó")
    assert second.returncode == 0, second.stderr

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["revision"] == before["revision"] + 2 and manifest["motivo"] == "firma"
    roles = [(f["archivo"], f["rol"], f["firmante"]) for f in manifest["firmas"]]
    for rel in unsigned:
        assert (rel, "Elaboró", "JUANA PÉREZ LÓPEZ") in roles and (rel, "Revisó", "MARÍA GÓMEZ RUIZ") in roles
        assert manifest["salidas"][rel] == hashlib.sha256((folder / rel).read_bytes()).hexdigest()
        checks = firma.verify_pdf((folder / rel).read_bytes(), [ca.certificate])
        assert [c.role for c in checks] == ["Elaboró", "Revisó"] and all(c.ok for c in checks)
    last = [f for f in manifest["firmas"] if f["rol"] == "Revisó"]
    assert all(f["sha256"] == manifest["salidas"][f["archivo"]] for f in last)
    assert all(f["serie"] == f"{maria.certificate.serial_number:x}" for f in last)

    # The unsigned revision is kept whole, byte for byte.
    kept = folder / "revisiones" / f"r{before['revision']:03d}"
    assert json.loads((kept / "manifest.json").read_text(encoding="utf-8")) == before
    for rel, digest in unsigned.items():
        assert hashlib.sha256((kept / rel).read_bytes()).hexdigest() == digest
    assert manifest["revisiones_anteriores"][-1] == f"revisiones/r{before['revision'] + 1:03d}"

    # Everything verify will check: PDF signatures, recorded signatures, the manifest's own one.
    typed = read_manifest(folder)
    assert firma.revision_problems(folder, typed, [ca.certificate]) == []
    assert firma.revision_problems(kept, read_manifest(kept)) == []  # the unsigned revision: nothing to check
    assert "manifest.json.p7s" not in manifest["salidas"]
    (folder / "manifest.json").write_bytes((folder / "manifest.json").read_bytes().replace(b'"firma"', b'"otra"'))
    assert any(line.startswith("manifest.json.p7s: ") for line in firma.revision_problems(folder, typed))

    # Nothing secret was written.
    secret = PASSWORD.encode("utf-8")
    assert not any(secret in p.read_bytes() for p in archive_copy.rglob("*") if p.is_file())


@pytest.mark.parametrize("case", ["contraseña", "vencido", "sin_firma_digital", "llave_ajena"])
def test_firmar_refuses_and_changes_nothing(archive_copy, ca, juana, case):
    issued, password = juana, PASSWORD
    if case == "contraseña":
        password = "equivocada-123"
    elif case == "vencido":
        issued = ca.issue("vencido", days=(-400, -1))
    elif case == "sin_firma_digital":
        issued = ca.issue("sin-firma-cli", digital_signature=False)
    else:
        issued = ca.issue("ajena-cli", key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
    before = _tree(archive_copy)
    result = _firmar(archive_copy, issued, password=password)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ") and "Traceback" not in result.stderr
    assert password not in result.stderr + result.stdout
    assert _tree(archive_copy) == before


def test_a_pdf_resaved_without_its_signatures_is_a_finding(archive_copy, juana, ca):
    assert _firmar(archive_copy, juana).returncode == 0
    folder = archive_copy / str(REVISED.year) / REVISED.label
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    rel = manifest["firmas"][0]["archivo"]
    previous = folder / manifest["revisiones_anteriores"][-1] / rel
    shutil.copy(previous, folder / rel)  # the unsigned PDF put back in place of the signed one
    typed = read_manifest(folder)
    lines = firma.revision_problems(folder, typed, [ca.certificate])
    assert lines == [f"{rel}: falta la firma «Elaboró» de JUANA PÉREZ LÓPEZ que registra el manifiesto"]
    (folder / firma.MANIFEST_SIGNATURE).unlink()
    assert "manifest.json.p7s: falta (el manifiesto registra firmas)" in firma.revision_problems(folder, typed)


def test_firmar_refuses_a_tampered_revision(archive_copy, juana):
    folder = archive_copy / str(REVISED.year) / REVISED.label
    csv = folder / "indicadores.csv"
    csv.write_bytes(csv.read_bytes() + b"x")
    before = _tree(archive_copy)
    result = _firmar(archive_copy, juana)
    assert result.returncode == 1 and "indicadores.csv: su contenido cambió" in result.stderr
    assert _tree(archive_copy) == before


def test_firmar_without_an_archived_period_says_so(tmp_path, juana):
    result = _firmar(tmp_path / "vacio", juana)
    assert result.returncode == 1 and "No hay ninguna revisión archivada" in result.stderr
