"""e.firma: load a SAT certificate and key, sign report PDFs (PAdES) and the manifest (CMS), verify.

Why this module exists: Mexican official documents are signed with the signer's e.firma, an
X.509 certificate (``.cer``, DER or PEM) and an encrypted private key (``.key``: PKCS#8 DER as
SAT issues it, or PEM) opened with a password. Signing libraries check little before they
sign, so every condition that would make a worthless signature is checked here first, at the
signing time, with one Spanish message each (:class:`FirmaError`): wrong password, certificate
not valid at that moment, key that does not belong to the certificate, certificate without the
digitalSignature key usage. No time-stamp server is reachable offline, so the signing time is
the signer's clock.

SAT certificates carry the RFC in ``x500UniqueIdentifier`` (2.5.4.45) as a *string*; X.520
defines that attribute as a BIT STRING and asn1crypto (used by pyHanko) refuses to parse
the subject of such a certificate. :func:`_accept_string_unique_identifier` registers a
specification that accepts both encodings (a process-wide, idempotent change of asn1crypto's
attribute table, made before anything here hands a certificate to asn1crypto or pyHanko); the
certificate bytes are never re-encoded, so signatures over them stay valid.

The password is only ever held in memory: it is not logged, not part of any exception message
and not written anywhere; the decrypted key lives in memory for the signing only.

Signatures:

* :func:`sign_pdf` adds one PAdES signature (``ETSI.CAdES.detached``) as an incremental update,
  with a visible block on page 1 (name, RFC/CURP, role, date) printed by WeasyPrint with the
  embedded DejaVu font, so PDF/A stays valid; earlier signatures stay valid because nothing
  before them changes.
* :func:`sign_detached` makes a detached CMS (DER) over arbitrary bytes, e.g. ``manifest.json``;
  it is checked with ``openssl cms -verify -binary -inform DER -content manifest.json``.
* :func:`verify_pdf`, :func:`verify_detached` and :func:`revision_problems` (one Spanish
  line per finding of a revision folder, for ``mirbook verify``) check every signature:
  cryptographically intact, naming its certificate, the last covering the whole file and each earlier one its own
  revision with only signature additions after it; with a CA, also the chain of trust at the
  signer-reported signing time.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import MirbookError
from .render import SIGNATURE_BAND_MM, small_pdf

if TYPE_CHECKING:  # pragma: no cover
    from cryptography import x509 as cx509

ROLES = ("Elaboró", "Revisó", "Autorizó")
MANIFEST_SIGNATURE = "manifest.json.p7s"  # the detached CMS signature of manifest.json, beside it
FIELD_PREFIX = "FirmaMirbook"

# The visible blocks: side by side in the band that render.html_to_pdf keeps free at the
# bottom of page 1 (render.SIGNATURE_BAND_MM), one slot per signature, in PDF points. Each
# block is a small HTML page printed by WeasyPrint (DejaVu Sans embedded, like the report)
# and imported as the signature's appearance.
_A4_WIDTH = 595.28
_SIDE_MARGIN = 14 * 72 / 25.4
_BLOCK_GAP = 8.0
_BLOCK_BOTTOM = 10.0
_BLOCK_HEIGHT = SIGNATURE_BAND_MM * 72 / 25.4 - _BLOCK_BOTTOM - 12  # inside the band, clear of the footer
_SLOTS = 3

RFC_OID = "2.5.4.45"  # x500UniqueIdentifier: SAT writes the RFC here, as a string
CURP_OID = "2.5.4.5"  # serialNumber: SAT writes the CURP here


class FirmaError(MirbookError):
    """A certificate, key or signature problem, in one Spanish sentence (never the password)."""


def _accept_string_unique_identifier() -> None:
    """Let asn1crypto parse x500UniqueIdentifier as a BIT STRING (X.520) or as a string (SAT)."""
    from asn1crypto import core, x509

    if getattr(x509.NameTypeAndValue, "_mirbook_unique_identifier", False):
        return

    class UniqueIdentifier(core.Choice):
        _alternatives = [
            ("bit_string", core.OctetBitString),
            ("printable_string", core.PrintableString),
            ("utf8_string", core.UTF8String),
            ("teletex_string", core.TeletexString),
            ("ia5_string", core.IA5String),
            ("bmp_string", core.BMPString),
            ("universal_string", core.UniversalString),
        ]

    x509.NameTypeAndValue._oid_specs["unique_identifier"] = UniqueIdentifier
    x509.NameTypeAndValue._mirbook_unique_identifier = True


# --- loading ----------------------------------------------------------------------------------


def _read(path: Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise FirmaError(f"No se puede leer {what} {path}: {exc.strerror or exc}.") from None


def load_certificate(path: Path) -> "cx509.Certificate":
    """A certificate from a DER or PEM file (``.cer``)."""
    from cryptography import x509

    data = _read(path, "el certificado")
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError:
        raise FirmaError(f"{path} no es un certificado X.509 válido (ni DER ni PEM).") from None


def load_certificates(path: Path) -> list["cx509.Certificate"]:
    """Every certificate of a DER or PEM file (a CA file may hold several)."""
    from cryptography import x509

    data = _read(path, "el archivo de certificados")
    try:
        if b"-----BEGIN" in data:
            return list(x509.load_pem_x509_certificates(data))
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise FirmaError(f"{path} no contiene certificados X.509 válidos (DER o PEM).") from None


def load_private_key(path: Path, password: str | bytes):
    """The private key of an encrypted ``.key`` file (PKCS#8 DER as SAT issues it, or PEM)."""
    from cryptography.hazmat.primitives import serialization

    data = _read(path, "la llave privada")
    secret = password.encode("utf-8") if isinstance(password, str) else bytes(password)
    loader = serialization.load_pem_private_key if b"-----BEGIN" in data else serialization.load_der_private_key
    try:
        return loader(data, password=secret or None)
    except TypeError:
        # cryptography: a password for an unencrypted key, or none for an encrypted one.
        if not secret:
            raise FirmaError(f"La llave privada {path} está cifrada: indique su contraseña.") from None
        raise FirmaError(f"La llave privada {path} no está cifrada; una llave de e.firma debe estarlo.") from None
    except ValueError:
        raise FirmaError(
            f"No se pudo abrir la llave privada {path}: la contraseña no es correcta o el archivo no es una "
            "llave privada (PKCS#8 DER o PEM)."
        ) from None
    except Exception:  # noqa: BLE001 - unsupported cipher etc.; never echo details that could hold input
        raise FirmaError(f"No se pudo abrir la llave privada {path}: formato no admitido.") from None


def _attribute(cert: "cx509.Certificate", dotted: str) -> str:
    """The text of one subject attribute (first value), as written in the certificate."""
    for attribute in cert.subject:
        if attribute.oid.dotted_string == dotted:
            value = attribute.value
            return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return ""


def _first_identifier(text: str) -> str:
    """SAT writes ``RFC / RFC of the legal representative``: the signer's own is the first."""
    return text.split("/")[0].strip()


@dataclass(frozen=True)
class Signer:
    """Who a certificate names: what the visible block and the manifest show."""

    name: str
    rfc: str
    curp: str
    serial: str  # certificate serial number, hex
    certificate_sha256: str

    @classmethod
    def of(cls, cert: "cx509.Certificate") -> "Signer":
        """The signer named by ``cert``'s subject (CN, x500UniqueIdentifier, serialNumber)."""
        from cryptography.hazmat.primitives.serialization import Encoding
        from cryptography.x509.oid import NameOID

        names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        name = str(names[0].value) if names else cert.subject.rfc4514_string()
        return cls(
            name=name,
            rfc=_first_identifier(_attribute(cert, RFC_OID)),
            curp=_first_identifier(_attribute(cert, CURP_OID)),
            serial=f"{cert.serial_number:x}",
            certificate_sha256=hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest(),
        )

    def as_dict(self) -> dict[str, str]:
        """For the manifest."""
        return {"firmante": self.name, "rfc": self.rfc, "curp": self.curp, "serie": self.serial,
                "certificado_sha256": self.certificate_sha256}


@dataclass(frozen=True)
class Credential:
    """A certificate and its private key, checked; the key is never printed or written."""

    certificate: "cx509.Certificate"
    key: object = field(repr=False)
    signer: Signer = field(compare=False)

    def _pyhanko_signer(self):
        from asn1crypto import keys as akeys
        from asn1crypto import x509 as ax509
        from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
        from pyhanko.sign import signers
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        _accept_string_unique_identifier()
        cert = ax509.Certificate.load(self.certificate.public_bytes(Encoding.DER))
        # The decrypted key exists in memory only, for the time of the signature.
        key = akeys.PrivateKeyInfo.load(self.key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption()))
        return signers.SimpleSigner(signing_cert=cert, signing_key=key,
                                    cert_registry=SimpleCertificateStore.from_certs([cert]))


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence the libraries' own logging while they work: a path that cannot be built without a CA
    is logged by pyHanko with a traceback, and fontTools reports the font tables it drops; our
    verdicts say what matters, in Spanish."""
    import logging

    loggers = [logging.getLogger(name) for name in ("pyhanko", "pyhanko_certvalidator", "fontTools")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def _utc(moment: datetime | None) -> datetime:
    moment = moment or datetime.now(timezone.utc)
    return moment if moment.tzinfo else moment.astimezone()


def check_role(role: str) -> None:
    """Raise :class:`FirmaError` unless ``role`` is one of :data:`ROLES`."""
    if role not in ROLES:
        raise FirmaError(f"Rol de firma desconocido: «{role}». Use uno de: {', '.join(ROLES)}.")


def check_credential(cert: "cx509.Certificate", key: object, at: datetime | None = None,
                     cert_path: Path | str | None = None) -> None:
    """Raise :class:`FirmaError` unless ``key`` belongs to ``cert`` and ``cert`` may sign at ``at``."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    at = _utc(at)
    cert_path = cert_path or f"de {Signer.of(cert).name}"
    spki = (Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    if key.public_key().public_bytes(*spki) != cert.public_key().public_bytes(*spki):  # type: ignore[attr-defined]
        raise FirmaError(f"La llave privada no corresponde al certificado {cert_path}: "
                         "use el archivo .key que se emitió junto con ese .cer.")
    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    if at < start:
        raise FirmaError(f"El certificado {cert_path} todavía no es válido: su vigencia empieza el "
                         f"{start:%Y-%m-%d %H:%M} UTC (fecha de firma {at.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC).")
    if at > end:
        raise FirmaError(f"El certificado {cert_path} venció el {end:%Y-%m-%d %H:%M} UTC "
                         f"(fecha de firma {at.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC); renueve su e.firma.")
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is None or not usage.digital_signature:
        raise FirmaError(f"El certificado {cert_path} no permite la firma digital (falta el uso de llave "
                         "digitalSignature); no es un certificado de e.firma para firmar documentos.")


def load_credential(cer: Path, key: Path, password: str | bytes, at: datetime | None = None) -> Credential:
    """Certificate + key, checked at the signing time ``at`` (now by default)."""
    cert = load_certificate(cer)
    private = load_private_key(key, password)
    check_credential(cert, private, at, cer)
    return Credential(cert, private, Signer.of(cert))


# --- signing ----------------------------------------------------------------------------------


def _block_box(slot: int) -> tuple[int, int, int, int]:
    """The rectangle of the ``slot``-th block (from a 4th signature on, the row repeats)."""
    width = (_A4_WIDTH - 2 * _SIDE_MARGIN - (_SLOTS - 1) * _BLOCK_GAP) / _SLOTS
    left = _SIDE_MARGIN + (slot % _SLOTS) * (width + _BLOCK_GAP)
    return (round(left), round(_BLOCK_BOTTOM), round(left + width), round(_BLOCK_BOTTOM + _BLOCK_HEIGHT))


def block_html(role: str, signer: Signer, moment: datetime, size: tuple[float, float]) -> str:
    """The visible signature block as a one-page HTML document of exactly ``size`` points."""
    from html import escape

    from . import style

    width, height = size
    lines = [f'<div class="rol">{escape(role)} — firma electrónica (e.firma)</div>',
             f'<div class="nombre">{escape(signer.name)}</div>',
             f"<div>RFC: {escape(signer.rfc or '—')}</div>",
             f"<div>CURP: {escape(signer.curp or '—')}</div>",
             f"<div>Fecha: {escape(_date_text(moment))}</div>",
             f"<div>Certificado: {escape(signer.serial[-20:])}</div>"]
    return (
        '<!DOCTYPE html><html lang="es-MX"><head><meta charset="utf-8"><style>'
        f"@page {{ size: {width}pt {height}pt; margin: 0; }}"
        "html, body { margin: 0; padding: 0; }"
        f".firma {{ box-sizing: border-box; width: {width}pt; height: {height}pt; overflow: hidden;"
        f" border: 0.8pt solid {style.GUINDA}; padding: 3pt 5pt; font-family: 'DejaVu Sans', sans-serif;"
        f" font-size: 6.4pt; line-height: 1.3; color: {style.TEXTO}; }}"
        f".rol {{ font-weight: bold; color: {style.GUINDA}; }} .nombre {{ font-weight: bold; }}"
        '</style></head><body><div class="firma">' + "".join(lines) + "</div></body></html>"
    )


def _block_style(pdf: bytes):
    """A pyHanko stamp style whose whole appearance is page 1 of ``pdf`` (fonts embedded by WeasyPrint)."""
    from pyhanko.pdf_utils import content, layout
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.stamp import StaticStampStyle

    class ImportedBlock(content.PdfContent):
        def render(self) -> bytes:
            xobject = self._ensure_writer.import_page_as_xobject(PdfFileReader(io.BytesIO(pdf)), page_ix=0)
            self.resources.xobject["/FirmaBloque"] = xobject
            x1, y1, x2, y2 = xobject.get_object()["/BBox"]
            self.box = layout.BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
            return b"/FirmaBloque Do"

    return StaticStampStyle(
        background=ImportedBlock(), background_opacity=1.0, border_width=0,
        background_layout=layout.SimpleBoxLayoutRule(x_align=layout.AxisAlignment.ALIGN_MID,
                                                     y_align=layout.AxisAlignment.ALIGN_MID,
                                                     margins=layout.Margins.uniform(0)),
    )


def signature_count(data: bytes) -> int:
    """How many signatures a PDF carries already."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    _accept_string_unique_identifier()
    return len(PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures)


def _date_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M (UTC%z)").replace("UTC+0000", "UTC")


def sign_pdf(data: bytes, credential: Credential, role: str) -> bytes:
    """``data`` with one more PAdES signature (an incremental update) and its visible block on page 1.

    The signing time is the system clock (pyHanko's, within the same second as the check);
    the credential is checked again at that moment.
    """
    check_role(role)
    moment = _utc(None)
    check_credential(credential.certificate, credential.key, moment)
    slot = signature_count(data)
    box = _block_box(slot)
    block = small_pdf(block_html(role, credential.signer, moment.astimezone(), (box[2] - box[0], box[3] - box[1])))
    # pyHanko stamps the Info dictionary and the XMP packet with two separate readings of the
    # clock; on the rare second boundary between them they would disagree (not PDF/A): sign again.
    tolerated = set(metadata_problems(data))  # e.g. an older PDF made before PDF/A: not our doing
    for _attempt in range(3):
        signed = _sign_once(data, credential, role, slot, box, block)
        if not set(metadata_problems(signed)) - tolerated:
            return signed
    raise FirmaError("No se pudo firmar el PDF con metadatos PDF/A coherentes; intente de nuevo.")


def _sign_once(data: bytes, credential: Credential, role: str, slot: int, box: tuple[int, int, int, int],
               block: bytes) -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.metadata.model import VENDOR
    from pyhanko.sign import fields, signers
    from pyhanko.sign.fields import SigSeedSubFilter

    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    info_ref = writer.trailer.raw_get("/Info") if "/Info" in writer.trailer else None
    if isinstance(info_ref, generic.IndirectObject):
        # pyHanko writes its own name as the XMP producer but appends it to the Info one: make
        # both say the same, as PDF/A requires.
        info = info_ref.get_object()
        if str(info.get("/Producer", "")) != VENDOR:
            info["/Producer"] = generic.TextStringObject(VENDOR)
            writer.mark_update(info_ref)
    meta = signers.PdfSignatureMetadata(
        field_name=f"{FIELD_PREFIX}{slot + 1}",
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        name=credential.signer.name,
        reason=role,
    )
    pdf_signer = signers.PdfSigner(
        meta, signer=credential._pyhanko_signer(), stamp_style=_block_style(block),
        new_field_spec=fields.SigFieldSpec(f"{FIELD_PREFIX}{slot + 1}", on_page=0, box=box),
    )
    out = io.BytesIO()
    with _quiet():
        pdf_signer.sign_pdf(writer, output=out)
    return out.getvalue()


def metadata_problems(data: bytes) -> list[str]:
    """Spanish problems of a PDF's PDF/A metadata: identification kept, Info and XMP agreeing."""
    import pikepdf
    from pikepdf.models.metadata import decode_pdf_date

    problems = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        xmp = pdf.open_metadata()
        if xmp.pdfa_status != "3B":
            problems.append("no tiene la identificación PDF/A-3b en sus metadatos XMP")
        if "/Metadata" not in pdf.Root:
            return problems  # no XMP packet: nothing for the Info dictionary to agree with
        info = pdf.docinfo
        if "/Producer" in info and str(info.Producer) != str(xmp.get("pdf:Producer", "")):
            problems.append("el productor del diccionario Info y el de XMP no coinciden")
        if "/ModDate" in info:
            try:
                same = decode_pdf_date(str(info.ModDate)) == datetime.fromisoformat(str(xmp.get("xmp:ModifyDate", "")))
            except ValueError:
                same = False
            if not same:
                problems.append("la fecha de modificación del diccionario Info y la de XMP no coinciden")
    return problems


def sign_detached(data: bytes, credential: Credential) -> bytes:
    """A detached CMS SignedData (DER) over ``data``, with the signingTime attribute (now)."""
    import asyncio

    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

    moment = _utc(None)
    check_credential(credential.certificate, credential.key, moment)
    with _quiet():
        content_info = asyncio.run(credential._pyhanko_signer().async_sign_general_data(
            data, "sha256", detached=True, signed_attr_settings=PdfCMSSignedAttributes(signing_time=moment)))
    return content_info.dump()


# --- verification -----------------------------------------------------------------------------


@dataclass
class SignatureCheck:
    """The verdict on one signature; ``problems`` are Spanish sentences (empty when valid)."""

    field: str
    signer: Signer | None
    role: str
    signed_at: datetime | None
    problems: list[str]
    trusted: bool | None = None  # None: no CA was given

    @property
    def ok(self) -> bool:
        return not self.problems


def _signer_of(asn1_cert) -> Signer | None:
    from cryptography import x509

    try:
        return Signer.of(x509.load_der_x509_certificate(asn1_cert.dump()))
    except Exception:  # noqa: BLE001 - an unreadable certificate is reported, not raised
        return None


def _trust_context(ca: list | None, moment: datetime | None):
    from asn1crypto import x509 as ax509
    from cryptography.hazmat.primitives.serialization import Encoding
    from pyhanko_certvalidator import ValidationContext

    roots = [ax509.Certificate.load(c.public_bytes(Encoding.DER)) for c in (ca or [])]
    return ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail",
                             moment=moment)


def _key_usage():
    from pyhanko.sign.validation import KeyUsageConstraints

    return KeyUsageConstraints(key_usage={"digital_signature"})


def verify_pdf(data: bytes, ca: list | None = None) -> list[SignatureCheck]:
    """Check every signature of a PDF (see the module docstring); one :class:`SignatureCheck` each."""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    _accept_string_unique_identifier()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfReadError, ValueError, KeyError) as exc:
        return [SignatureCheck("", None, "", None, [f"el PDF no se puede leer ({exc})"])]
    out = []
    for index, sig in enumerate(embedded):
        last = index == len(embedded) - 1
        problems: list[str] = []
        signed_at = None
        signer = None
        role = ""
        try:
            role = str(sig.sig_object.get("/Reason", ""))
            signed_at = sig.self_reported_timestamp
            signer = _signer_of(sig.signer_cert)
            with _quiet():
                status = validate_pdf_signature(sig, _trust_context(ca, signed_at), key_usage_settings=_key_usage())
        except (SignatureValidationError, PdfReadError, ValueError, KeyError) as exc:
            out.append(SignatureCheck(sig.field_name, signer, role, signed_at,
                                      [f"la firma no se puede validar ({exc})"]))
            continue
        if signer is None:
            problems.append("la firma no nombra un certificado legible")
        if not (status.intact and status.valid):
            problems.append("la firma no es criptográficamente válida (el contenido firmado cambió)")
        if last and status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
            problems.append("la última firma no cubre el documento completo (hay cambios después de ella)")
        if not last:
            if status.coverage not in (SignatureCoverageLevel.ENTIRE_REVISION, SignatureCoverageLevel.ENTIRE_FILE):
                problems.append("la firma no cubre su propia revisión completa")
            level = status.modification_level
            if level is not None and level > ModificationLevel.FORM_FILLING:
                problems.append("después de la firma se hicieron cambios que no son solo otras firmas")
        if status.docmdp_ok is False:
            problems.append("los cambios posteriores no respetan los permisos de la firma")
        trusted = None
        if ca:
            trusted = bool(status.trusted)
            if not trusted:
                problems.append("el certificado no es de confianza para la autoridad certificadora indicada")
        out.append(SignatureCheck(sig.field_name, signer, role, signed_at, problems, trusted))
    return out


