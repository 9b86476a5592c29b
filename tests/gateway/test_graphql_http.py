"""GraphQL over HTTP: media types, status codes and error bodies, rule by rule.

The view runs in process (httpx's ASGI transport) with no agency configured, so every
inquiry is a fast NOT_CONFIGURED; ``make_view`` lets a test choose the caller.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from gateway.auth.principal import ANONYMOUS, Principal, Role
from gateway.domain.errors import ChakongError
from gateway.graphql_view import GRAPHQL_RESPONSE_JSON, GatewayGraphQL, negotiate
from gateway.resolvers.context import Context
from gateway.services.cache import RecordCache
from gateway.services.fanout import FanOut
from gateway.services.inquiry import InquiryLimits, InquiryService
from gateway.services.persisted import PersistedOperations
from gateway.settings import LimitSettings
from mocks.synthetic import Tier, example_subjects

CASE = "(2026)苏0802执123号"
RICH = example_subjects()["natural"][Tier.RICH]
GR = GRAPHQL_RESPONSE_JSON
JUDGE = Principal(Role.JUDGE, subject="judge-7", court="苏0802", judge="j7")

DEBTOR = """
query Debtor($subject: SubjectInput!, $case: String!) {
  debtor(subject: $subject, caseNumber: $case, agencies: [POLICE]) {
    subject { id }
    sources { agency status }
  }
}
"""


def service() -> InquiryService:
    return InquiryService(FanOut({}, RecordCache.from_url("memory://")), InquiryLimits())


def make_view(
    principal: Principal = ANONYMOUS,
    *,
    limits: LimitSettings | None = None,
    persisted: PersistedOperations | None = None,
    refuse: Exception | None = None,
) -> GatewayGraphQL:
    inquiries = service()

    async def context(request: Request) -> Context:
        if refuse is not None:
            raise refuse
        return Context(inquiries=inquiries, principal=principal)

    return GatewayGraphQL(context, limits=limits, persisted=persisted)


def asgi_client(view: GatewayGraphQL) -> httpx.AsyncClient:
    # every method reaches the view, so its own 405 can be checked
    methods = ["GET", "POST", "PUT", "DELETE", "PATCH"]
    app = Starlette(routes=[Route("/graphql", view, methods=methods)])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """A judge's client: the rules of the protocol, past authentication."""
    async with asgi_client(make_view(JUDGE)) as c:
        yield c


def post(client: httpx.AsyncClient, body: Any, accept: str | None = GR, **headers: str):
    if accept is not None:
        headers["accept"] = accept
    return client.post("/graphql", json=body, headers=headers)


def code_of(response: httpx.Response) -> str:
    return str(response.json()["errors"][0]["extensions"]["code"])


def assert_error_body(response: httpx.Response, code: str) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert "data" not in body
    assert code_of(response) == code
    message = body["errors"][0]["message"]
    assert " / " in message  # 中文 / English
    return body


# --- Accept negotiation ---------------------------------------------------------------------


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


# --- request bodies -----------------------------------------------------------------------


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


async def test_a_body_larger_than_the_limit_is_413():
    view = make_view()
    view.max_body_bytes = 1000
    async with asgi_client(view) as c:
        response = await post(c, {"query": "{ __typename }", "variables": {"x": "a" * 2000}})
    assert response.status_code == 413
    assert_error_body(response, "PAYLOAD_TOO_LARGE")


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


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
async def test_other_methods_are_405(client, method):
    response = await client.request(method, "/graphql", headers={"accept": GR})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert_error_body(response, "METHOD_NOT_ALLOWED")


async def test_get_with_unparsable_variables_is_400(client):
    params = {"query": DEBTOR, "variables": "{subject:"}
    response = await client.get("/graphql", params=params, headers={"accept": GR})
    assert response.status_code == 400
    assert_error_body(response, "INVALID_JSON")


async def test_get_without_a_query_is_400_unless_a_browser_asks_for_the_explorer(client):
    response = await client.get("/graphql", headers={"accept": GR})
    assert response.status_code == 400
    assert_error_body(response, "MISSING_QUERY")
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "graphiql" in page.text.lower()


# --- request errors versus field errors ---------------------------------------------------------


REQUEST_ERRORS = [
    ({"query": "{ debtor(("}, "GRAPHQL_PARSE_FAILED", "Syntax Error"),
    ({"query": "{ nope }"}, "GRAPHQL_VALIDATION_FAILED", "nope"),
    (
        {"query": DEBTOR, "variables": {"subject": {"kind": "ROBOT", "id": "1"}, "case": CASE}},
        "GRAPHQL_VALIDATION_FAILED",
        "ROBOT",
    ),
    ({"query": DEBTOR, "variables": {"case": CASE}}, "GRAPHQL_VALIDATION_FAILED", "subject"),
    (
        {"query": "query A { __typename }", "operationName": "B"},
        "OPERATION_NOT_FOUND",
        "operationName",
    ),
    ({"query": "subscription { anything }"}, "OPERATION_TYPE_NOT_ALLOWED", "subscription"),
]


