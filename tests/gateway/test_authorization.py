"""Who may see what: every role against every operation, the case-scoped rules, and the audit
trail of inquiries and refusals. Real mock agencies, a real gateway, over HTTP."""

from __future__ import annotations

from pathlib import Path

import httpx
import jwt
import pytest

from mocks.runner import MockServers
from mocks.synthetic import Tier, example_subjects
from tests.conftest import CASE, TOKENS, Gateway, gateway_settings, run_gateway

EXAMPLES = example_subjects()
RICH = EXAMPLES["natural"][Tier.RICH]
ORDINARY = EXAMPLES["natural"][Tier.ORDINARY]
CREDITOR = EXAMPLES["legal"][Tier.ORDINARY]
OTHER_CASE = "(2026)苏0812执777号"

OPERATIONS = {
    "debtor": f'{{ debtor(subject: {{kind: NATURAL, id: "{RICH}"}}, caseNumber: "{CASE}", '
    "agencies: [POLICE]) { caseNumber } }",
    "debtors": f'{{ debtors(subjects: [{{kind: NATURAL, id: "{RICH}"}}], caseNumber: "{CASE}", '
    "agencies: [POLICE]) { caseNumber } }",
    "case": f'{{ case(caseNumber: "{CASE}") {{ caseNumber }} }}',
    "cases": "{ cases { caseNumber } }",
    "me": "{ me { role subject } }",
    "auditLog": "{ auditLog(limit: 5) { seq } }",
    "saveCase": (
        "mutation { saveCase(case: {"
        f'caseNumber: "{OTHER_CASE}", judges: ["J001"], obligation: "10.00", '
        f'parties: [{{role: DEBTOR, kind: NATURAL, id: "{ORDINARY}"}}]'
        "}) { caseNumber } }"
    ),
    "setCaseStatus": (
        f'mutation {{ setCaseStatus(caseNumber: "{CASE}", status: OPEN) {{ status }} }}'
    ),
    "recordPerformance": (
        f'mutation {{ recordPerformance(caseNumber: "{CASE}", performed: "0") {{ performed }} }}'
    ),
    "introspection": "{ __schema { queryType { name } } }",
    "listingEntry": '{ listingEntry(entryId: "missing") { id } }',
    "listingEntries": "{ listingEntries { id } }",
    "listingOverdue": "{ listingOverdue { kind } }",
    "listingAccountability": "{ listingAccountability { count } }",
    "listingLeads": "{ listingLeads { caseNumber } }",
    "publicListing": '{ publicListing(name: "张三", idFragment: "1234") { name idNumber } }',
    "warnDebtor": (
        "mutation { warnDebtor(warning: {"
        f'caseNumber: "{CASE}", subject: {{kind: NATURAL, id: "{RICH}", name: "某"}}, '
        'basisDocumentNumber: "(2025)苏0812民初1号", basisIssuer: "某法院", obligation: "付款", '
        'warnedOn: "2026-03-02", documentNumber: "提示1号"}) { id state } }'
    ),
    # controls: an asset no inquiry returned, a control that does not exist, a plan with
    # nothing in it: the roles allowed get that coded answer, the others a refusal
    "controls": f'{{ controls(caseNumber: "{CASE}") {{ id }} }}',
    "freezeRegister": "{ freezeRegister { endsOn } }",
    "expiringControls": "{ expiringControls(withinDays: 30) { endsOn } }",
    "freezePlan": f'{{ freezePlan(caseNumber: "{CASE}") {{ shortfall }} }}',
    **{
        name: (
            f'mutation {{ {name}(caseNumber: "{CASE}", rulingNumber: "r", noticeNumber: "n", '
            f'asset: {{agency: BANK, assetId: "none"}}, idempotencyKey: "k"{extra}) {{ id }} }}'
        )
        for name, extra in [
            ("freezeAsset", ', until: "2026-12-31"'),
            ("seizeAsset", ', until: "2026-12-31"'),
            ("deductAsset", ', amount: "1.00"'),
            ("releaseControl", ""),
            ("renewControl", ', until: "2026-12-31"'),
        ]
    },
    "applyFreezePlan": (
        f'mutation {{ applyFreezePlan(caseNumber: "{CASE}", rulingNumber: "r", '
        'noticeNumber: "n", idempotencyKey: "k") { id } }'
    ),
    "approveDeduction": 'mutation { approveDeduction(controlId: "none") { id } }',
    "declineDeduction": 'mutation { declineDeduction(controlId: "none") { id } }',
}
# one mutation per event of the list, on an entry that does not exist: an allowed caller gets as
# far as the lookup (LISTING_NOT_FOUND), a refused one is stopped before any resolver runs
for _name, _extra in {
    "withdrawListingWarning": "",
    "decideListing": ', decision: {documentNumber: "d", ground: ASSET_REPORT, circumstance: "c"}',
    "publishListing": "",
    "notifyListingEmployer": "",
    "applyListingCorrection": "",
    "acceptListingCorrection": "",
    "rejectListingCorrection": "",
    "applyListingReconsideration": "",
    "upholdListing": "",
    "revokeListingOnReconsideration": "",
    "reportListingExit": ", cause: PERFORMED",
    "maskListing": "",
    "revokeListing": "",
    "expireListing": "",
    "liftListing": "",
    "relistDebtor": ', decision: {documentNumber: "d", ground: ASSET_REPORT, circumstance: "c"}',
}.items():
    OPERATIONS[_name] = (
        f'mutation {{ {_name}(entryId: "missing", on: "2026-03-02"{_extra}) {{ id }} }}'
    )
