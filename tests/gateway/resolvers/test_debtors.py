"""The GraphQL surface end to end: real mock agencies, a real gateway, over HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.registry import AGENCIES
from gateway.examples import EXAMPLE_QUERY
from mocks.runner import MockServers
from mocks.synthetic import Tier, example_subjects
from tests.conftest import CASE, MOCK_TOKEN, Gateway, gateway_settings, run_gateway

EXAMPLES = example_subjects()
RICH = EXAMPLES["natural"][Tier.RICH]
UNKNOWN = EXAMPLES["natural"][Tier.UNKNOWN]
RICH_LEGAL = EXAMPLES["legal"][Tier.RICH]
ALL = {spec.key for spec in AGENCIES}
LEGAL_ONLY = {"PERMITS"}  # for natural persons: NOT_APPLICABLE, and never called
NATURAL_ONLY = {"FUND", "CIVIL"}

STATUS_QUERY = """
query($subject: SubjectInput!, $case: String!, $agencies: [Agency!], $fresh: Boolean! = false) {
  debtor(subject: $subject, caseNumber: $case, agencies: $agencies, fresh: $fresh) {
    subject { kind id }
    sources { agency status cached recordCount message attempts }
    police { household { name gender birthDate } vehicles { plate } }
    land { realEstate { certificateNumber } }
    bank { accounts { accountNumber balance } }
  }
}
"""


def natural(id_: str) -> dict[str, str]:
    return {"kind": "NATURAL", "id": id_}


def sources(debtor: dict) -> dict[str, dict]:
    return {s["agency"]: s for s in debtor["sources"]}


async def mock_calls(mocks: MockServers) -> dict[str, int]:
    return {agency: app.state.mock.stats.inquiries for agency, app in mocks.apps.items()}


def calls_per_agency(count: int, *, kind: str = "natural") -> dict[str, int]:
    """``count`` calls to each agency that serves this kind of subject, none to the others."""
    skip = LEGAL_ONLY if kind == "natural" else NATURAL_ONLY
    return {s.name: 0 if s.key in skip else count for s in AGENCIES}


async def test_example_query_returns_every_agency(gateway: Gateway):
    body = await gateway.query(EXAMPLE_QUERY, {"subject": natural(RICH), "caseNumber": CASE})
    assert "errors" not in body
    debtor = body["data"]["debtor"]
    by_agency = sources(debtor)
    assert set(by_agency) == ALL
    for agency, source in by_agency.items():
        expected = "NOT_APPLICABLE" if agency in LEGAL_ONLY else "OK"
        assert source["status"] == expected, source
    assert debtor["relation"] == "DEBTOR"
    household = debtor["police"]["household"]
    assert household["birthDate"] == f"{RICH[6:10]}-{RICH[10:12]}-{RICH[12:14]}"
    assert debtor["land"]["realEstate"]
    assert debtor["bank"]["accounts"]
    assert by_agency["BANK"]["recordCount"] >= len(debtor["bank"]["accounts"])


async def test_fifteen_digit_id_is_the_same_person_as_its_eighteen_digit_form(gateway: Gateway):
    assert RICH[6:8] == "19", "the example subject must be born in the 1900s"
    old = RICH[:6] + RICH[8:17]
    body = await gateway.query(STATUS_QUERY, {"subject": natural(old), "case": CASE})
    assert body["data"]["debtor"]["subject"]["id"] == RICH


async def test_one_mock_stopped_leaves_the_other_agencies_intact(
    gateway: Gateway, mocks: MockServers
):
    await mocks.stop("land")
    body = await gateway.query(STATUS_QUERY, {"subject": natural(RICH), "case": CASE})
    debtor = body["data"]["debtor"]
    by_agency = sources(debtor)
    assert by_agency["LAND"]["status"] == "UNAVAILABLE"
    assert by_agency["LAND"]["message"]
    assert debtor["land"] is None
    assert by_agency["POLICE"]["status"] == "OK"
    assert by_agency["BANK"]["status"] == "OK"
    assert debtor["police"]["household"] is not None
    assert debtor["bank"]["accounts"]


async def test_unknown_subject_is_not_found_everywhere_without_error(gateway: Gateway):
    body = await gateway.query(STATUS_QUERY, {"subject": natural(UNKNOWN), "case": CASE})
    assert "errors" not in body
    by_agency = sources(body["data"]["debtor"])
    assert {by_agency[a]["status"] for a in ALL - LEGAL_ONLY} == {"NOT_FOUND"}
    assert by_agency["PERMITS"]["status"] == "NOT_APPLICABLE"


async def test_a_legal_person_has_no_household(gateway: Gateway):
    variables = {"subject": {"kind": "LEGAL", "id": RICH_LEGAL}, "case": CASE}
    body = await gateway.query(STATUS_QUERY, variables)
    debtor = body["data"]["debtor"]
    assert sources(debtor)["POLICE"]["status"] == "OK"
    assert debtor["police"]["household"] is None


async def test_second_query_is_served_from_cache_unless_fresh(gateway: Gateway, mocks: MockServers):
    variables = {"subject": natural(RICH), "case": CASE, "agencies": ["POLICE"]}
    await gateway.query(STATUS_QUERY, variables)
    body = await gateway.query(STATUS_QUERY, variables)
    assert sources(body["data"]["debtor"])["POLICE"]["cached"] is True
    body = await gateway.query(STATUS_QUERY, {**variables, "fresh": True})
    assert sources(body["data"]["debtor"])["POLICE"]["cached"] is False
    assert (await mock_calls(mocks))["police"] == 2


BATCH_QUERY = """
query($subjects: [SubjectInput!]!, $case: String!) {
  debtors(subjects: $subjects, caseNumber: $case, fresh: true) {
    subject { id }
    sources { agency status }
  }
}
"""


def batch_ids(count: int) -> list[str]:
    from stdnum.cn import ric

    ids = []
    for seq in range(count):
        first17 = f"32080319800101{seq:03d}"
        ids.append(first17 + ric.calc_check_digit(first17 + "0"))
    return ids


async def test_a_batch_of_200_debtors_is_one_call_per_agency(mocks: MockServers, tmp_path: Path):
    # what is tested is the batching, so nothing here may depend on the machine's speed: one
    # attempt only (a busy machine once took the 200-subject call past its timeout, and the
    # retry was a second call), and all the time the call needs; how long an attempt may take
    # is tested apart (test_fanout.py, "the timeout of its batch size")
    settings = gateway_settings(mocks, tmp_path, default_deadline_ms=30000)
    patient = {
        name: conf.model_copy(update={"attempt_timeout_s": 30.0, "max_attempts": 1})
        for name, conf in settings.agencies.items()
    }
    settings = settings.model_copy(update={"agencies": patient})
    ids = batch_ids(200)
    async with run_gateway(settings) as gateway:
        await gateway.register([natural(i) for i in ids])
        variables = {"subjects": [natural(i) for i in ids], "case": CASE}
        body = await gateway.query(BATCH_QUERY, variables)
    assert "errors" not in body
    debtors = body["data"]["debtors"]
    assert [d["subject"]["id"] for d in debtors] == ids
    assert await mock_calls(mocks) == calls_per_agency(1)
    subjects = {a: mocks.apps[a].state.mock.stats.subjects for a in mocks.apps}
    assert subjects == calls_per_agency(200)


async def test_aliased_debtor_fields_share_one_call_per_agency(
    gateway: Gateway, mocks: MockServers
):
    ids = batch_ids(3)
    await gateway.register([natural(i) for i in ids])
    fields = "\n".join(
        f'd{i}: debtor(subject: {{kind: NATURAL, id: "{id_}"}}, caseNumber: "{CASE}", fresh: true)'
        " { sources { status } }"
        for i, id_ in enumerate(ids)
    )
    body = await gateway.query("{" + fields + "}")
    assert "errors" not in body
    assert await mock_calls(mocks) == calls_per_agency(1)


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"subject": natural("320802197805121128"), "case": CASE}, "INVALID_SUBJECT_ID"),
        ({"subject": natural("12345"), "case": CASE}, "INVALID_SUBJECT_ID"),
        (
            {"subject": {"kind": "LEGAL", "id": "91320800MA1N7B5K3B"}, "case": CASE},
            "INVALID_SUBJECT_ID",
        ),
        ({"subject": natural(RICH), "case": "2026-123"}, "INVALID_CASE_NUMBER"),
        ({"subject": natural(RICH), "case": "(2026)苏0812民初1号"}, "CASE_NOT_ENFORCEMENT"),
        ({"subject": natural(RICH), "case": CASE, "agencies": []}, "INVALID_INPUT"),
    ],
)
async def test_bad_input_is_a_coded_bilingual_error(gateway: Gateway, variables, code):
    body = await gateway.query(STATUS_QUERY, variables)
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == code
    assert error["extensions"]["messageZh"]
    assert error["extensions"]["messageEn"]
    assert "Traceback" not in str(body)


async def test_deadline_out_of_range_is_rejected(gateway: Gateway):
    query = (
        f'{{ debtor(subject: {{kind: NATURAL, id: "{RICH}"}}, caseNumber: "{CASE}", '
        "deadlineMs: 5) { caseNumber } }"
    )
    body = await gateway.query(query)
    assert body["errors"][0]["extensions"]["code"] == "DEADLINE_OUT_OF_RANGE"


async def test_batch_larger_than_the_limit_is_rejected(mocks: MockServers, tmp_path: Path):
    settings = gateway_settings(mocks, tmp_path, max_batch_subjects=5)
    async with run_gateway(settings) as gw:
        ids = batch_ids(6)
        body = await gw.query(BATCH_QUERY, {"subjects": [natural(i) for i in ids], "case": CASE})
    assert body["errors"][0]["extensions"]["code"] == "BATCH_TOO_LARGE"
    assert body["errors"][0]["extensions"]["limit"] == 5  # a client sizes its next batch to it
    assert await mock_calls(mocks) == calls_per_agency(0)


async def test_a_bad_subject_in_a_batch_is_named_by_position(gateway: Gateway):
    ids = [*batch_ids(2), "320802197805121128"]
    body = await gateway.query(BATCH_QUERY, {"subjects": [natural(i) for i in ids], "case": CASE})
    error = body["errors"][0]
    assert error["extensions"]["code"] == "INVALID_SUBJECT_ID"
    assert "subjects[2]" in error["message"]
    # a batch of one too (a single inquiry's error has no position: there is one subject)
    alone = [natural("320802197805121128")]
    body = await gateway.query(BATCH_QUERY, {"subjects": alone, "case": CASE})
    (error,) = body["errors"]
    assert error["extensions"]["messageEn"].startswith("subjects[0]: ")
    assert error["extensions"]["messageZh"].startswith("第1个被执行人：")
    single = await gateway.query(STATUS_QUERY, {"subject": alone[0], "case": CASE})
    assert "subjects[" not in single["errors"][0]["extensions"]["messageEn"]


async def test_a_name_longer_than_the_agency_contract_is_refused_before_any_agency(
    mocks: MockServers, gateway: Gateway
):
    # every agency answered "internal gateway error" for it, the contract's 200 exceeded
    long_name = "名" * 201
    body = await gateway.query(
        STATUS_QUERY, {"subject": {**natural(RICH), "name": long_name}, "case": CASE}
    )
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert "200" in error["extensions"]["messageEn"]
    assert "200" in error["extensions"]["messageZh"]
    ids = batch_ids(3)
    subjects = [natural(ids[0]), {**natural(ids[1]), "name": long_name}, natural(ids[2])]
    body = await gateway.query(BATCH_QUERY, {"subjects": subjects, "case": CASE})
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert "subjects[1]" in body["errors"][0]["message"]
    assert await mock_calls(mocks) == calls_per_agency(0)
    # 200 characters, once trimmed, are asked about
    body = await gateway.query(
        STATUS_QUERY, {"subject": {**natural(RICH), "name": f" {'名' * 200} "}, "case": CASE}
    )
    assert "errors" not in body
    assert {s["status"] for s in body["data"]["debtor"]["sources"]} <= {"OK", "NOT_APPLICABLE"}


async def test_graphql_validation_errors_keep_their_message(gateway: Gateway):
    body = await gateway.query(
        '{ debtor(subject: {kind: ROBOT, id: "1"}, caseNumber: "x") { caseNumber } }'
    )
    message = body["errors"][0]["message"]
    assert "ROBOT" in message
    assert "internal" not in message


async def test_syntax_errors_are_not_a_500(gateway: Gateway):
    response = await gateway.client.post("/graphql", json={"query": "{ debtor(("})
    assert response.status_code < 500
    assert "Traceback" not in response.text


async def test_unexpected_errors_are_masked(gateway: Gateway, monkeypatch: pytest.MonkeyPatch):
    from gateway.schema.debtor import DebtorProfile

    def explode(*_args):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(DebtorProfile, "from_domain", staticmethod(explode))
    body = await gateway.query(STATUS_QUERY, {"subject": natural(RICH), "case": CASE})
    assert body["data"] is None
    assert "secret internal detail" not in str(body)
    assert "internal gateway error" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"] == {  # coded as every other error, as documented
        "code": "INTERNAL_ERROR",
        "messageZh": "网关内部错误",
        "messageEn": "internal gateway error",
    }


async def test_agency_token_never_reaches_the_caller(gateway: Gateway, mocks: MockServers):
    for app in mocks.apps.values():
        app.state.mock.token = "a-different-token"
    body = await gateway.query(
        STATUS_QUERY, {"subject": natural(RICH), "case": CASE, "fresh": True}
    )
    by_agency = sources(body["data"]["debtor"])
    assert {by_agency[a]["status"] for a in ALL - LEGAL_ONLY} == {"ERROR"}
    assert "credentials" in by_agency["POLICE"]["message"]
    assert MOCK_TOKEN not in str(body)


async def test_explorer_and_health_endpoints(gateway: Gateway):
    page = await gateway.client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "/explorer/assets/graphiql.min.js" in page.text
    assert "unpkg.com" not in page.text
    assert "jsdelivr" not in page.text
    assert (await gateway.client.get("/healthz")).json() == {"status": "ok"}
    ready = (await gateway.client.get("/readyz")).json()
    assert ready["status"] == "ready"
    assert set(ready["circuits"]) == set(AGENCIES.names())


async def test_inquiries_are_logged_with_the_id_masked(
    gateway: Gateway, caplog: pytest.LogCaptureFixture
):
    caplog.set_level("INFO", logger="gateway.services.inquiry")
    await gateway.query(STATUS_QUERY, {"subject": natural(RICH), "case": CASE})
    (line,) = [r.getMessage() for r in caplog.records if r.name == "gateway.services.inquiry"]
    assert RICH not in line
    assert RICH[:6] + "********" + RICH[-4:] in line
    assert "police:OK=1" in line


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ({"kind": "NATURAL"}, "id"),
        ({"kind": "ROBOT", "id": "1"}, "ROBOT"),
        ({"kind": "NATURAL", "id": 5}, "String"),
    ],
)
async def test_variable_errors_keep_their_message(gateway: Gateway, subject, expected):
    body = await gateway.query(STATUS_QUERY, {"subject": subject, "case": CASE})
    (error,) = body["errors"]
    assert expected in error["message"]
    assert "internal gateway error" not in error["message"]


async def test_the_root_leads_to_the_explorer(gateway: Gateway):
    response = await gateway.client.get("/")
    assert response.status_code in (302, 307)
    assert response.headers["location"] == "/graphql"


LEADS_QUERY = """
query($subject: SubjectInput!, $case: String!, $agencies: [Agency!]) {
  debtor(subject: $subject, caseNumber: $case, agencies: $agencies) {
    relation
    civil { currentSpouse { idNumber } }
    business { controlledEnterprises }
    summary { classes { assetClass count total complete } }
    spouse {
      relation relatedTo { id } subject { kind id name }
      sources { agency status }
      spouse { subject { id } }
      controlledEnterprises { subject { id } }
    }
    controlledEnterprises {
      relation relatedTo { id } subject { kind id } sources { agency status }
    }
  }
}
"""


async def test_leads_follow_the_spouse_and_the_controlled_enterprises(gateway: Gateway):
    from gateway.examples import EXAMPLE_DEBTOR

    subject = {"kind": "NATURAL", "id": EXAMPLE_DEBTOR["id"]}
    await gateway.register([subject])
    body = await gateway.query(LEADS_QUERY, {"subject": subject, "case": CASE})
    assert "errors" not in body
    debtor = body["data"]["debtor"]
    spouse = debtor["spouse"]
    assert spouse["subject"]["id"] == debtor["civil"]["currentSpouse"]["idNumber"]
    assert (spouse["relation"], spouse["relatedTo"]["id"]) == ("SPOUSE", subject["id"])
    assert sources(spouse)["LAND"]["status"] == "OK"
    # leads are followed one level deep
    assert spouse["spouse"] is None
    assert spouse["controlledEnterprises"] == []
    enterprises = debtor["controlledEnterprises"]
    expected = debtor["business"]["controlledEnterprises"]
    assert expected
    assert [e["subject"]["id"] for e in enterprises] == expected
    assert {e["subject"]["kind"] for e in enterprises} == {"LEGAL"}
    assert {sources(e)["PERMITS"]["status"] for e in enterprises} <= {"OK", "NOT_FOUND"}
    summary = {c["assetClass"]: c for c in debtor["summary"]["classes"]}
    assert summary["DEPOSITS"]["count"] > 0
    assert summary["DEPOSITS"]["complete"] is True


async def test_leads_ask_their_agency_when_the_inquiry_left_it_out(
    gateway: Gateway, mocks: MockServers
):
    from gateway.examples import EXAMPLE_DEBTOR

    subject = {"kind": "NATURAL", "id": EXAMPLE_DEBTOR["id"]}
    await gateway.register([subject])
    variables = {"subject": subject, "case": CASE, "agencies": ["BANK"]}
    body = await gateway.query(LEADS_QUERY, variables)
    assert "errors" not in body
    debtor = body["data"]["debtor"]
    assert debtor["civil"] is None  # not asked for the debtor's own profile...
    assert debtor["spouse"]["subject"]["id"]  # ...but asked to follow the lead
    assert set(sources(debtor["spouse"])) == {"BANK"}
    assert debtor["controlledEnterprises"]
    summary = {c["assetClass"]: c for c in debtor["summary"]["classes"]}
    assert summary["VEHICLES"]["complete"] is False  # the police were not asked
