"""The view: methods, the explorer, the application's context factory, introspection."""

from __future__ import annotations

import json

import pytest

from gateway.auth.tokens import TokenInvalidError
from tests.gateway.http.helpers import (
    GR,
    JUDGE,
    asgi_client,
    assert_error_body,
    make_view,
    post,
)

# --- methods -------------------------------------------------------------------------------------


@pytest.mark.parametrize("accept", [GR, "application/json"])
async def test_get_runs_queries_with_variables(accept):
    query = "query T($n: String!) { __type(name: $n) { name } }"
    params = {"query": query, "variables": json.dumps({"n": "Agency"}), "operationName": "T"}
    async with asgi_client(make_view(JUDGE)) as c:
        response = await c.get("/graphql", params=params, headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{accept}; charset=utf-8"
    assert response.json() == {"data": {"__type": {"name": "Agency"}}}


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_no_answer_is_kept_by_a_cache(client, method):
    # an answer holds a debtor's assets, as a report does: never kept by a proxy or a browser
    query = "{ me { role } }"
    if method == "GET":
        response = await client.get("/graphql", params={"query": query})
    else:
        response = await post(client, {"query": query})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"  # read as JSON, nothing else


@pytest.mark.parametrize("accept", [GR, "application/json"])
async def test_get_may_not_run_a_mutation(client, accept):
    response = await client.get(
        "/graphql", params={"query": "mutation { anything }"}, headers={"accept": accept}
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert_error_body(response, "METHOD_NOT_ALLOWED")


async def test_a_mutation_by_post_is_a_graphql_error_not_a_405(client):
    # the schema may or may not have mutations; either way POST is the right method
    response = await post(client, {"query": "mutation { anything }"})
    assert response.status_code in (200, 400)
    assert response.json()["errors"]


@pytest.mark.parametrize("name", ["query", "operationName", "variables", "extensions"])
async def test_a_parameter_given_twice_is_refused_not_its_last_value_taken(client, name):
    first = {
        "query": "query A { __typename }",
        "operationName": "A",
        "variables": "{}",
        "extensions": "{}",
    }
    once = await client.get("/graphql", params=first, headers={"accept": GR})
    assert once.json() == {"data": {"__typename": "Query"}}
    params = [*first.items(), (name, first[name])]  # the same value again: still refused
    response = await client.get("/graphql", params=params, headers={"accept": GR})
    assert response.status_code == 400
    body = assert_error_body(response, "INVALID_REQUEST")
    assert name in body["errors"][0]["extensions"]["messageEn"]
    assert name in body["errors"][0]["extensions"]["messageZh"]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
async def test_other_methods_are_405(client, method):
    response = await client.request(method, "/graphql", headers={"accept": GR})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert_error_body(response, "METHOD_NOT_ALLOWED")


async def test_get_without_a_query_is_400_unless_a_browser_asks_for_the_explorer(client):
    response = await client.get("/graphql", headers={"accept": GR})
    assert response.status_code == 400
    assert_error_body(response, "MISSING_QUERY")
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "graphiql" in page.text.lower()


# --- the application's context factory ------------------------------------------------------


@pytest.mark.parametrize("accept", [GR, "application/json"])
async def test_a_refusal_of_the_context_factory_keeps_its_status_and_code(accept):
    refusal = TokenInvalidError("令牌无效", "the token is invalid")
    async with asgi_client(make_view(refuse=refusal)) as c:
        response = await post(c, {"query": "{ __typename }"}, accept=accept)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == (
        'Bearer realm="chakong", error="invalid_token", error_description="TOKEN_INVALID"'
    )
    assert response.headers["content-type"] == f"{accept}; charset=utf-8"
    body = assert_error_body(response, "TOKEN_INVALID")
    assert body["errors"][0]["extensions"]["messageEn"] == "the token is invalid"


async def test_a_crashing_context_factory_is_a_masked_500():
    async with asgi_client(make_view(refuse=RuntimeError("db password is hunter2"))) as c:
        response = await post(c, {"query": "{ __typename }"})
    assert response.status_code == 500
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text
    assert_error_body(response, "INTERNAL_ERROR")


async def test_introspection_over_http_for_an_authenticated_caller():
    async with asgi_client(make_view(JUDGE)) as c:
        response = await post(c, {"query": "{ __schema { queryType { name } } }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


async def test_introspection_over_http_for_an_anonymous_caller():
    async with asgi_client(make_view()) as anonymous:
        response = await post(anonymous, {"query": "{ __schema { queryType { name } } }"})
    assert response.status_code == 401  # authenticate first
    assert_error_body(response, "INTROSPECTION_DISABLED")
