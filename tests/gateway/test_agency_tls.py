"""An agency over HTTPS behind a private CA: the reads and the controls trust the same CAs,
those of the machine (or of ``SSL_CERT_FILE``), through one TLS context (``agency_tls``).

A real TLS server on loopback, with a certificate from a CA made here, as the agencies of a
government network have theirs from the network's own CA.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from connectors.errors import ConnectorError, SourceUnavailableError
from connectors.transport import map_transport_errors
from gateway.app import agency_http, agency_reads, agency_tls

LOOPBACK = "127.0.0.1"
ANSWER = b'{"ok": true}'


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def make_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """(the CA's certificate, the server's certificate, the server's key), as PEM files: the
    server's for the IP address 127.0.0.1, signed by the CA."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("政务网测试根证书 / test government CA"))
        .issuer_name(_name("政务网测试根证书 / test government CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(_name(LOOPBACK))
        .issuer_name(ca.subject)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOOPBACK))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = (directory / n for n in ("ca.pem", "server.pem", "key.pem"))
    ca_file.write_bytes(_pem(ca))
    cert_file.write_bytes(_pem(server))
    key_file.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Any request, answered 200 with a small JSON body, then the connection closed."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await reader.readexactly(length)
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(ANSWER), ANSWER)
        )
        await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
        pass  # a client that refused the certificate hung up during the handshake
    finally:
        writer.close()


@pytest.fixture
async def agency(tmp_path: Path) -> AsyncIterator[tuple[str, Path]]:
    """(the URL of an agency over HTTPS, the file of the CA that signed its certificate)."""
    ca_file, cert_file, key_file = make_certificates(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    server = await asyncio.start_server(_answer, LOOPBACK, 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"https://{LOOPBACK}:{port}/v1/inquiries", ca_file
    finally:
        server.close()
        await server.wait_closed()


@pytest.fixture
def fresh_tls() -> Iterator[None]:
    """``agency_tls`` is built once per process: built again for the test, and after it."""
    agency_tls.cache_clear()
    yield
    agency_tls.cache_clear()


async def _read(url: str) -> int:
    reads = agency_reads()
    try:
        answer = await reads.post("bank", url, b"{}", {"Content-Type": "application/json"})
        return answer.status_code
    finally:
        await reads.close()


async def _control(url: str) -> int:
    http, _ = agency_http()
    async with http:
        return (await http.post(url, content=b"{}")).status_code


@pytest.mark.usefixtures("fresh_tls")
async def test_an_agency_whose_ca_the_machine_trusts_answers_reads_and_controls(
    agency: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, ca_file = agency
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # the CA the court's IT installed
    assert await _read(url) == 200
    assert await _control(url) == 200
    assert agency_tls() is agency_tls()  # one context for both, built once


@pytest.mark.usefixtures("fresh_tls")
async def test_an_agency_whose_ca_the_machine_does_not_trust_is_refused_by_both(
    agency: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = agency
    (tmp_path / "other").mkdir()
    other_ca, _, _ = make_certificates(tmp_path / "other")  # a CA that signed nothing here
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", str(other_ca))
    with pytest.raises(ConnectorError, match="TLS handshake failed") as read:
        await _read(url)
    # httpx-aiohttp reports aiohttp's certificate error as a ConnectTimeout; the controls'
    # mapping tells it apart, so the operator reads the same as for the reads
    with pytest.raises(httpx.TransportError, match="CERTIFICATE_VERIFY_FAILED"):
        await _control(url)
    with pytest.raises(ConnectorError) as control, map_transport_errors("bank"):
        await _control(url)
    assert control.value.message_en == read.value.message_en
    assert control.value.message_zh == read.value.message_zh
    assert isinstance(control.value, SourceUnavailableError)
