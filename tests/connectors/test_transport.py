"""Transport failures and HTTP statuses mapped to the error tree (``connectors.transport``)."""

from __future__ import annotations

import re

import aiohttp
import httpx
import pytest

from connectors.errors import (
    AgencyAuthenticationError,
    AgencyRateLimitedError,
    ConnectorError,
    MalformedResponseError,
    RequestRejectedError,
    SourceTimeoutError,
    SourceUnavailableError,
)
from connectors.transport import check_status, map_transport_errors
from tests.connectors.transport_errors import aiohttp_client_errors, exception_classes, instance

REQUEST = httpx.Request("POST", "http://agency.example/v1/inquiries")


def httpx_transport_errors() -> list[type[BaseException]]:
    return exception_classes(httpx, httpx.TransportError)


@pytest.mark.parametrize("cls", httpx_transport_errors(), ids=lambda c: c.__name__)
def test_every_httpx_transport_error_is_mapped(cls):
    with pytest.raises(ConnectorError) as caught, map_transport_errors("bank"):
        raise instance(cls)
    assert isinstance(caught.value.__cause__, cls)
    expected = SourceTimeoutError if issubclass(cls, httpx.TimeoutException) else ConnectorError
    assert isinstance(caught.value, expected)


@pytest.mark.parametrize("cls", aiohttp_client_errors(), ids=lambda c: c.__name__)
def test_every_aiohttp_client_error_is_mapped(cls):
    # raised as is by the reads sent straight on aiohttp (connectors.client.AiohttpReads)
    with pytest.raises(ConnectorError) as caught, map_transport_errors("bank"):
        raise instance(cls)
    timeout = issubclass(cls, aiohttp.ServerTimeoutError)
    assert isinstance(caught.value, SourceTimeoutError) is timeout
    assert isinstance(caught.value, SourceUnavailableError) is not timeout


def test_a_dropped_connection_reported_as_connect_timeout_is_unavailable():
    # httpx-aiohttp maps aiohttp's ServerDisconnectedError to httpx.ConnectTimeout
    mapped = httpx.ConnectTimeout("disconnected")
    mapped.__cause__ = aiohttp.ServerDisconnectedError()
    with pytest.raises(SourceUnavailableError), map_transport_errors("bank"):
        raise mapped


@pytest.mark.parametrize(
    "cls",
    [c for c in aiohttp_client_errors() if issubclass(c, aiohttp.ClientSSLError)],
    ids=lambda c: c.__name__,
)
@pytest.mark.parametrize("how", ["as is", "as httpx.ConnectTimeout"])
def test_a_failed_tls_handshake_says_so(cls, how):
    # httpx-aiohttp reports aiohttp's certificate errors as httpx.ConnectTimeout too
    error: BaseException = instance(cls)
    if how != "as is":
        error = httpx.ConnectTimeout("cannot connect")
        error.__cause__ = instance(cls)
    with pytest.raises(SourceUnavailableError) as caught, map_transport_errors("bank"):
        raise error
    assert "TLS handshake failed" in caught.value.message_en
    assert "TLS 握手失败" in caught.value.message_zh


@pytest.mark.parametrize(
    ("status", "error"),
    [
        # a redirect is not followed: the agency's address is wrong, not the request
        (301, MalformedResponseError),
        (302, MalformedResponseError),
        (307, MalformedResponseError),
        (308, MalformedResponseError),
        (400, RequestRejectedError),
        (401, AgencyAuthenticationError),
        (403, AgencyAuthenticationError),
        (404, RequestRejectedError),
        (409, RequestRejectedError),
        (413, RequestRejectedError),
        (429, AgencyRateLimitedError),
        (500, SourceUnavailableError),
        (502, SourceUnavailableError),
        (503, SourceUnavailableError),
    ],
)
def test_error_statuses(status, error):
    response = httpx.Response(status, json={"title": "拒绝 / refused"}, request=REQUEST)
    with pytest.raises(error) as caught:
        check_status("bank", response)
    assert str(status) in caught.value.safe_message


def test_a_rejections_two_languages_each_go_in_their_own_half():
    response = httpx.Response(
        422, json={"title": "账户已销户 / the account is closed"}, request=REQUEST
    )
    with pytest.raises(RequestRejectedError) as caught:
        check_status("bank", response)
    assert caught.value.message_zh == "bank 拒绝了请求（HTTP 422）：账户已销户"
    assert caught.value.message_en == "bank rejected the request (HTTP 422): the account is closed"
    one = httpx.Response(422, json={"title": "account closed"}, request=REQUEST)
    with pytest.raises(RequestRejectedError) as caught:
        check_status("bank", one)
    assert caught.value.message_zh.endswith("：account closed")  # one language: in both halves
    assert caught.value.message_en.endswith(": account closed")


def test_success_statuses_pass():
    check_status("bank", httpx.Response(200, request=REQUEST))


def test_an_id_number_across_the_titles_cut_is_masked_before_it():
    title = "x" * 105 + " 320802198503150018 is closed"  # the cut falls after 14 of its digits
    response = httpx.Response(422, json={"title": title}, request=REQUEST)
    with pytest.raises(RequestRejectedError) as caught:
        check_status("bank", response)
    assert "x" * 105 + " 320802********" in caught.value.message_en
    assert re.search(r"\d{7}", caught.value.message_en) is None, caught.value.message_en


@pytest.mark.parametrize(
    "written",
    [
        "abc320802198503150018",  # glued to letters
        "3208 0219 8503 1500 18",  # spaced as a person writes it
        "ID320802198503150018X",
    ],
)
def test_an_id_number_however_written_in_a_title_is_masked(written: str):
    response = httpx.Response(422, json={"title": f"账户 {written} 已冻结"}, request=REQUEST)
    with pytest.raises(RequestRejectedError) as caught:
        check_status("bank", response)
    digits = re.sub(r"\D", "", caught.value.safe_message)
    assert "1985031500" not in digits, caught.value.safe_message


def test_control_and_bidirectional_characters_of_a_title_are_not_shown():
    # an escape sequence for the operator's terminal, a right-to-left override that would
    # reorder what the judge reads after it
    title = "refused \x1b[2J\u202egnirts\x07 here"
    response = httpx.Response(422, json={"title": title}, request=REQUEST)
    with pytest.raises(RequestRejectedError) as caught:
        check_status("bank", response)
    shown = caught.value.safe_message
    assert not {"\x1b", "\u202e", "\x07"} & set(shown), repr(shown)
    assert "refused \ufffd[2J\ufffdgnirts\ufffd here" in shown


def test_a_problem_title_is_shown_cut_short_and_a_body_that_is_not_json_is_ignored():
    long_title = "x" * 500
    response = httpx.Response(422, json={"title": long_title}, request=REQUEST)
    with pytest.raises(RequestRejectedError) as caught:
        check_status("bank", response)
    assert "x" * 120 in caught.value.message_en
    assert "x" * 121 not in caught.value.message_en
    garbage = httpx.Response(422, content=b"<html>", request=REQUEST)
    with pytest.raises(RequestRejectedError):
        check_status("bank", garbage)
