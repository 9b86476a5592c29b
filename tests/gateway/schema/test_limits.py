"""Request limits: depth, aliases, tokens, cost and introspection, all before any resolver runs."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from graphql import get_introspection_query, parse

from connectors.registry import AGENCIES
from gateway.api import Query, build_schema
from gateway.auth.principal import ANONYMOUS, Principal
from gateway.schema.context import Context
from gateway.schema.limits import estimate_cost, limit_extensions
from gateway.services.inquiry import InquiryService
from gateway.settings import LimitSettings, Settings
from tests.gateway.http.helpers import JUDGE, service

CASE = "(2026)苏0802执123号"
ONE = '{kind: NATURAL, id: "110101199003077774"}'


def debtor(args: str = "", selection: str = "caseNumber", alias: str = "") -> str:
    head = f"{alias}: " if alias else ""
    return f'{head}debtor(subject: {ONE}, caseNumber: "{CASE}"{args}) {{ {selection} }}'


def cost(query: str, variables: dict[str, Any] | None = None, name: str | None = None) -> int:
    return estimate_cost(parse(query), variables, name)


# --- cost ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("", 10),
        (", agencies: null", 10),
        (", agencies: [POLICE, LAND]", 2),
        (", agencies: [POLICE, POLICE]", 1),
        (", agencies: POLICE", 1),
    ],
)
def test_a_debtor_costs_the_agencies_asked(args, expected):
    assert cost("{ " + debtor(args) + " }") == expected


def test_a_batch_costs_subjects_times_agencies():
    subjects = ", ".join([ONE] * 3)
    args = f'subjects: [{subjects}], caseNumber: "{CASE}", agencies: [BANK]'
    query = f"{{ debtors({args}) {{ caseNumber }} }}"
    assert cost(query) == 3


BATCH = """
query Batch($subjects: [SubjectInput!]!, $agencies: [Agency!] = [POLICE]) {
  debtors(subjects: $subjects, caseNumber: "(2026)苏0802执123号", agencies: $agencies) {
    subject { id } sources { agency status }
  }
}
"""


def subjects(n: int) -> list[dict[str, str]]:
    return [{"kind": "NATURAL", "id": str(i)} for i in range(n)]


def test_a_batch_reads_its_size_and_agencies_from_variables():
    assert cost(BATCH, {"subjects": subjects(200), "agencies": ["POLICE", "LAND"]}) == 400
    assert cost(BATCH, {"subjects": subjects(200), "agencies": None}) == 2000
    assert cost(BATCH, {"subjects": subjects(200)}) == 200  # the variable's default
    assert cost(BATCH, {"subjects": {"kind": "NATURAL", "id": "1"}}) == 1  # coerced to a list


def test_the_default_limit_admits_exactly_a_full_batch_of_all_agencies():
    limits = LimitSettings()
    full = cost(BATCH, {"subjects": subjects(500), "agencies": None})
    assert limits.max_cost is None  # derived from the registry, not a number kept by hand
    assert full == limits.cost_limit() == 500 * len(AGENCIES) == 5000
    assert Settings(max_batch_subjects=800).request_limits.max_cost == 800 * len(AGENCIES)
    assert Settings(limits={"max_cost": 7}).request_limits.max_cost == 7


def test_aliases_and_fragments_each_pay():
    aliased = " ".join(debtor(alias=f"d{i}") for i in range(3))
    assert cost("{ " + aliased + " }") == 30
    fragment = "query { ...F ... on Query { ...F } } fragment F on Query { " + debtor() + " }"
    assert cost(fragment) == 20


def test_other_fields_cost_one_each_and_results_are_included_in_the_inquiry():
    assert cost("{ __typename }") == 1
    assert cost("{ __schema { types { name } } }") == 3
    assert (
        cost(
            "{ "
            + debtor(selection="sources { agency status } police { vehicles { plate } }")
            + " }"
        )
        == 10
    )


def test_each_lead_asks_the_agencies_again():
    selection = "caseNumber spouse { caseNumber } controlledEnterprises { caseNumber }"
    assert cost("{ " + debtor(", agencies: [POLICE]", selection) + " }") == 3


def test_the_operation_that_runs_is_priced():
    query = "query Cheap { __typename } query Dear { " + debtor() + " }"
    assert cost(query, name="Cheap") == 1
    assert cost(query, name="Dear") == 10
    assert cost(query) == 10


def test_cyclic_fragments_do_not_hang_the_estimate():
    query = "{ ...A } fragment A on Query { __typename ...B } fragment B on Query { ...A }"
    assert cost(query) == 1


# --- through the schema -------------------------------------------------------------------------


def schema_with(**limits: Any) -> strawberry.Schema:
    return build_schema(limit_extensions(LimitSettings(**limits)))


async def run(
    schema: strawberry.Schema,
    query: str,
    variables: dict[str, Any] | None = None,
    principal: Principal = JUDGE,
):
    context = Context(inquiries=service(), principal=principal)
    return await schema.execute(query, variable_values=variables, context_value=context)


def only_error(result) -> dict[str, Any]:
    assert result.data is None
    (error,) = result.errors
    formatted: dict[str, Any] = error.formatted
    extensions = formatted["extensions"]
    assert formatted["message"] == f"{extensions['messageZh']} / {extensions['messageEn']}"
    return formatted


@pytest.fixture
def resolver_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every resolver of an inquiry starts by checking its options: count those calls."""
    calls: list[str] = []
    original = InquiryService.options

    def options(self, case_number, *args, **kwargs):
        calls.append(case_number)
        return original(self, case_number, *args, **kwargs)

    monkeypatch.setattr(InquiryService, "options", options)
    return calls