@pytest.mark.parametrize(("body", "code", "needle"), REQUEST_ERRORS)
async def test_request_errors_are_400_without_data_under_graphql_response_json(
    client, body, code, needle
):
    response = await post(client, body, accept=GR)
    assert response.status_code == 400
    assert response.headers["content-type"] == f"{GR}; charset=utf-8"
    payload = response.json()
    assert "data" not in payload
    (error,) = payload["errors"]
    assert error["extensions"]["code"] == code
    assert needle in error["message"]
    assert "internal gateway error" not in error["message"]


@pytest.mark.parametrize(("body", "code", "needle"), REQUEST_ERRORS)
async def test_request_errors_are_200_under_legacy_json(client, body, code, needle):
    response = await post(client, body, accept="application/json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    payload = response.json()
    assert "data" not in payload
    assert payload["errors"][0]["extensions"]["code"] == code


@pytest.mark.parametrize("accept", [GR, "application/json"])
async def test_a_field_error_keeps_data_null_and_is_200(client, accept):
    bad = {"subject": {"kind": "NATURAL", "id": "320802197805121128"}, "case": CASE}
    response = await post(client, {"query": DEBTOR, "variables": bad}, accept=accept)
    assert response.status_code == 200
    payload = response.json()
    assert payload["data"] is None  # present: execution started
    (error,) = payload["errors"]
    assert error["path"] == ["debtor"]
    assert error["extensions"]["code"] == "INVALID_SUBJECT_ID"


async def test_a_limit_error_is_a_request_error(client):
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }"
    response = await post(client, {"query": query})
    assert response.status_code == 400
    assert_error_body(response, "ALIAS_LIMIT_EXCEEDED")


async def test_an_exception_before_execution_is_masked(client, monkeypatch):
    import gateway.schema.limits as limits

    def explode(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(limits, "estimate_cost", explode)
    response = await post(client, {"query": "{ __typename }"})
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
    assert response.status_code == 400
    masked = {"message": "网关内部错误 / internal gateway error"}
    assert response.json()["errors"] == [{**masked, "extensions": {"code": "INTERNAL_ERROR"}}]


async def test_lone_surrogates_sent_by_the_caller_do_not_break_the_answer(client):
    content = b'{"query": "{ nope\\ud800 }"}'
    headers = {"content-type": "application/json", "accept": GR}
    response = await client.post("/graphql", content=content, headers=headers)
    assert response.status_code == 400
    assert response.json()["errors"]


# --- the application's context factory ------------------------------------------------------


class TokenRejectedError(ChakongError):
    """What the lead's ``AuthenticationError`` looks like to the view."""

    code = "UNAUTHENTICATED"
    http_status = 401
    http_headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}  # noqa: RUF012


@pytest.mark.parametrize("accept", [GR, "application/json"])
async def test_a_refusal_of_the_context_factory_keeps_its_status_and_code(accept):
    refusal = TokenRejectedError("令牌无效", "the token is invalid")
    async with asgi_client(make_view(refuse=refusal)) as c:
        response = await post(c, {"query": "{ __typename }"}, accept=accept)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert response.headers["content-type"] == f"{accept}; charset=utf-8"
    body = assert_error_body(response, "UNAUTHENTICATED")
    assert body["errors"][0]["extensions"]["messageEn"] == "the token is invalid"


@pytest.mark.parametrize("accept", [GR, "application/json"])
async def test_a_refusal_before_execution_keeps_the_status_of_its_error(accept, monkeypatch):
    # what a permission check does: a result with the refusal alone, wrapping the gateway error
    from graphql import GraphQLError
    from strawberry.types import ExecutionResult

    from gateway.domain.errors import PermissionDeniedError

    denied = PermissionDeniedError("无权", "not allowed", code="FORBIDDEN_OPERATION")
    error = GraphQLError(str(denied), original_error=denied, extensions={"code": denied.code})
    view = make_view()

    async def refuse(*args, **kwargs):
        return ExecutionResult(data=None, errors=[error])

    monkeypatch.setattr(view.schema, "execute", refuse)
    async with asgi_client(view) as c:
        response = await post(c, {"query": "{ __typename }"}, accept=accept)
    assert response.status_code == 403
    assert_error_body(response, "FORBIDDEN_OPERATION")


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