LISTING_EVENTS = {
    "withdrawListingWarning",
    "decideListing",
    "publishListing",
    "notifyListingEmployer",
    "applyListingCorrection",
    "acceptListingCorrection",
    "rejectListingCorrection",
    "applyListingReconsideration",
    "upholdListing",
    "revokeListingOnReconsideration",
    "reportListingExit",
    "maskListing",
    "revokeListing",
    "expireListing",
    "liftListing",
    "relistDebtor",
}
LISTING_COURT = {
    "warnDebtor",
    "listingEntry",
    "listingEntries",
    "listingOverdue",
    "listingAccountability",
    "listingLeads",
} | LISTING_EVENTS

# allowed operations whose answer here is a coded error of the operation itself
CODED_ANSWERS = {
    "freezeAsset": "ASSET_NOT_FROM_INQUIRY",
    "seizeAsset": "ASSET_NOT_FROM_INQUIRY",
    "deductAsset": "ASSET_NOT_FROM_INQUIRY",
    "releaseControl": "ASSET_NOT_FROM_INQUIRY",
    "renewControl": "ASSET_NOT_FROM_INQUIRY",
    "applyFreezePlan": "INVALID_INPUT",
    "approveDeduction": "CONTROL_NOT_FOUND",
    "declineDeduction": "CONTROL_NOT_FOUND",
}
CONTROL_READS = {"controls", "freezeRegister", "expiringControls"}
JUDGE_CONTROLS = {"freezePlan", *CODED_ANSWERS}

# what each role may do: written out here, independently of gateway/auth/policy.py
ALLOWED = {
    None: {"me", "publicListing"},
    "judge": {
        "debtor",
        "debtors",
        "case",
        "cases",
        "me",
        "introspection",
        "publicListing",
        *CONTROL_READS,
        *JUDGE_CONTROLS,
    }
    | LISTING_COURT,
    "system": LISTING_COURT
    | {
        "publicListing",
        *CONTROL_READS,
        "debtor",
        "debtors",
        "case",
        "cases",
        "me",
        "saveCase",
        "setCaseStatus",
        "recordPerformance",
        "introspection",
    },
    "department": {"me", "introspection", "publicListing"},
    "credit-center": {"me", "introspection", "publicListing"},
    "admin": {"me", "auditLog", "introspection", "publicListing"},
}
REFUSALS = {"UNAUTHENTICATED", "FORBIDDEN_OPERATION", "INTROSPECTION_DISABLED"}


