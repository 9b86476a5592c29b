"""The conformance kit against services that misbehave in ways the contract does not foresee:
every input ends in a check's verdict (or, for an unusable token, a refusal naming ``--token``),
never a traceback, a hang, the token or a control character printed."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pydantic
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from connectors.client import MAX_BODY_BYTES
from connectors.control import MAX_ANSWER_BYTES
from connectors.http import response_adapter
from connectors.registry import spec as agency_spec
from mocks.contract import check_endpoint
from mocks.contract.kit import Kit, UnusableTokenError
from mocks.contract.reading import decode
from mocks.contract.verdict import CheckFailedError
from mocks.registry import mock_spec
from mocks.runner import AppServer
from mocks.server import create_mock_app
from tests.gateway.processes import run_cli
from tests.mocks.helpers import TOKEN, failures

Forward = Callable[..., Awaitable[httpx.Response]]
Rewrite = Callable[[Request, bytes, Forward], Awaitable[Response]]


def kit_client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://agency")


def proxied(agency: str, rewrite: Rewrite) -> Starlette:
    """An agency whose answers pass through ``rewrite(request, body, forward)``: a mock with
    one defect. ``forward(body=..., headers=...)`` asks the mock and gives its answer."""
    mock = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_mock_app(agency, token=TOKEN)),
        base_url="http://mock",
    )

    async def handle(request: Request) -> Response:
        body = await request.body()

        async def forward(
            content: bytes | None = None, headers: dict[str, str] | None = None
        ) -> httpx.Response:
            sent = {
                k: v
                for k, v in request.headers.items()
                if k.lower() not in ("host", "content-length")
            }
            return await mock.request(
                request.method,
                request.url.path,
                content=body if content is None else content,
                headers=sent if headers is None else headers,
            )

        return await rewrite(request, body, forward)

    methods = ["GET", "POST", "PUT"]
    return Starlette(routes=[Route("/{path:path}", handle, methods=methods)])


def relay(answer: httpx.Response, content: bytes | None = None, **headers: str) -> Response:
    kept = {
        k: v
        for k, v in answer.headers.items()
        if k.lower() in ("content-type", "www-authenticate", "idempotent-replayed", "x-request-id")
    }
    return Response(
        answer.content if content is None else content, answer.status_code, kept | headers
    )


async def passthrough(request: Request, body: bytes, forward: Forward) -> Response:
    return relay(await forward())


# --- 1. the token ------------------------------------------------------------------------


async def test_a_token_ending_in_crlf_is_used_stripped_and_never_shown() -> None:
    """Over a socket, where httpx refuses such a header and quotes it in its error."""
    async with AppServer(create_mock_app("police", token=TOKEN)) as server:
        results = await check_endpoint(server.url, TOKEN + "\r\n", "police")
    assert failures(results) == {}
    assert all(TOKEN not in r.detail for r in results)


async def test_a_token_in_an_escaped_form_in_an_error_is_scrubbed() -> None:
    """httpx quotes a header it refuses as a bytes repr: ``b'Bearer ab\\\\cd...'``."""
    token = "probe\\token-123456"

    def refuse(request: httpx.Request) -> httpx.Response:
        value = request.headers.get("authorization", "").encode()
        raise httpx.LocalProtocolError(f"Illegal header value {value!r}")

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as client:
        results = await check_endpoint("http://agency", token, "police", client=client)
    found = failures(results)["found-natural"]
    assert found.startswith("transport: LocalProtocolError: Illegal header value")
    assert "***" in found
    assert all("token-123456" not in r.detail for r in results)


@pytest.mark.parametrize(
    "token", ["", " \r\n", "tökén-1234567890", "probe-\x01-token-123", "令牌令牌令牌令牌"]
)
async def test_an_unusable_token_is_refused_before_any_request_without_showing_it(
    token: str,
) -> None:
    def never(request: httpx.Request) -> httpx.Response:
        raise AssertionError("the kit sent a request")

    async with httpx.AsyncClient(transport=httpx.MockTransport(never)) as client:
        with pytest.raises(UnusableTokenError) as refused:
            await check_endpoint("http://agency", token, "police", client=client)
    assert isinstance(refused.value, ValueError)  # what a Python caller may catch
    text = str(refused.value)
    assert "--token" in text
    assert "printable ASCII" in text
    assert "令牌" in text
    if token.strip():
        assert token.strip() not in text


def test_the_cli_refuses_a_non_ascii_token_with_exit_2(tmp_path: Any) -> None:
    token = "tökén-secret-987654"
    result = run_cli(
        "conformance", "--agency", "land", "--url", "http://127.0.0.1:9", "--token", token,
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "--token" in result.stderr
    assert "not printable ASCII" in result.stderr
    assert "令牌" in result.stderr
    assert "secret-987654" not in result.stdout + result.stderr


# --- 2. every check runs ------------------------------------------------------------------


def inquiries(body: bytes) -> Starlette:
    """A homemade agency: every inquiry answered 200 with ``body``; nothing else is served."""

    async def answer(request: Request) -> Response:
        return Response(body, 200, media_type="application/json")

    return Starlette(routes=[Route("/v1/inquiries", answer, methods=["POST"])])


def records_nested(levels: int) -> bytes:
    deep = "[" * levels + "]" * levels
    return (
        '{"requestId": "x", "agency": "police", "results": [{"kind": "natural", "id": "1", '
        f'"status": "found", "records": {{"household": {deep}}}}}]}}'
    ).encode()


@pytest.mark.parametrize("body", [b"[" * 100_000, records_nested(5000)], ids=["open", "records"])
async def test_deeply_nested_json_fails_the_checks_that_read_it_and_every_check_runs(
    body: bytes,
) -> None:
    async with kit_client(inquiries(body)) as client:
        results = await check_endpoint("http://agency", TOKEN, "police", client=client)
    assert len(results) == 12
    failed = failures(results)
    assert failed["found-natural"].startswith(
        "the answer breaks the contract: the body is not JSON as the gateway reads it: "
        "recursion limit exceeded"
    )


async def test_an_unexpected_exception_in_a_check_fails_that_check_only() -> None:
    async with kit_client(proxied("police", passthrough)) as client:
        kit = Kit("http://agency", TOKEN, mock_spec("police"), client)

        async def broken() -> str:
            raise RuntimeError(f"\x1b[2Jboom with {TOKEN}")

        result = await kit.run("broken", broken)
        after = await kit.run("not-found", kit.not_found)
    assert not result.passed
    assert result.detail == "意外错误 / unexpected RuntimeError: \ufffd[2Jboom with ***"
    assert after.passed


# --- 3. a whole answer within a deadline --------------------------------------------------


async def test_a_slow_drip_fails_at_the_deadline_not_at_the_end_of_the_answer() -> None:
    async def drip(request: Request) -> StreamingResponse:
        async def bytes_() -> AsyncIterator[bytes]:
            for _ in range(50):  # 10 s of one byte each 0.2 s: httpx's per-read timeout never fires
                yield b" "
                await asyncio.sleep(0.2)

        return StreamingResponse(bytes_(), media_type="application/json")

    app = Starlette(routes=[Route("/openapi.json", drip)])
    started = time.monotonic()
    async with AppServer(app) as server:
        results = await check_endpoint(server.url, TOKEN, "police", deadline_s=1.0)
    assert time.monotonic() - started < 5
    assert failures(results)["openapi"] == (
        "no complete answer within 1 s (the kit's limit for one request)"
    )


async def test_a_timeout_has_a_reason() -> None:
    def silent(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("")

    async with httpx.AsyncClient(transport=httpx.MockTransport(silent)) as client:
        results = await check_endpoint("http://agency", TOKEN, "police", client=client)
    assert failures(results)["openapi"] == (
        "transport: ReadTimeout: no answer within the client's timeout"
    )


# --- 4. money fields ----------------------------------------------------------------------


def money_answer(value: Any) -> Rewrite:
    async def rewrite(request: Request, body: bytes, forward: Forward) -> Response:
        answer = await forward()
        if request.url.path != "/v1/inquiries" or answer.status_code != 200:
            return relay(answer)
        document = answer.json()
        for result in document["results"]:
            if result.get("records") and result["records"]["deposits"]:
                result["records"]["deposits"][0]["amount"] = value
                break
        return relay(answer, json.dumps(document, ensure_ascii=False).encode())

    return rewrite


@pytest.mark.parametrize("value", ["约一百万元", "", "x", "NaN", "-3.2", -3.2, "1e5", " 1"])
async def test_a_money_field_that_is_not_a_plain_decimal_fails_the_kit_naming_it(
    value: str,
) -> None:
    """The contract's money text is a plain decimal from 0 (``BOUNDED_DECIMAL_PATTERN``): the
    connector refuses the first six; "1e5" and " 1" it would read, but they are not what the
    contract says."""
    async with kit_client(proxied("bank", money_answer(value))) as client:
        failed = failures(await check_endpoint("http://agency", TOKEN, "bank", client=client))
    assert "results.0.records.deposits.0.amount" in failed["found-natural"]
    if value in ("约一百万元", "", "x", "NaN", "-3.2", -3.2):  # the connector refuses them too
        records = {"requestId": "r", "agency": "bank", "results": [{"kind": "natural",
                   "id": "1", "status": "found", "records": {"deposits": [{"bank": "b",
                   "accountNumber": "1", "depositType": "t", "currency": "CNY",
                   "amount": value}]}}]}  # fmt: skip
        with pytest.raises(pydantic.ValidationError):
            response_adapter(agency_spec("bank").records).validate_python(records)


async def test_one_result_of_a_full_batch_that_breaks_the_contract_is_found_where_it_is() -> None:
    """The kit checks each distinct result of an answer once (the full batch repeats eight
    subjects): a result that differs from the others, late in the batch, is still checked, and
    named by its own position."""

    async def break_result_700(request: Request, body: bytes, forward: Forward) -> Response:
        answer = await forward()
        document = answer.json()
        if request.url.path != "/v1/inquiries" or len(document.get("results", ())) < 701:
            return relay(answer)
        document["results"][700]["status"] = "perhaps"
        return relay(answer, json.dumps(document, ensure_ascii=False).encode())

    async with kit_client(proxied("bank", break_result_700)) as client:
        failed = failures(await check_endpoint("http://agency", TOKEN, "bank", client=client))
    assert set(failed) == {"full-batch"}, failed
    assert "first at results.700" in failed["full-batch"], failed["full-batch"]


@pytest.mark.parametrize("value", ["1234.50", "0", 17.5])
async def test_a_plain_decimal_money_field_passes(value: Any) -> None:
    async with kit_client(proxied("bank", money_answer(value))) as client:
        failed = failures(await check_endpoint("http://agency", TOKEN, "bank", client=client))
    assert "found-natural" not in failed, failed


# --- 5. read as the gateway reads ---------------------------------------------------------


@pytest.mark.parametrize(
    ("encode", "words"),
    [
        (lambda b: b"\xef\xbb\xbf" + b, "the body starts with a UTF-8 byte order mark"),
        (lambda b: b.decode().encode("utf-16"), "the body is not UTF-8"),
        (lambda b: b.decode().encode("utf-16-le"), "the body is not UTF-8"),
    ],
    ids=["bom", "utf-16", "utf-16-le"],
)
async def test_a_body_the_gateway_cannot_decode_fails(
    encode: Callable[[bytes], bytes], words: str
) -> None:
    async def rewrite(request: Request, body: bytes, forward: Forward) -> Response:
        answer = await forward()
        return relay(answer, encode(answer.content))

    async with kit_client(proxied("police", rewrite)) as client:
        failed = failures(await check_endpoint("http://agency", TOKEN, "police", client=client))
    assert words in failed["found-natural"]
    assert words in failed["openapi"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (
            '{"名称": "农行"}'.encode("gbk"),
            "the body is not UTF-8 (an invalid byte at offset 2; GBK?)",
        ),
        ('{"名称": "农行"'.encode(), "the body is not JSON as the gateway reads it"),
    ],
    ids=["gbk", "utf-8-not-json"],
)
def test_a_body_not_utf8_is_told_apart_from_one_not_json(body: bytes, words: str) -> None:
    with pytest.raises(CheckFailedError) as failed:
        decode(body)
    assert failed.value.message_en.startswith(words)
    assert str(failed.value).startswith(failed.value.message_zh + " / ")  # Chinese first
    assert not failed.value.message_zh.isascii()


async def test_a_gbk_service_fails_saying_utf8_is_required_not_that_it_is_not_json() -> None:
    async def gbk(request: Request, body: bytes, forward: Forward) -> Response:
        answer = await forward()
        return relay(answer, answer.content.decode().encode("gbk"))

    async with kit_client(proxied("police", gbk)) as client:
        failed = failures(await check_endpoint("http://agency", TOKEN, "police", client=client))
    for name in ("openapi", "found-natural", "auth-missing"):
        assert "the body is not UTF-8" in failed[name], failed[name]
        assert "the contract requires UTF-8 JSON" in failed[name]
        assert "not JSON" not in failed[name]


async def test_an_answer_past_the_gateways_cap_fails_without_being_read_whole() -> None:
    chunk = b" " * (1024 * 1024)

    async def huge(request: Request) -> StreamingResponse:
        async def bytes_() -> AsyncIterator[bytes]:
            yield b'{"results": ['
            for _ in range(MAX_BODY_BYTES // len(chunk) * 4):  # four times the cap
                yield chunk

        return StreamingResponse(bytes_(), media_type="application/json")

    app = Starlette(routes=[Route("/v1/inquiries", huge, methods=["POST"])])
    async with AppServer(app) as server:
        results = await check_endpoint(server.url, TOKEN, "police")
    assert failures(results)["found-natural"] == (
        f"HTTP 200: the answer passed {MAX_BODY_BYTES} bytes, the most the gateway reads of it"
    )


async def test_a_control_answer_past_the_connectors_cap_fails() -> None:
    async def rewrite(request: Request, body: bytes, forward: Forward) -> Response:
        answer = await forward()
        if request.url.path != "/v1/controls" or answer.status_code != 200:
            return relay(answer)
        padded = answer.json() | {"reference": "R" * MAX_ANSWER_BYTES}
        return relay(answer, json.dumps(padded).encode())

    async with kit_client(proxied("fund", rewrite)) as client:
        failed = failures(await check_endpoint("http://agency", TOKEN, "fund", client=client))
    assert failed["control-applied"] == (
        f"HTTP 200: the answer passed {MAX_ANSWER_BYTES} bytes, the most the gateway reads of it"
    )


# --- 6. the service's text, shown safely --------------------------------------------------


async def test_a_control_in_a_services_reason_is_not_printed() -> None:
    async def rewrite(request: Request, body: bytes, forward: Forward) -> Response:
        answer = await forward()
        if request.url.path != "/v1/controls" or answer.status_code != 200:
            return relay(answer)
        rejected = {
            "requestId": answer.json()["requestId"],
            "status": "rejected",
            "reason": "\x1b[2J\x1b[H余额不足\r\u202eevil / no funds",
        }
        return relay(answer, json.dumps(rejected).encode())

    async with kit_client(proxied("fund", rewrite)) as client:
        failed = failures(await check_endpoint("http://agency", TOKEN, "fund", client=client))
    detail = failed["control-applied"]
    assert detail.endswith(": \ufffd[2J\ufffd[H余额不足 \ufffdevil / no funds")
    for result_detail in failed.values():
        assert not any(c in result_detail for c in "\x1b\r\n\u202e")


# --- 7, 8, 9. controls: applied twice, auth on both operations, the replay header ----------


async def test_a_repeat_applied_again_fails_the_release() -> None:
    """The service replays the first answer of a repeat, but applies the control again."""
    first: dict[bytes, bytes] = {}  # body -> its first answer
    fresh = iter(range(1000))

    async def rewrite(request: Request, body: bytes, forward: Forward) -> Response:
        authorised = request.headers.get("authorization") == f"Bearer {TOKEN}"
        if request.url.path != "/v1/controls" or request.method != "POST" or not authorised:
            return relay(await forward())
        if body in first:
            sent = json.loads(body)
            again = sent | {"requestId": f"{sent['requestId']}-again-{next(fresh)}"}
            await forward(content=json.dumps(again).encode())  # applied a second time
            return Response(
                first[body],
                200,
                {"Idempotent-Replayed": "true", "Content-Type": "application/json"},
            )
        answer = await forward()
        if answer.status_code == 200:
            first[body] = answer.content
        return relay(answer)

    async with kit_client(proxied("fund", rewrite)) as client:
        failed = failures(await check_endpoint("http://agency", TOKEN, "fund", client=client))
    assert set(failed) == {"control-release"}, failed
    assert failed["control-release"].startswith(
        "the release released 2, but the kit froze 1: was a control applied twice"
    )


@pytest.mark.parametrize(
    ("defect", "words"),
    [
        ("post-any-token", "POST with a wrong token: answered HTTP 200, not 401"),
        ("get-no-token", "GET without a token: answered HTTP 200, not 401"),
        ("get-any-token", "GET with a wrong token: answered HTTP 200, not 401"),
    ],
)
async def test_a_control_operation_that_takes_a_wrong_or_no_token_fails(
    defect: str, words: str
) -> None:
    async def rewrite(request: Request, body: bytes, forward: Forward) -> Response:
        method = {"post": "POST", "get": "GET"}[defect.split("-")[0]]
        given = request.headers.get("authorization")
        trusted = given is not None if defect.endswith("any-token") else given is None
        if request.url.path.startswith("/v1/controls") and request.method == method and trusted:
            headers = dict(request.headers) | {"authorization": f"Bearer {TOKEN}"}
            headers.pop("content-length", None)
            return relay(await forward(headers=headers))
        return relay(await forward())

    async with kit_client(proxied("bank", rewrite)) as client:
        failed = failures(await check_endpoint("http://agency", TOKEN, "bank", client=client))
    assert failed == {"control-auth": words}


async def test_a_service_without_the_status_route_fails_control_status_unknown() -> None:
    """The router's own 404, even a problem+json one, is not the contract's "never received":
    the gateway would send the control again after it."""
    app = create_mock_app("bank", token=TOKEN)
    app.router.routes = [
        route
        for route in app.router.routes
        if getattr(route, "path", None) != "/v1/controls/{request_id}"
    ]
    async with kit_client(app) as client:
        failed = failures(await check_endpoint("http://agency", TOKEN, "bank", client=client))
    assert failed["control-status-unknown"].startswith(
        "an unknown requestId got the same 404 as a path the endpoint does not serve "
        "(type 'urn:chakong:problem:http-404', title '未找到 / Not found')"
    )


async def test_a_service_whose_every_404_is_the_same_fails_control_status_unknown() -> None:
    async def generic(request: Request, body: bytes, forward: Forward) -> Response:
        answer = await forward()
        if answer.status_code != 404:
            return relay(answer)
        problem = {"type": "about:blank", "title": "Not Found", "status": 404}
        return Response(json.dumps(problem), 404, media_type="application/problem+json")

    async with kit_client(proxied("bank", generic)) as client:
        failed = failures(await check_endpoint("http://agency", TOKEN, "bank", client=client))
    assert set(failed) == {"control-status-unknown"}
    assert "(type 'about:blank', title 'Not Found')" in failed["control-status-unknown"]


async def test_a_repeat_without_the_replay_header_fails() -> None:
    async def rewrite(request: Request, body: bytes, forward: Forward) -> Response:
        answer = await forward()
        kept = relay(answer)
        del kept.headers["idempotent-replayed"]
        return kept if "idempotent-replayed" in answer.headers else relay(answer)

    async with kit_client(proxied("land", rewrite)) as client:
        failed = failures(await check_endpoint("http://agency", TOKEN, "land", client=client))
    assert failed == {
        "control-repeat": "a repeat's answer lacks the header Idempotent-Replayed: true"
    }


async def test_a_proxied_mock_passes_the_kit() -> None:
    """The proxy these tests build their defects on changes nothing by itself."""
    async with kit_client(proxied("land", passthrough)) as client:
        assert failures(await check_endpoint("http://agency", TOKEN, "land", client=client)) == {}


async def test_a_service_that_refuses_a_full_batch_fails_the_kit() -> None:
    """The gateway sends up to 500 subjects a call by default (at most the contract's 1,000): a
    service that takes only a few fails every large inquiry, and the kit says so."""

    async def small(request: Request, body: bytes, forward: Forward) -> Response:
        answer = await forward()
        try:
            count = len(json.loads(body)["subjects"])
        except (ValueError, KeyError, TypeError):
            count = 0
        if request.url.path == "/v1/inquiries" and 10 < count <= 1000 and answer.is_success:
            problem = {"type": "about:blank", "title": "too many", "status": 413}
            return Response(json.dumps(problem), 413, media_type="application/problem+json")
        return relay(answer)

    async with kit_client(proxied("police", small)) as client:
        failed = failures(await check_endpoint("http://agency", TOKEN, "police", client=client))
    assert set(failed) == {"full-batch"}
    assert "answered 413" in failed["full-batch"]


async def test_no_detail_shows_an_id_number_whole() -> None:
    """The details name the example subjects masked, as every output of the project does."""
    async with kit_client(proxied("police", passthrough)) as client:
        results = await check_endpoint("http://agency", TOKEN, "police", client=client)
    details = " ".join(r.detail for r in results)
    assert "not_found" in details  # the not-found check names its subject
    assert re.search(r"\d{15}", details) is None, details
    assert "********" in details


async def test_a_service_that_fails_on_json_outside_the_contract_fails_bad_request() -> None:
    async def shaky(request: Request, body: bytes, forward: Forward) -> Response:
        answer = await forward()
        if request.url.path == "/v1/inquiries" and answer.status_code == 400:
            try:
                json.loads(body)
            except ValueError:
                return relay(answer)  # the body that is not JSON: still a proper 400
            return Response(b"oops", 500, media_type="text/plain")
        return relay(answer)

    async with kit_client(proxied("police", shaky)) as client:
        failed = failures(await check_endpoint("http://agency", TOKEN, "police", client=client))
    assert set(failed) == {"bad-request"}
    assert failed["bad-request"].startswith("no subjects: ")
