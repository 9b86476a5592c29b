"""Content negotiation: the answer's media type from ``Accept``, and 406 when none fits."""

from __future__ import annotations

import pytest

from gateway.http.negotiation import negotiate
from tests.gateway.http.helpers import (
    GR,
    assert_error_body,
    post,
)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/json"),
        ("", "application/json"),
        ("*/*", "application/json"),
        ("application/*", "application/json"),
        ("application/json", "application/json"),
        (GR, GR),
        (f"{GR}; charset=utf-8", GR),
        (f"{GR}, application/json", GR),
        (f"application/json, {GR}", GR),  # equal q: the named graphql-response wins
        (f"application/json, {GR};q=0.9", "application/json"),
        (f"{GR};q=0.5, application/json;q=0.8", "application/json"),
        (f"application/json;q=0, {GR}", GR),
        (f"{GR}, */*;q=0.1", GR),
        (f"*/*;q=0.5, {GR}", GR),
        (f"{GR};q=0, */*", "application/json"),
        ("text/html, application/xhtml+xml, */*;q=0.8", "application/json"),
        ("text/html", None),
        ("application/json;q=0", None),
        ("application/xml, image/png", None),
        ("application/json;q=lots", None),
    ],
)
def test_media_type_negotiation(accept, expected):
    assert negotiate(accept) == expected


@pytest.mark.parametrize(
    ("accept", "media"),
    [(None, "application/json"), ("*/*", "application/json"), (GR, GR)],
)
async def test_the_answer_has_the_negotiated_type_with_utf8(client, accept, media):
    response = await post(client, {"query": "{ __typename }"}, accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{media}; charset=utf-8"
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_nothing_acceptable_is_406(client):
    response = await post(client, {"query": "{ __typename }"}, accept="text/html, image/*")
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert_error_body(response, "NOT_ACCEPTABLE")