def codes(body: dict) -> set[str]:
    return {e.get("extensions", {}).get("code", "") for e in body.get("errors") or []}


@pytest.mark.parametrize("who", list(ALLOWED))
async def test_every_role_against_every_operation(gateway: Gateway, who: str | None):
    for operation, query in OPERATIONS.items():
        response = await gateway.post(query, who=who)
        body = response.json()
        if operation in ALLOWED[who] and operation in CODED_ANSWERS:
            assert codes(body) == {CODED_ANSWERS[operation]}, (who, operation, body)
        elif operation in ALLOWED[who]:
            assert response.status_code == 200, (who, operation, response.text)
            assert not codes(body) & REFUSALS, (who, operation, body)
            if operation in LISTING_EVENTS:  # reached the resolver: the entry is looked up
                assert codes(body) == {"LISTING_NOT_FOUND"}, (who, operation, body)
                continue
            assert body["data"] is not None, (who, operation, body)
        elif who is None:
            assert response.status_code == 401, (operation, response.text)
            assert codes(body) & {"UNAUTHENTICATED", "INTROSPECTION_DISABLED"}
            assert "data" not in body or body["data"] is None
        else:
            assert response.status_code == 403, (who, operation, response.text)
            assert codes(body) == {"FORBIDDEN_OPERATION"}, (who, operation, body)
            assert body.get("data") is None


def inquiry(subject: str = RICH, case: str = CASE) -> str:
    return (
        f'{{ debtor(subject: {{kind: NATURAL, id: "{subject}"}}, caseNumber: "{case}", '
        "agencies: [POLICE, CIVIL]) { subject { id } sources { agency status } } }"
    )


@pytest.mark.parametrize(
    ("who", "query", "code"),
    [
        ("foreign-judge", inquiry(), "FORBIDDEN_COURT"),
        ("other-judge", inquiry(), "NOT_ASSIGNED"),
        ("judge", inquiry(case="(2026)苏0812执999号"), "CASE_NOT_REGISTERED"),
        ("foreign-system", inquiry(), "FORBIDDEN_COURT"),
    ],
)
async def test_case_scope_refusals_are_403_with_a_stable_code(
    gateway: Gateway, who: str, query: str, code: str
):
    response = await gateway.post(query, who=who)
    assert response.status_code == 403, response.text
    body = response.json()
    assert codes(body) == {code}
    assert body["data"] is None
    assert RICH not in response.text  # a refusal says nothing about the subject


async def test_a_creditor_or_stranger_is_not_a_debtor(gateway: Gateway):
    await gateway.register(
        [{"kind": "NATURAL", "id": RICH}], case=OTHER_CASE
    )  # ORDINARY is not a party of OTHER_CASE
    response = await gateway.post(inquiry(ORDINARY, OTHER_CASE))
    assert response.status_code == 403
    assert codes(response.json()) == {"NOT_A_DEBTOR"}
    # a creditor is a party, but no measure may be taken against them
    saved = await gateway.query(
        "mutation($c: CaseInput!) { saveCase(case: $c) { caseNumber } }",
        {
            "c": {
                "caseNumber": OTHER_CASE,
                "judges": ["J001"],
                "obligation": "10.00",
                "parties": [
                    {"role": "DEBTOR", "kind": "NATURAL", "id": RICH},
                    {"role": "CREDITOR", "kind": "LEGAL", "id": CREDITOR},
                ],
            }
        },
        who="system",
    )
    assert "errors" not in saved
    query = (
        f'{{ debtor(subject: {{kind: LEGAL, id: "{CREDITOR}"}}, caseNumber: "{OTHER_CASE}") '
        "{ caseNumber } }"
    )
    response = await gateway.post(query)
    assert codes(response.json()) == {"NOT_A_DEBTOR"}