async def test_a_batch_over_the_cost_limit_is_refused_before_any_resolver(resolver_calls):
    schema = schema_with(max_cost=50)
    result = await run(schema, BATCH, {"subjects": subjects(6), "agencies": None})
    error = only_error(result)
    assert error["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
    assert "60" in error["message"]
    assert resolver_calls == []
    result = await run(schema, BATCH, {"subjects": subjects(5), "agencies": None})
    assert all(e.extensions.get("code") != "COST_LIMIT_EXCEEDED" for e in result.errors or [])
    assert resolver_calls == [CASE]


async def test_depth_counts_fragments(resolver_calls):
    schema = schema_with(max_depth=3)
    shallow = "{ " + debtor(selection="sources { agency }") + " }"
    deep = "{ " + debtor(selection="police { household { name } }") + " }"
    via_fragments = (
        "{ ...Root } fragment Root on Query { " + debtor(selection="...Profile") + " } "
        "fragment Profile on DebtorProfile { police { household { name } } }"
    )
    for query in (deep, via_fragments):
        error = only_error(await run(schema, query))
        assert error["extensions"]["code"] == "DEPTH_LIMIT_EXCEEDED"
    assert resolver_calls == []
    result = await run(schema, shallow)
    assert all(e.extensions.get("code") != "DEPTH_LIMIT_EXCEEDED" for e in result.errors or [])
    assert resolver_calls == [CASE]


async def test_aliases_are_limited_counting_fragment_spreads():
    schema = schema_with(max_aliases=2)
    ok = await run(schema, "{ a: __typename b: __typename }")
    assert ok.errors is None
    assert ok.data == {"a": "Query", "b": "Query"}
    query = "{ a: __typename ...F } fragment F on Query { b: __typename c: __typename }"
    error = only_error(await run(schema, query))
    assert error["extensions"]["code"] == "ALIAS_LIMIT_EXCEEDED"
    assert "3" in error["message"]


@pytest.mark.parametrize(
    "schema",
    [
        schema_with(max_tokens=50),
        # without the parser cache, the syntax error comes back as a result, not an exception
        strawberry.Schema(query=Query, extensions=limit_extensions(LimitSettings(max_tokens=50))),
    ],
    ids=["cached-parser", "plain-parser"],
)
async def test_too_many_tokens(schema):
    error = only_error(await run(schema, "{ " + "__typename " * 60 + "}"))
    assert error["extensions"]["code"] == "TOKEN_LIMIT_EXCEEDED"
    ok = await run(schema, "{ " + "__typename " * 10 + "}")
    assert ok.data == {"__typename": "Query"}


async def test_graphiql_introspection_works_for_authenticated_callers_at_the_default_limits():
    query = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )
    result = await run(schema_with(), query, principal=JUDGE)
    assert result.errors is None
    names = {t["name"] for t in result.data["__schema"]["types"]}
    assert {"Query", "DebtorProfile", "SubjectInput"} <= names


@pytest.mark.parametrize(
    "query",
    [
        "{ __schema { queryType { name } } }",
        '{ __type(name: "Query") { name } }',
        '{ ...F } fragment F on Query { __type(name: "Agency") { name } }',
        get_introspection_query(),
    ],
)
async def test_anonymous_callers_may_not_introspect(query):
    error = only_error(await run(schema_with(), query, principal=ANONYMOUS))
    assert error["extensions"]["code"] == "INTROSPECTION_DISABLED"


async def test_typename_stays_available_to_anonymous_callers():
    result = await run(schema_with(), "{ __typename }", principal=ANONYMOUS)
    assert result.errors is None
    assert result.data == {"__typename": "Query"}


async def test_validation_errors_come_first_and_keep_their_message():
    result = await run(schema_with(max_cost=1), "{ nope " + debtor() + " }")
    messages = [e.message for e in result.errors]
    assert any("nope" in m for m in messages)
    assert all("COST" not in str(e.extensions) for e in result.errors)


async def test_a_fragment_chain_too_deep_to_follow_is_a_coded_error():
    n = 600
    fragments = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(n))
    query = "{ ...F0 } " + fragments + f" fragment F{n} on Query {{ __typename }}"
    result = await run(schema_with(max_tokens=10_000), query)
    assert result.data is None
    codes = [e.extensions.get("code") for e in result.errors]
    assert "DEPTH_LIMIT_EXCEEDED" in codes
    assert "ALIAS_LIMIT_EXCEEDED" not in codes  # no alias anywhere
    assert all("recursion" not in e.message for e in result.errors)
