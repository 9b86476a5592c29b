"""An agency over HTTPS behind a private CA: the reads and the controls trust the same CAs,
those of the machine (or of ``SSL_CERT_FILE``), through one TLS context (``agency_tls``).

A real TLS server on loopback, with a certificate made here that no machine's store knows, as
the agencies of a government network have theirs from the network's own CA.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from connectors.errors import ConnectorError, SourceUnavailableError
from connectors.transport import map_transport_errors
from gateway.app import agency_http, agency_reads, agency_tls
from tests.certificates import self_signed
from tests.connectors.raw_http import read_request, response

LOOPBACK = "127.0.0.1"
ANSWER = b'{"ok": true}'


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Any request, answered 200 with a small JSON body, then the connection closed."""
    try:
        await read_request(reader)
        writer.write(
            response("200 OK", ANSWER, "Content-Type: application/json", "Connection: close")
        )
        await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
        pass  # a client that refused the certificate hung up during the handshake
    finally:
        writer.close()


@pytest.fixture
async def agency(tmp_path: Path) -> AsyncIterator[tuple[str, Path]]:
    """(the URL of an agency over HTTPS, the file of the CA that signed its certificate: here
    the certificate itself, its own CA)."""
    cert_file, key_file = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    server = await asyncio.start_server(_answer, LOOPBACK, 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"https://localhost:{port}/v1/inquiries", cert_file
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
    other_ca, _ = self_signed(tmp_path / "other")  # a CA that signed nothing here
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