async def test_a_batch_with_one_stranger_is_refused_whole(gateway: Gateway, mocks: MockServers):
    stranger = "110101199003074514"
    query = (
        f'{{ debtors(subjects: [{{kind: NATURAL, id: "{RICH}"}}, {{kind: NATURAL, id: '
        f'"{stranger}"}}], caseNumber: "{CASE}") {{ caseNumber }} }}'
    )
    response = await gateway.post(query)
    assert response.status_code == 403
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "NOT_A_DEBTOR"
    assert "subjects[1]" in error["message"]
    assert stranger not in response.text
    calls = {a: app.state.mock.stats.inquiries for a, app in mocks.apps.items()}
    assert set(calls.values()) == {0}  # nobody was asked about anyone


async def test_a_closed_case_allows_no_inquiry(gateway: Gateway):
    body = await gateway.query(
        f'mutation {{ setCaseStatus(caseNumber: "{CASE}", status: CLOSED) {{ status }} }}',
        who="system",
    )
    assert body["data"]["setCaseStatus"]["status"] == "CLOSED"
    response = await gateway.post(inquiry())
    assert response.status_code == 403
    assert codes(response.json()) == {"CASE_NOT_OPEN"}


async def test_judges_read_only_their_own_courts_cases(gateway: Gateway):
    mine = await gateway.query("{ cases { caseNumber court judges } }")
    assert [c["caseNumber"] for c in mine["data"]["cases"]] == [CASE]
    assert mine["data"]["cases"][0]["court"] == "苏0812"
    foreign = await gateway.query("{ cases { caseNumber } }", who="foreign-judge")
    assert foreign["data"]["cases"] == []
    response = await gateway.post(
        f'{{ case(caseNumber: "{CASE}") {{ caseNumber }} }}', who="foreign-judge"
    )
    assert codes(response.json()) == {"FORBIDDEN_COURT"}
    assert response.status_code == 403


async def test_a_court_system_writes_only_its_own_courts_cases(gateway: Gateway):
    query = OPERATIONS["saveCase"]
    response = await gateway.post(query, who="foreign-system")
    assert response.status_code == 403
    assert codes(response.json()) == {"FORBIDDEN_COURT"}


AUDIT = """
query($subject: String, $outcome: String) {
  auditLog(subjectId: $subject, outcome: $outcome, limit: 50) {
    seq action outcome code actor role court judge caseNumber subjectMasked relation
    answers { agency status recordCount }
  }
}
"""


async def test_every_inquiry_and_refusal_is_audited_with_ids_masked(gateway: Gateway):
    ok = await gateway.query(inquiry())
    assert "errors" not in ok
    await gateway.post(inquiry(), who="other-judge")  # NOT_ASSIGNED
    await gateway.post(OPERATIONS["auditLog"], who="judge")  # FORBIDDEN_OPERATION
    response = await gateway.post(AUDIT, {"subject": RICH}, who="admin")
    assert RICH not in response.text
    entries = response.json()["data"]["auditLog"]
    masked = RICH[:6] + "********" + RICH[-4:]
    allowed = [e for e in entries if e["outcome"] == "allowed"]
    denied = [e for e in entries if e["outcome"] == "denied"]
    (entry,) = allowed
    assert entry["action"] == "inquiry"
    assert entry["subjectMasked"] == masked
    assert (entry["actor"], entry["role"], entry["court"], entry["judge"]) == (
        "judge:J001",
        "JUDGE",
        "苏0812",
        "J001",
    )
    assert entry["caseNumber"] == CASE
    assert entry["relation"] == "debtor"
    assert {(a["agency"], a["status"]) for a in entry["answers"]} == {
        ("police", "ok"),
        ("civil", "ok"),
    }
    assert [(e["code"], e["actor"]) for e in denied] == [("NOT_ASSIGNED", "judge:J009")]
    # the refusal of an operation is there too (no subject: filter by outcome)
    refusals = await gateway.query(AUDIT, {"outcome": "denied"}, who="admin")
    assert "FORBIDDEN_OPERATION" in {e["code"] for e in refusals["data"]["auditLog"]}


