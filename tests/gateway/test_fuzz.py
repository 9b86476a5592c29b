"""Fuzzing the GraphQL endpoint: generated queries and malformed requests never get a 500 or a
stack trace, and every answer is GraphQL-shaped JSON.

The real application (``create_app``) runs in process inside its lifespan; no agency is
configured, so inquiries that get through are fast NOT_CONFIGURED answers.
"""

from __future__ import annotations

import datetime
import json
import string
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema

from gateway.api import build_schema
from gateway.app import create_app
from gateway.http.negotiation import GRAPHQL_RESPONSE_JSON
from gateway.settings import Settings
from tests.conftest import TOKENS

# what a leaked stack trace or exception looks like in a body
LEAKS = (
    "Traceback",
    'File "',
    "site-packages",
    "RecursionError",
    "RuntimeError",
    "TypeError",
    "KeyError",
    "AttributeError",
    "ValueError",
    "AssertionError",
    "IndexError",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
)
ACCEPTS = [None, "*/*", "application/json", GRAPHQL_RESPONSE_JSON, f"{GRAPHQL_RESPONSE_JSON}, */*"]
FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,  # no example database in the tree
)


@pytest.fixture(params=["judge", "system", "admin", None])
def auth_headers(request: pytest.FixtureRequest) -> dict[str, str]:
    """Who fuzzes: a judge and a court system (past the permission table to the resolvers), an
    administrator, and an anonymous caller."""
    who = request.param
    return {} if who is None else {"Authorization": f"Bearer {TOKENS[who]}"}


@pytest.fixture
async def client(tmp_path: Path, auth_headers: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'fuzz.db'}", demo=True)
    )
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=transport, base_url="http://gateway", headers=auth_headers, timeout=30
        ) as c,
    ):
        yield c


def check_answer(response: httpx.Response, sent: str) -> dict[str, Any]:
    """Never a 500, always GraphQL-shaped JSON, nothing leaked that the request did not carry."""
    assert response.status_code < 500, response.text
    body = response.json()
    assert isinstance(body, dict)
    assert "data" in body or body.get("errors"), body
    for error in body.get("errors") or []:
        assert isinstance(error["message"], str)
        assert "internal gateway error" not in error["message"], body  # nothing unexpected
    for leak in LEAKS:
        if leak not in sent:
            assert leak not in response.text, response.text
    media = response.headers["content-type"]
    assert media.endswith("; charset=utf-8")
    return body


# --- generated queries --------------------------------------------------------------------


def _scalar_strategies(schema: graphql.GraphQLSchema) -> dict[str, st.SearchStrategy[Any]]:
    """Value nodes for the custom scalars the schema has (dates, amounts)."""

    def text(values: st.SearchStrategy[Any]) -> st.SearchStrategy[graphql.StringValueNode]:
        return values.map(lambda v: graphql.StringValueNode(value=str(v)))

    known = {
        "Date": text(st.dates()),
        "DateTime": text(
            st.datetimes(timezones=st.just(datetime.UTC)).map(lambda d: d.isoformat())
        ),
        "Decimal": text(st.decimals(allow_nan=False, allow_infinity=False, places=2)),
        "JSON": text(st.text(max_size=10)),
    }
    return {name: strategy for name, strategy in known.items() if name in schema.type_map}


SCHEMA = build_schema()._schema
GENERATED = st.one_of(
    from_schema(SCHEMA, custom_scalars=_scalar_strategies(SCHEMA)),
    from_schema(SCHEMA, custom_scalars=_scalar_strategies(SCHEMA), mode=Mode.NEGATIVE),
)


@settings(FUZZ, max_examples=80)
@given(query=GENERATED, accept=st.sampled_from(ACCEPTS), method=st.sampled_from(["GET", "POST"]))
async def test_generated_queries(client: httpx.AsyncClient, query: str, accept, method):
    headers = {} if accept is None else {"accept": accept}
    if method == "GET":
        response = await client.get("/graphql", params={"query": query}, headers=headers)
    else:
        response = await client.post("/graphql", json={"query": query}, headers=headers)
    body = check_answer(response, query)
    if response.status_code == 405:
        assert method == "GET"
        assert query.lstrip().startswith("mutation")
    if "data" not in body and accept in (GRAPHQL_RESPONSE_JSON, f"{GRAPHQL_RESPONSE_JSON}, */*"):
        assert response.status_code >= 400  # a request error is a 4xx on the new media type


# --- malformed requests --------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
PARAMS = st.fixed_dictionaries(
    {},
    optional={
        "query": JSON_VALUES | st.text(alphabet=string.printable + "{}()[]$:!@\u4e2d", max_size=80),
        "variables": JSON_VALUES,
        "operationName": JSON_VALUES,
        "extensions": JSON_VALUES,
        "documentId": JSON_VALUES,
    },
)
PATHOLOGICAL = st.sampled_from(
    [
        b"[" * 100_000,
        b'{"query": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        json.dumps({"query": "{ a" * 1_500 + "}" * 1_500}).encode(),
        json.dumps({"query": "{ a(x: " + "[" * 1_500 + "]" * 1_500 + ") }"}).encode(),
        json.dumps({"query": "{ __typename " + "a: __typename " * 3_000 + "}"}).encode(),
        json.dumps({"query": "{ debtor(" * 300}).encode(),
        json.dumps({"query": "{ __typename }", "variables": {"x": "y" * 2_000_000}}).encode(),
        json.dumps(
            {
                "query": 'query($x: Int) { debtor(subject: {kind: NATURAL, id: "1"}, '
                'caseNumber: "c", deadlineMs: $x) { caseNumber } }',
                "variables": {"x": 10**400},
            }
        ).encode(),
        b'{"query": "{ __typename }", "variables": {"x": NaN}}',
        b'{"query": "\\ud800"}',
        '{"query": "{ 查控 }"}'.encode("utf-16"),
        b"\x00" * 64,
    ]
)
BODIES = st.one_of(
    st.binary(max_size=300),
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    PARAMS.map(lambda v: json.dumps(v, default=str).encode()),
    PATHOLOGICAL,
)
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "application/graphql-response+json",
        "text/plain",
        "multipart/form-data; boundary=--x",
        "application/x-www-form-urlencoded",
        "",
    ]
)


@settings(FUZZ, max_examples=150)
@given(body=BODIES, content_type=CONTENT_TYPES, accept=st.sampled_from([*ACCEPTS, "text/html"]))
async def test_malformed_post_bodies(client: httpx.AsyncClient, body: bytes, content_type, accept):
    headers = {"content-type": content_type}
    if accept is not None:
        headers["accept"] = accept
    response = await client.post("/graphql", content=body, headers=headers)
    check_answer(response, body.decode("utf-8", "replace"))


@settings(FUZZ, max_examples=60)
@given(
    params=st.dictionaries(
        st.sampled_from(["query", "variables", "operationName", "extensions", "documentId", "x"]),
        st.text(max_size=60),
        max_size=4,
    ),
    accept=st.sampled_from(ACCEPTS),
)
async def test_malformed_get_parameters(client: httpx.AsyncClient, params, accept):
    headers = {} if accept is None else {"accept": accept}
    response = await client.get("/graphql", params=params, headers=headers)
    check_answer(response, json.dumps(params))