def verify_detached(data: bytes, signature: bytes, ca: list | None = None) -> SignatureCheck:
    """Check a detached CMS signature (DER) over ``data``."""
    import asyncio

    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import async_validate_detached_cms, extract_self_reported_ts

    _accept_string_unique_identifier()
    try:
        content = cms.ContentInfo.load(signature)
        signed = content["content"]
        signer_info = signed["signer_infos"][0]
        signed_at = extract_self_reported_ts(signer_info)
        certs = [c.chosen for c in signed["certificates"]]
        serial = signer_info["sid"].chosen["serial_number"].native
        cert = next((c for c in certs if c.serial_number == serial), None)
        with _quiet():
            status = asyncio.run(async_validate_detached_cms(
                data, signed, _trust_context(ca, signed_at), key_usage_settings=_key_usage()))
    except Exception as exc:  # noqa: BLE001 - any parsing failure is a finding
        return SignatureCheck(MANIFEST_SIGNATURE, None, "", None, [f"la firma CMS no se puede leer ({exc})"])
    problems = []
    signer = _signer_of(cert) if cert is not None else None
    if signer is None:
        problems.append("la firma no nombra un certificado legible")
    if not (status.intact and status.valid):
        problems.append("la firma no corresponde al contenido (el archivo cambió después de firmarse)")
    trusted = None
    if ca:
        trusted = bool(status.trusted)
        if not trusted:
            problems.append("el certificado no es de confianza para la autoridad certificadora indicada")
    return SignatureCheck(MANIFEST_SIGNATURE, signer, "", signed_at, problems, trusted)




