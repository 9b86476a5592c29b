"""Status rules: request errors versus field errors, refusals, and masked failures."""

from __future__ import annotations

import pytest

from tests.gateway.http.helpers import (
    CASE,
    DEBTOR,
    GR,
    asgi_client,
    assert_error_body,
    make_view,
    post,
)

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
    # GraphQL's GetOperation: several operations and no operationName (strawberry ran the first)
    (
        {"query": "query A { __typename } query B { me { role } }"},
        "OPERATION_NOT_FOUND",
        "operationName",
    ),
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


async def test_of_several_operations_the_one_named_runs(client):
    document = "query A { __typename } query B { me { role } }"
    response = await post(client, {"query": document, "operationName": "B"})
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"me": {"role": "JUDGE"}}
    single = await post(client, {"query": "query B { me { role } }"})  # one needs no name
    assert single.json()["data"] == {"me": {"role": "JUDGE"}}


@pytest.mark.parametrize("written", ["3208-1219-8203-1512-56", "3208 1219 8203 1512 56"])
@pytest.mark.parametrize(
    ("place", "code"),
    [
        # the gateway's own refusal, which quotes the case number it could not read
        ("case", "INVALID_CASE_NUMBER"),
        # GraphQL's own, which quotes the refused value whole
        ("kind", "GRAPHQL_VALIDATION_FAILED"),
    ],
)
async def test_no_error_shows_an_id_number_written_with_dashes_or_spaces(
    client, written, place, code
):
    """320812198203151256 as a person writes it: one ID number (its normal form drops the
    dashes and spaces), masked in every message as the log masks it."""
    subject = {"kind": written if place == "kind" else "NATURAL", "id": "1"}
    variables = {"subject": subject, "case": written if place == "case" else CASE}
    response = await post(client, {"query": DEBTOR, "variables": variables})
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == code
    extensions = error["extensions"]
    for text in (error["message"], extensions["messageZh"], extensions["messageEn"]):
        assert "1219" not in text, text
        assert "8203" not in text, text
