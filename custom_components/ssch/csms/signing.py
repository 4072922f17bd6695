"""The hub's CA signs the certificate requests of its stations (SignCertificate, then CertificateSigned),
so a station can get and renew its security-profile-3 certificate through the hub."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CERTIFICATE_VALIDITY = timedelta(days=365)
CA_VALIDITY = timedelta(days=3650)
_MAX_CSR_LENGTH = 5500  # OCPP 2.1 SignCertificateRequest.csr


class CertificateSigner:
    """Signs client certificates for stations with the installer's CA certificate and key."""

    def __init__(
        self, ca_certificate: x509.Certificate, ca_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    ) -> None:
        self._certificate = ca_certificate
        self._key = ca_key

    @classmethod
    def from_files(cls, certificate_file: str, key_file: str) -> CertificateSigner:
        """Load the CA (blocking file reads); ``ValueError`` when the key does not belong to the CA."""
        certificate = x509.load_pem_x509_certificate(Path(certificate_file).read_bytes())
        key = serialization.load_pem_private_key(Path(key_file).read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise ValueError("the CA key must be an RSA or EC key")
        if key.public_key() != certificate.public_key():
            raise ValueError("the key does not belong to the CA certificate")
        try:
            is_ca = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        except x509.ExtensionNotFound:
            is_ca = False
        if not is_ca:
            raise ValueError("the certificate is not a CA certificate")
        return cls(certificate, key)

    def sign(self, csr_pem: str, station_id: str) -> str:
        """A PEM chain (the new certificate, then the CA) for a station's request; ``ValueError`` if
        the request is unreadable, not signed by its own key, or names another station."""
        if len(csr_pem) > _MAX_CSR_LENGTH:
            raise ValueError("the request is too long")
        request = x509.load_pem_x509_csr(csr_pem.encode())
        if not request.is_signature_valid:
            raise ValueError("the request's signature is not valid")
        names = request.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        if [name.value for name in names] != [station_id]:
            raise ValueError("the request's common name is not the station id")
        now = datetime.now(UTC)
        public_key = request.public_key()
        certificate = (
            x509.CertificateBuilder()
            .subject_name(request.subject)
            .issuer_name(self._certificate.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + CERTIFICATE_VALIDITY)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), critical=False
            )
            .sign(self._key, hashes.SHA256())
        )
        return "".join(
            item.public_bytes(serialization.Encoding.PEM).decode()
            for item in (certificate, self._certificate)
        )


def create_ca(certificate_file: Path, key_file: Path, name: str) -> None:
    """Create a CA for a hub's stations, unless its files exist already (blocking file writes).

    The key is written first and readable by the owner only; the certificate last, so a crash in
    between leaves no certificate without its key.
    """
    if certificate_file.exists() and key_file.exists():
        return
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(key_bytes)
    certificate_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