async def test_leads_are_audited_as_related_parties(gateway: Gateway):
    from gateway.examples import EXAMPLE_DEBTOR

    subject = EXAMPLE_DEBTOR["id"]
    await gateway.register([{"kind": "NATURAL", "id": subject}], case=OTHER_CASE)
    query = (
        f'{{ debtor(subject: {{kind: NATURAL, id: "{subject}"}}, caseNumber: "{OTHER_CASE}") '
        "{ relation spouse { relation relatedTo { id } subject { id } } "
        "controlledEnterprises { relation subject { id kind } } } }"
    )
    body = await gateway.query(query)
    assert "errors" not in body
    debtor = body["data"]["debtor"]
    assert debtor["relation"] == "DEBTOR"
    spouse = debtor["spouse"]
    assert spouse["relation"] == "SPOUSE"
    assert spouse["relatedTo"]["id"] == subject
    enterprises = debtor["controlledEnterprises"]
    assert enterprises
    assert {e["relation"] for e in enterprises} == {"CONTROLLED_ENTERPRISE"}
    log = await gateway.query(AUDIT, {"subject": spouse["subject"]["id"]}, who="admin")
    assert [e["relation"] for e in log["data"]["auditLog"]] == ["spouse"]


async def test_tokens_that_do_not_verify_are_401(gateway: Gateway):
    from gateway.auth.principal import Role
    from gateway.auth.tokens import TokenService
    from gateway.settings import AuthSettings

    query = OPERATIONS["me"]
    for header, code in [
        ("Bearer not-a-token", "TOKEN_INVALID"),
        ("Basic abc", "TOKEN_INVALID"),
        (
            "Bearer "
            + TokenService(AuthSettings(keys={"demo": "x" * 40})).issue(Role.ADMIN, subject="x"),
            "TOKEN_INVALID",
        ),
        (
            "Bearer "
            + TokenService(
                AuthSettings(keys={"demo": "chakong-demo-only-not-a-secret-0123456789abcdef"})
            ).issue(Role.ADMIN, subject="x", ttl_s=-120),
            "TOKEN_EXPIRED",
        ),
        # signed with the key, and an expiry past what a float holds: a coded 401, not a 500
        (
            "Bearer "
            + jwt.encode(
                {"iss": "chakong", "sub": "x", "role": "ADMIN", "iat": 1, "exp": 10**400},
                "chakong-demo-only-not-a-secret-0123456789abcdef",
                algorithm="HS256",
                headers={"kid": "demo"},
            ),
            "TOKEN_INVALID",
        ),
    ]:
        response = await gateway.client.post(
            "/graphql", json={"query": query}, headers={"Authorization": header}
        )
        assert response.status_code == 401, response.text
        assert codes(response.json()) == {code}
        assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_report_refusal_masks_an_id_number_written_with_dashes(gateway: Gateway):
    # one ID number as a person writes it (its normal form drops the dashes), quoted back by
    # the refusal of a case number it cannot read: masked, as the log masks it
    response = await gateway.client.get(
        "/report",
        params={"case": "3208-1219-8203-1512-56", "subject": RICH},
        headers={"Authorization": f"Bearer {TOKENS['judge']}"},
    )
    assert response.status_code == 400, response.text
    assert codes(response.json()) == {"INVALID_CASE_NUMBER"}
    assert "1219-8203" not in response.text


