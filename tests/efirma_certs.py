"""Throwaway CA and e.firma-like certificates for the signing tests, made at test time.

Nothing here is a real certificate and no key is ever committed: every key is generated
when the tests run. The signer's subject is written the way SAT writes it: the RFC in
x500UniqueIdentifier (2.5.4.45) as a PrintableString, the CURP in serialNumber.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.x509.name import _ASN1Type  # noqa: PLC2701 - the only way to pick PrintableString
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

PASSWORD = "contraseña de prueba 1"
RFC = "PELJ800101AB1"
CURP = "PELJ800101MDFRPN09"


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Issued:
    cer: Path
    key: Path
    certificate: x509.Certificate


class TestCA:
    """A CA that issues e.firma-like certificates into ``folder``."""

    __test__ = False  # not a pytest class

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.key = _key()
        now = datetime.now(timezone.utc)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "AC DE PRUEBAS MIRBOOK"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Pruebas")])
        self.certificate = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=30)).not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        self.ca_file = folder / "ac.pem"
        self.ca_file.write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))

    def issue(self, stem: str, name: str = "JUANA PÉREZ LÓPEZ", rfc: str = RFC, curp: str = CURP,
              days: tuple[int, int] = (-1, 365), digital_signature: bool = True, pem: bool = False,
              password: str = PASSWORD, key=None) -> Issued:
        """A certificate valid from ``now + days[0]`` to ``now + days[1]`` days, and its encrypted key."""
        own_key = _key()
        now = datetime.now(timezone.utc)
        subject = x509.Name([
            x509.NameAttribute(NameOID.COMMON_NAME, name),
            x509.NameAttribute(NameOID.X500_UNIQUE_IDENTIFIER, rfc, _type=_ASN1Type.PrintableString),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, curp),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "MX"),
        ])
        cert = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(self.certificate.subject)
            .public_key(own_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now + timedelta(days=days[0])).not_valid_after(now + timedelta(days=days[1]))
            .add_extension(x509.KeyUsage(digital_signature=digital_signature, content_commitment=True,
                                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                                         key_cert_sign=False, crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        cer = self.folder / f"{stem}.cer"
        cer.write_bytes(cert.public_bytes(serialization.Encoding.PEM if pem else serialization.Encoding.DER))
        key_file = self.folder / f"{stem}.key"
        encoding = serialization.Encoding.PEM if pem else serialization.Encoding.DER
        key_file.write_bytes((key or own_key).private_bytes(
            encoding, serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(password.encode("utf-8"))))
        return Issued(cer, key_file, cert)
