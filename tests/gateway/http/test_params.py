"""The request parameters: POST bodies (media type, JSON, size) and GET query strings."""

from __future__ import annotations

import json

import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from tests.asgi import raw_post
from tests.gateway.http.helpers import (
    DEBTOR,
    GR,
    asgi_client,
    assert_error_body,
    make_view,
    post,
)


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/graphql",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin-1",
        None,
    ],
)
async def test_a_post_body_that_is_not_json_is_415(client, content_type):
    headers = {"accept": GR}
    if content_type is not None:
        headers["content-type"] = content_type
    content = json.dumps({"query": "{ __typename }"}).encode()
    response = await client.post("/graphql", content=content, headers=headers)
    assert response.status_code == 415
    assert_error_body(response, "UNSUPPORTED_MEDIA_TYPE")


async def test_json_with_a_charset_parameter_is_accepted(client):
    content = json.dumps({"query": "{ __typename }"}).encode()
    headers = {"content-type": "application/json; charset=UTF-8", "accept": GR}
    response = await client.post("/graphql", content=content, headers=headers)
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("accept", [GR, "application/json"])
@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"{not json", "INVALID_JSON"),
        (b'{"query": "{ __typename }", "variables": {"x": NaN}}', "INVALID_JSON"),
        (b"\xff\xfe\x00", "INVALID_JSON"),
        # UTF-16 and UTF-32, which json.loads would guess from the bytes: the body is UTF-8
        pytest.param('{"query": "{ __typename }"}'.encode("utf-16"), "INVALID_JSON", id="utf-16"),
        pytest.param(
            '{"query": "{ __typename }"}'.encode("utf-16-le"), "INVALID_JSON", id="utf-16-le"
        ),
        pytest.param('{"query": "{ __typename }"}'.encode("utf-32"), "INVALID_JSON", id="utf-32"),
        (b"[" * 100_000, "INVALID_JSON"),
        (b"", "INVALID_JSON"),
        (b'"a string"', "INVALID_REQUEST"),
        (b"[]", "BATCHING_NOT_SUPPORTED"),
        (b'[{"query": "{ __typename }"}]', "BATCHING_NOT_SUPPORTED"),
        (b"{}", "MISSING_QUERY"),
        (b'{"query": null}', "MISSING_QUERY"),
        (b'{"query": ""}', "MISSING_QUERY"),
        (b'{"query": 5}', "INVALID_REQUEST"),
        (b'{"query": "{ __typename }", "variables": [1]}', "INVALID_REQUEST"),
        (b'{"query": "{ __typename }", "variables": "{}"}', "INVALID_REQUEST"),
        (b'{"query": "{ __typename }", "operationName": 1}', "INVALID_REQUEST"),
        (b'{"query": "{ __typename }", "extensions": true}', "INVALID_REQUEST"),
    ],
)
async def test_malformed_requests_are_400_on_both_media_types(client, accept, content, code):
    headers = {"content-type": "application/json", "accept": accept}
    response = await client.post("/graphql", content=content, headers=headers)
    assert response.status_code == 400
    assert response.headers["content-type"] == f"{accept}; charset=utf-8"
    assert_error_body(response, code)


async def test_a_utf8_body_may_start_with_a_byte_order_mark(client):
    # RFC 8259 8.1: a parser may ignore it, as json.loads of the bytes always has
    content = b"\xef\xbb\xbf" + json.dumps({"query": "{ __typename }"}).encode()
    headers = {"content-type": "application/json", "accept": GR}
    response = await client.post("/graphql", content=content, headers=headers)
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_body_larger_than_the_limit_is_413():
    view = make_view()
    view.max_body_bytes = 1000
    async with asgi_client(view) as c:
        response = await post(c, {"query": "{ __typename }", "variables": {"x": "a" * 2000}})
    assert response.status_code == 413
    assert_error_body(response, "PAYLOAD_TOO_LARGE")


async def test_get_with_unparsable_variables_is_400(client):
    params = {"query": DEBTOR, "variables": "{subject:"}
    response = await client.get("/graphql", params=params, headers={"accept": GR})
    assert response.status_code == 400
    assert_error_body(response, "INVALID_JSON")


@pytest.mark.parametrize("declared", ["²", "¹²", "1e3", "-5", ""])
async def test_a_content_length_of_other_digits_is_not_an_internal_error(declared):
    app = Starlette(routes=[Route("/graphql", make_view(), methods=["POST"])])
    status, body = await raw_post(app, "/graphql", declared, b'{"query": "{ __typename }"}')
    assert status == 200, body
    assert json.loads(body)["data"] == {"__typename": "Query"}