async def test_a_caller_over_its_rate_gets_429_with_retry_after(mocks: MockServers, tmp_path: Path):
    settings = gateway_settings(mocks, tmp_path, limits={"rate_per_minute": 6, "rate_burst": 3})
    async with run_gateway(settings) as gw:
        statuses = [(await gw.post(OPERATIONS["me"])).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        response = await gw.post(OPERATIONS["me"])
        assert response.status_code == 429
        assert int(response.headers["retry-after"]) >= 1
        assert codes(response.json()) == {"RATE_LIMITED"}
        # another caller is not held up
        assert (await gw.post(OPERATIONS["me"], who="admin")).status_code == 200


async def test_the_explorer_page_needs_no_token(gateway: Gateway):
    response = await gateway.client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert isinstance(response, httpx.Response)


async def test_refused_tokens_are_audited_and_rate_limited(mocks: MockServers, tmp_path: Path):
    settings = gateway_settings(mocks, tmp_path, limits={"rate_per_minute": 6, "rate_burst": 2})
    async with run_gateway(settings) as gw:
        bad = {"Authorization": "Bearer forged.token.value"}
        statuses = []
        for _ in range(3):
            response = await gw.client.post(
                "/graphql", json={"query": "{ me { role } }"}, headers=bad
            )
            statuses.append(response.status_code)
        assert statuses == [401, 401, 429]  # guessing tokens costs the address its rate
        body = await gw.query(
            '{ auditLog(action: "authenticate") { outcome code role actor } }', who="admin"
        )
        entries = body["data"]["auditLog"]
        assert [(e["outcome"], e["code"], e["role"]) for e in entries] == [
            ("denied", "TOKEN_INVALID", "PUBLIC")
        ] * 2


async def test_no_answer_leaves_without_its_audit_entry(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
):
    from gateway.services.audit import AuditLog, AuditUnavailableError

    def broken(self, conn, prepared, answers_of=None):
        raise AuditUnavailableError("审计日志写入失败", "the audit log could not be written")

    async def broken_on_asyncpg(self, conn, prepared, answers_of=None):
        broken(self, conn, prepared)

    # every append, grouped (on sqlite3, asyncpg or through SQLAlchemy) or in a unit
    monkeypatch.setattr(AuditLog, "append_rows", broken)
    monkeypatch.setattr(AuditLog, "append_rows_sqlite", broken)
    monkeypatch.setattr(AuditLog, "append_rows_driver", broken_on_asyncpg)
    query = (
        f'{{ debtor(subject: {{kind: NATURAL, id: "{RICH}"}}, caseNumber: "{CASE}") '
        "{ police { household { name address } } bank { accounts { accountNumber } } } }"
    )
    response = await gateway.post(query)
    assert response.status_code == 503
    body = response.json()
    assert codes(body) == {"AUDIT_UNAVAILABLE"}
    assert "data" not in body
    assert "accountNumber" not in response.text


async def test_a_case_write_whose_audit_entry_fails_is_not_made(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
):
    from gateway.services.audit import AuditLog, AuditUnavailableError

    async def broken(self, records, *, unit=None):
        raise AuditUnavailableError("审计日志写入失败", "the audit log could not be written")

    before = await gateway.query(f'{{ case(caseNumber: "{CASE}") {{ status performed }} }}')
    monkeypatch.setattr(AuditLog, "append", broken)
    for name in ("saveCase", "setCaseStatus", "recordPerformance"):
        mutation = OPERATIONS[name].replace("status: OPEN", "status: CLOSED")
        body = (await gateway.post(mutation, who="system")).json()
        assert codes(body) == {"AUDIT_UNAVAILABLE"}, name
    monkeypatch.undo()
    after = await gateway.query(f'{{ case(caseNumber: "{CASE}") {{ status performed }} }}')
    assert after == before
    assert after["data"]["case"]["status"] == "OPEN"
    missing = await gateway.query(f'{{ case(caseNumber: "{OTHER_CASE}") {{ status }} }}')
    assert missing["data"]["case"] is None


async def test_a_case_write_the_database_refuses_is_store_unavailable_not_internal(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
):
    from sqlalchemy.exc import OperationalError

    from gateway.services.audit import AuditLog

    async def gone(self, records, *, unit=None):  # a database gone away, read-only or locked
        raise OperationalError("INSERT", {}, OSError("connection refused"))

    monkeypatch.setattr(AuditLog, "append", gone)
    for name in ("saveCase", "setCaseStatus", "recordPerformance"):
        body = (await gateway.post(OPERATIONS[name], who="system")).json()
        assert codes(body) == {"STORE_UNAVAILABLE"}, (name, body)
        assert "try again later" in body["errors"][0]["extensions"]["messageEn"]