def revision_problems(folder: Path, manifest: Mapping, ca: list | None = None) -> list[str]:
    """Every signature finding of one revision folder, one Spanish line each, for ``mirbook verify``.

    * every signature of every report PDF listed in ``salidas`` (see :func:`verify_pdf`);
    * every signature the manifest records under ``firmas`` (file, role, certificate serial)
      is still in that PDF — a PDF re-saved without its signatures fails here;
    * ``manifest.json.p7s``, when present, is a valid detached signature of ``manifest.json``
      (it is missing from a revision whose manifest records signatures: a finding).
    """
    folder = Path(folder)
    lines: list[str] = []
    found: dict[str, set[tuple[str, str]]] = {}
    for rel in sorted(r for r in manifest.get("salidas", {}) if r.endswith(".pdf")):
        path = folder / rel
        if not path.is_file():
            continue  # a missing file is the hash check's finding
        checks = verify_pdf(path.read_bytes(), ca)
        found[rel] = {(c.role, c.signer.serial) for c in checks if c.signer}
        for check in checks:
            who = f"firma «{check.field}»" + (f" de {check.signer.name}" if check.signer else "")
            lines.extend(f"{rel}: {who}: {problem}" for problem in check.problems)
    for entry in manifest.get("firmas", []):
        rel = str(entry.get("archivo", ""))
        if rel in found and (entry.get("rol"), entry.get("serie")) not in found[rel]:
            lines.append(f"{rel}: falta la firma «{entry.get('rol')}» de {entry.get('firmante')} que registra el manifiesto")
    signature = folder / MANIFEST_SIGNATURE
    if signature.is_file():
        check = verify_detached((folder / "manifest.json").read_bytes(), signature.read_bytes(), ca)
        lines.extend(f"{MANIFEST_SIGNATURE}: {problem}" for problem in check.problems)
    elif manifest.get("firmas"):
        lines.append(f"{MANIFEST_SIGNATURE}: falta (el manifiesto registra firmas)")
    return lines
