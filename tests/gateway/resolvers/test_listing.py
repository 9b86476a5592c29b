"""The list through GraphQL, over HTTP: a court walks an entry through its states, the higher
court decides reconsideration, the public sees only what it may, the debtor profile shows the
status, and every event is in the history and the audit log."""

from __future__ import annotations

import asyncio
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from gateway.auth.principal import Role
from gateway.auth.tokens import TokenService, demo_auth
from mocks.runner import MockServers
from mocks.synthetic import Tier, example_subjects
from tests.conftest import CASE, SAVE_CASE, Gateway, gateway_settings, run_gateway

RICH = example_subjects()["natural"][Tier.RICH]
NAME = "王某某"
_TOKENS = TokenService(demo_auth())
HIGHER_JUDGE = _TOKENS.issue(Role.JUDGE, subject="judge:H001", court="苏08", judge="H001")

ENTRY = "id state public validUntil publishedOn maskedOn exitCause version"
WARN = (
    "mutation($w: ListingWarnInput!) { warnDebtor(warning: $w) { " + ENTRY + " judge age gender } }"
)


def warning(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "caseNumber": CASE,
        "subject": {"kind": "NATURAL", "id": RICH, "name": NAME},
        "basisDocumentNumber": "(2025)苏0812民初45号",
        "basisIssuer": "淮安市清江浦区人民法院",
        "obligation": "支付货款100000元",
        "unperformedPart": "100000元",
        "warnedOn": "2026-03-02",
        "documentNumber": "(2026)苏0812执123号风险提示",
    }
    values.update(overrides)
    return values


async def event(
    gateway: Gateway, name: str, entry: str, on: str, extra: str = "", *, who: str = "judge"
) -> dict[str, Any]:
    document = "" if "decision:" in extra else f', documentNumber: "文书-{name}"'
    query = (
        f'mutation {{ {name}(entryId: "{entry}", on: "{on}", reason: "依法"{document}'
        f"{extra}) {{ {ENTRY} }} }}"
    )
    body = await gateway.query(query, who=who)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"][name]
    return result


async def higher(gateway: Gateway, name: str, entry: str, on: str) -> dict[str, Any]:
    query = (
        f'mutation {{ {name}(entryId: "{entry}", on: "{on}", reason: "复议", '
        f'documentNumber: "(2026)苏08执复1号") {{ {ENTRY} }} }}'
    )
    response = await gateway.client.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {HIGHER_JUDGE}"}
    )
    body = response.json()
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"][name]
    return result


DECISION = (
    ', decision: {documentNumber: "(2026)苏0812执123号之一", ground: ASSET_REPORT, '
    'circumstance: "违反财产报告制度", level: SERIOUS}'
)
PUBLIC = (
    "query($n: String!, $f: String!) { publicListing(name: $n, idFragment: $f) { "
    "name idNumber age court caseNumber circumstance level validUntil } }"
)


async def test_a_court_walks_an_entry_through_the_list(gateway: Gateway):
    body = await gateway.query(WARN, {"w": warning()}, who="judge")
    assert "errors" not in body, body
    warned = body["data"]["warnDebtor"]
    assert (warned["state"], warned["public"], warned["judge"]) == ("WARNED", False, "J001")
    entry = warned["id"]
    listed = await event(gateway, "decideListing", entry, "2026-03-10", DECISION)
    assert (listed["state"], listed["validUntil"]) == ("LISTED", "2028-03-09")
    published = await event(gateway, "publishListing", entry, "2026-03-11")
    assert (published["state"], published["public"]) == ("PUBLISHED", True)

    # the public: a name and a fragment; birth month and day hidden
    response = await gateway.post(PUBLIC, {"n": NAME, "f": RICH[-4:]}, who=None)
    assert response.status_code == 200
    (shown,) = response.json()["data"]["publicListing"]
    assert shown["idNumber"] == RICH[:10] + "****" + RICH[14:]
    assert RICH not in response.text
    assert (shown["caseNumber"], shown["level"]) == (CASE, "SERIOUS")

    # correction rejected; reconsideration is the higher court's, not the executing court's
    await event(gateway, "applyListingCorrection", entry, "2026-03-12")
    await event(gateway, "rejectListingCorrection", entry, "2026-03-13")
    refused = await gateway.post(
        f'mutation {{ applyListingReconsideration(entryId: "{entry}", on: "2026-03-14") {{ id }} }}'
    )
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN_COURT"
    pending = await higher(gateway, "applyListingReconsideration", entry, "2026-03-14")
    assert pending["state"] == "UNDER_RECONSIDERATION"
    upheld = await higher(gateway, "upholdListing", entry, "2026-03-20")
    assert upheld["state"] == "PUBLISHED"

    # an invalid transition is refused with its code and changes nothing
    again = await gateway.query(
        f'mutation {{ publishListing(entryId: "{entry}", on: "2026-03-21") {{ id }} }}'
    )
    assert again["errors"][0]["extensions"]["code"] == "LISTING_INVALID_TRANSITION"

    # performance, then masking: the public no longer sees it, the history stays
    await event(gateway, "reportListingExit", entry, "2026-04-01", ", cause: PERFORMED")
    masked = await event(gateway, "maskListing", entry, "2026-04-02")
    assert (masked["state"], masked["public"], masked["exitCause"]) == (
        "MASKED",
        False,
        "PERFORMED",
    )
    gone = await gateway.query(PUBLIC, {"n": NAME, "f": RICH[-4:]}, who=None)
    assert gone["data"]["publicListing"] == []

    history = await gateway.query(
        f'{{ listingEntry(entryId: "{entry}") {{ history {{ event fromState toState '
        "occurredOn documentNumber actor court basis } } }"
    )
    events = [h["event"] for h in history["data"]["listingEntry"]["history"]]
    assert events == [
        "WARN",
        "DECIDE",
        "PUBLISH",
        "APPLY_CORRECTION",
        "REJECT_CORRECTION",
        "APPLY_RECONSIDERATION",
        "UPHOLD",
        "REPORT_EXIT",
        "MASK",
    ]
    items = history["data"]["listingEntry"]["history"]
    assert items[6]["court"] == "苏08"
    assert all(h["basis"] for h in items)

    # the debtor profile shows the status
    profile = await gateway.query(
        f'{{ debtor(subject: {{kind: NATURAL, id: "{RICH}"}}, caseNumber: "{CASE}", '
        "agencies: [POLICE]) { listing { entryId state public court } } }"
    )
    assert profile["data"]["debtor"]["listing"] == [
        {"entryId": entry, "state": "MASKED", "public": False, "court": "苏0812"}
    ]

    # every event is audited, with the subject masked
    log = await gateway.query(
        '{ auditLog(action: "listing.mask") { actor subjectMasked detail } }', who="admin"
    )
    (mask_entry,) = log["data"]["auditLog"]
    assert mask_entry["subjectMasked"] == RICH[:6] + "********" + RICH[-4:]
    assert "文书-maskListing" in mask_entry["detail"]


async def test_another_court_may_neither_record_nor_read(gateway: Gateway):
    body = await gateway.query(WARN, {"w": warning()}, who="system")
    entry = body["data"]["warnDebtor"]["id"]
    response = await gateway.post(
        f'mutation {{ withdrawListingWarning(entryId: "{entry}", on: "2026-03-03", '
        'documentNumber: "x") { id } }',
        who="foreign-judge",
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN_COURT"
    read = await gateway.post(
        f'{{ listingEntry(entryId: "{entry}") {{ id }} }}', who="foreign-system"
    )
    assert read.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN_COURT"
    assert (await gateway.query("{ listingEntries { id } }", who="foreign-judge"))["data"] == {
        "listingEntries": []
    }
    # a warning for another court's case is refused too
    foreign = await gateway.post(WARN, {"w": warning()}, who="foreign-system")
    assert foreign.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN_COURT"


async def test_a_minor_is_refused_at_the_warning(gateway: Gateway):
    from stdnum.cn import ric

    first17 = "32081220150101001"
    minor = first17 + ric.calc_check_digit(first17 + "0")
    await gateway.register([{"kind": "NATURAL", "id": minor}], case=OTHER_CASE)
    subject = {"kind": "NATURAL", "id": minor, "name": "小明"}
    body = await gateway.query(WARN, {"w": warning(caseNumber=OTHER_CASE, subject=subject)})
    assert body["errors"][0]["extensions"]["code"] == "LISTING_MINOR"
    assert minor not in str(body)


OTHER_CASE = "(2026)苏0812执778号"


async def test_only_a_debtor_of_a_registered_case_assigned_to_the_judge_is_warned(
    gateway: Gateway,
):
    """No one else is brought towards the list: not a stranger, not the case's creditor, not
    anyone in a case the register does not hold, not by a judge the case is not assigned to."""
    creditor, stranger = "91320812MA0002015P", "110101199003070011"  # a debtor of CASE; no party
    saved = await gateway.query(
        SAVE_CASE,
        {
            "case": {
                "caseNumber": OTHER_CASE,
                "judges": ["J001"],
                "parties": [
                    {"role": "DEBTOR", "kind": "NATURAL", "id": RICH},
                    {"role": "CREDITOR", "kind": "LEGAL", "id": creditor},
                ],
                "obligation": "5000.00",
                "status": "OPEN",
            }
        },
        who="system",
    )
    assert "errors" not in saved, saved
    refused = {
        "NOT_A_DEBTOR": [
            ("judge", warning(caseNumber=OTHER_CASE, subject={"kind": "LEGAL", "id": creditor})),
            ("judge", warning(subject={"kind": "NATURAL", "id": stranger, "name": "陌生人"})),
            ("system", warning(subject={"kind": "NATURAL", "id": stranger, "name": "陌生人"})),
        ],
        "CASE_NOT_REGISTERED": [
            ("judge", warning(caseNumber="(2026)苏0812执997号")),
            ("system", warning(caseNumber="(2026)苏0812执997号")),
        ],
        "NOT_ASSIGNED": [("other-judge", warning(caseNumber=OTHER_CASE))],
        "FORBIDDEN_COURT": [("foreign-system", warning(caseNumber=OTHER_CASE))],
    }
    for code, attempts in refused.items():
        for who, values in attempts:
            response = await gateway.post(WARN, {"w": values}, who=who)
            assert response.status_code == 403, (code, who, response.text)
            assert response.json()["errors"][0]["extensions"]["code"] == code, (who, values)
    # nothing was entered, and every refusal is in the audit log
    listed = await gateway.query("{ listingEntries { caseNumber } }")
    assert listed == {"data": {"listingEntries": []}}
    audit = await gateway.query(
        '{ auditLog(action: "listing.warn") { outcome code } }', who="admin"
    )
    assert "errors" not in audit, audit
    codes = sorted(e["code"] for e in audit["data"]["auditLog"])
    assert codes == sorted(code for code, attempts in refused.items() for _ in attempts)
    # the debtor of the case, by its judge and by the court's case system
    warned = await gateway.query(WARN, {"w": warning(caseNumber=OTHER_CASE)})
    assert warned["data"]["warnDebtor"]["state"] == "WARNED", warned
    await gateway.register([{"kind": "NATURAL", "id": RICH}], case=THIRD_CASE, judges=("J009",))
    warned = await gateway.query(WARN, {"w": warning(caseNumber=THIRD_CASE)}, who="system")
    assert warned["data"]["warnDebtor"]["judge"] is None, warned  # a system names one, or none


THIRD_CASE = "(2026)苏0812执779号"


async def test_a_debtor_has_one_standing_entry_in_a_case(gateway: Gateway):
    """A second warning of the same debtor in the same case, sent again or at once, is refused
    while the first entry stands; once it is withdrawn, the debtor may be warned again."""
    await gateway.register([{"kind": "NATURAL", "id": RICH}], case=OTHER_CASE)
    values = {"w": warning(caseNumber=OTHER_CASE)}
    answers = [
        r.json() for r in await asyncio.gather(*(gateway.post(WARN, values) for _ in range(4)))
    ]
    entered = [a["data"]["warnDebtor"]["id"] for a in answers if a.get("data")]
    assert len(entered) == 1, answers
    refusals = [a["errors"][0] for a in answers if not a.get("data")]
    assert [e["extensions"]["code"] for e in refusals] == ["LISTING_ALREADY_ENTERED"] * 3
    assert all(entered[0] in e["message"] for e in refusals)  # the entry to go on with
    # the same debtor in another case is another entry
    assert "errors" not in await gateway.query(WARN, {"w": warning()})
    decided = await event(gateway, "decideListing", entered[0], "2026-03-10", DECISION)
    assert decided["state"] == "LISTED"
    again = await gateway.query(WARN, values)
    assert again["errors"][0]["extensions"]["code"] == "LISTING_ALREADY_ENTERED"
    other = await gateway.query(WARN, {"w": warning(caseNumber=OTHER_CASE, warnedOn="2026-03-03")})
    assert other["errors"][0]["extensions"]["code"] == "LISTING_ALREADY_ENTERED"
    listed = await gateway.query(
        '{ listingEntries(caseNumber: "' + OTHER_CASE + '") { id state } }'
    )
    assert listed["data"]["listingEntries"] == [{"id": entered[0], "state": "LISTED"}]


async def test_after_a_withdrawn_warning_the_debtor_may_be_warned_again(gateway: Gateway):
    await gateway.register([{"kind": "NATURAL", "id": RICH}], case=OTHER_CASE)
    values = {"w": warning(caseNumber=OTHER_CASE)}
    first = (await gateway.query(WARN, values))["data"]["warnDebtor"]["id"]
    await event(gateway, "withdrawListingWarning", first, "2026-03-05")
    second = await gateway.query(WARN, {"w": warning(caseNumber=OTHER_CASE, warnedOn="2026-04-01")})
    assert second["data"]["warnDebtor"]["state"] == "WARNED", second
    assert second["data"]["warnDebtor"]["id"] != first


async def test_the_overdue_view_as_of_a_day(gateway: Gateway):
    body = await gateway.query(WARN, {"w": warning(warnedOn="2026-02-02")})
    entry = body["data"]["warnDebtor"]["id"]
    await event(gateway, "decideListing", entry, "2026-02-10", DECISION.replace("之一", "之二"))
    await event(gateway, "publishListing", entry, "2026-02-10")
    await event(gateway, "applyListingCorrection", entry, "2026-02-12")
    query = (
        "query($d: Date) { listingOverdue(asOf: $d) { kind dueOn daysOverdue "
        "deadlineSource entry { id } } }"
    )
    on_time = await gateway.query(query, {"d": "2026-02-24"})
    assert on_time["data"]["listingOverdue"] == []
    late = await gateway.query(query, {"d": "2026-02-25"})
    (item,) = late["data"]["listingOverdue"]
    assert (item["kind"], item["dueOn"], item["daysOverdue"]) == ("REVIEW", "2026-02-24", 1)
    assert "四(一)3" in item["deadlineSource"]
    rows = await gateway.query(
        'query { listingAccountability(asOf: "2026-02-25") { judge kind count } }', who="system"
    )
    assert rows["data"]["listingAccountability"] == [
        {"judge": "J001", "kind": "REVIEW", "count": 1}
    ]


async def test_the_public_query_is_rate_limited_per_address(mocks: MockServers, tmp_path: Path):
    settings = gateway_settings(mocks, tmp_path, limits={"rate_per_minute": 6, "rate_burst": 3})
    async with run_gateway(settings) as gw:
        statuses = [
            (await gw.post(PUBLIC, {"n": NAME, "f": "123456"}, who=None)).status_code
            for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429]


async def test_a_bad_public_query_is_a_coded_error(gateway: Gateway):
    body = await gateway.query(PUBLIC, {"n": NAME, "f": "12"}, who=None)
    assert body["errors"][0]["extensions"]["code"] == "PUBLIC_QUERY_INVALID"


async def test_out_of_range_input_is_a_coded_error_not_a_500(gateway: Gateway):
    for query in (
        '{ listingOverdue(asOf: "0001-01-01") { kind } }',
        '{ listingLeads(asOf: "9999-12-31") { caseNumber } }',
    ):
        response = await gateway.post(query)
        assert response.status_code == 200, response.text
        assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    body = await gateway.query(WARN, {"w": warning(documentNumber="号" * 200)})
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


LEADS = "{ listingLeads { caseNumber unperformed assetsFound lastInquiredAt assetsCoverDebt } }"
DEBTOR = """
query($id: String!, $case: String!) {
  debtor(subject: {kind: NATURAL, id: $id}, caseNumber: $case,
         agencies: [BANK, FUND, SECURITIES, BUSINESS, LAND]) { sources { agency status } }
}"""


async def test_a_lead_shows_what_the_inquiry_in_its_case_found(gateway: Gateway):
    # the covering case has the later number: only the ranking puts it first
    small, large = "(2025)苏0812执902号", "(2025)苏0812执901号"
    for number, obligation in ((small, "1.00"), (large, "999999999999.00")):
        case = {
            "caseNumber": number,
            "judges": ["J001"],
            "parties": [{"role": "DEBTOR", "kind": "NATURAL", "id": RICH}],
            "obligation": obligation,
            "filedOn": "2025-01-02",
        }
        saved = await gateway.query(SAVE_CASE, {"case": case}, who="system")
        assert "errors" not in saved, saved

    def leads(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
        assert "errors" not in body, body
        return {lead["caseNumber"]: lead for lead in body["data"]["listingLeads"]}

    before = leads(await gateway.query(LEADS))
    for number in (small, large):  # never inquired about in these cases: no figure
        assert before[number]["assetsFound"] is None
        assert before[number]["lastInquiredAt"] is None
        assert before[number]["assetsCoverDebt"] is False

    for number in (small, large):
        body = await gateway.query(DEBTOR, {"id": RICH, "case": number})
        assert "errors" not in body, body
    after = leads(await gateway.query(LEADS))
    found = Decimal(after[small]["assetsFound"])
    assert found > 0  # the rich example subject has deposits
    assert Decimal(after[large]["assetsFound"]) == found  # the same debtor, the same answers
    assert after[small]["lastInquiredAt"] is not None
    assert after[small]["assetsCoverDebt"] is True
    assert after[large]["assetsCoverDebt"] is False
    # the covering lead is ranked before the other, filed the same day
    order = [lead["caseNumber"] for lead in (await gateway.query(LEADS))["data"]["listingLeads"]]
    assert order.index(small) < order.index(large)


async def test_an_id_number_in_an_entrys_texts_is_masked_in_the_public_answer(gateway: Gateway):
    third = "320812198506150011"
    spaced = f"{third[:4]} {third[4:8]} {third[8:12]} {third[12:16]} {third[16:]}"
    texts = warning(
        obligation=f"被执行人（身份证号{RICH}）支付货款100000元",
        basisIssuer=f"担保人{spaced}",
        unperformedPart=f"100000元，账户{full_width(third)}",
    )
    body = await gateway.query(WARN, {"w": texts})
    assert "errors" not in body, body
    entry = body["data"]["warnDebtor"]["id"]
    circumstance = DECISION.replace("违反财产报告制度", f"违反财产报告制度（{third}X）")
    await event(gateway, "decideListing", entry, "2026-03-10", circumstance)
    await event(gateway, "publishListing", entry, "2026-03-11")
    query = (
        "query($n: String!, $f: String!) { publicListing(name: $n, idFragment: $f) { "
        "obligation basisIssuer unperformedPart circumstance } }"
    )
    response = await gateway.post(query, {"n": NAME, "f": RICH[-4:]}, who=None)
    (shown,) = response.json()["data"]["publicListing"]
    assert (
        shown["obligation"] == f"被执行人（身份证号{RICH[:6]}********{RICH[-4:]}）支付货款100000元"
    )
    digits = re.sub(r"\D", "", response.text)
    for number in (RICH, third):
        assert number[6:14] not in digits  # no run of the hidden part, however it was written
    assert "3208 12** **** **00 11" in shown["basisIssuer"]
    assert shown["circumstance"].startswith("违反财产报告制度（320812")


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


async def test_every_spelling_of_a_number_finds_the_same_entry_and_other_digits_are_refused(
    gateway: Gateway,
):
    body = await gateway.query(WARN, {"w": warning()})
    entry = body["data"]["warnDebtor"]["id"]
    await event(gateway, "decideListing", entry, "2026-03-10", DECISION.replace("之一", "之三"))
    await event(gateway, "publishListing", entry, "2026-03-11")
    by_id = "query($s: String) { listingEntries(subjectId: $s) { id } }"
    spaced = f"{RICH[:6]} {RICH[6:14]}-{RICH[14:]}"
    for spelling in (RICH, full_width(RICH), spaced, RICH.lower()):
        found = await gateway.query(by_id, {"s": spelling})
        assert found["data"]["listingEntries"] == [{"id": entry}], spelling
        head = spelling[:11] if " " in spelling else spelling[:10]  # its first ten digits
        for fragment in (spelling[-4:], head):  # where the answer shows the number
            public = await gateway.query(PUBLIC, {"n": NAME, "f": fragment}, who=None)
            assert len(public["data"]["publicListing"]) == 1, (spelling, fragment)
    arabic_indic = "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in RICH)
    for query, variables in (
        (by_id, {"s": arabic_indic}),
        (PUBLIC, {"n": NAME, "f": arabic_indic[-8:]}),
    ):
        refused = await gateway.query(query, variables, who=None if query is PUBLIC else "judge")
        assert refused["errors"][0]["extensions"]["code"] == "INVALID_SUBJECT_ID"
        assert arabic_indic not in str(refused)


async def test_a_legal_persons_old_organisation_code_is_entered_at_the_warning_and_public(
    gateway: Gateway,
):
    from tests.gateway.listing_samples import uscc

    credit_code = uscc()
    await gateway.register([{"kind": "LEGAL", "id": credit_code}], case=OTHER_CASE)
    company = {"kind": "LEGAL", "id": credit_code, "name": "某某有限公司"}
    body = await gateway.post(
        "mutation($w: ListingWarnInput!) { warnDebtor(warning: $w) { id organisationCode } }",
        {
            "w": warning(
                caseNumber=OTHER_CASE,
                subject=company,
                legalRepresentative="王五",
                organisationCode="７１５２６７２６-ｘ",
            )
        },
    )
    assert "errors" not in body.json(), body.text
    warned = body.json()["data"]["warnDebtor"]
    assert warned["organisationCode"] == "71526726X"  # normal form: ASCII, upper case, no dash
    entry = warned["id"]
    await event(gateway, "decideListing", entry, "2026-03-10", DECISION.replace("之一", "之四"))
    await event(gateway, "publishListing", entry, "2026-03-11")
    public = await gateway.query(
        "query($n: String!, $f: String!) { publicListing(name: $n, idFragment: $f) { "
        "idNumber organisationCode } }",
        {"n": "某某有限公司", "f": credit_code[-6:]},
        who=None,
    )
    assert public["data"]["publicListing"] == [
        {"idNumber": credit_code, "organisationCode": "71526726X"}
    ]
    # refused: a wrong check character, and any code for a natural person
    for overrides, code in (
        (
            {
                "caseNumber": OTHER_CASE,
                "subject": company,
                "legalRepresentative": "王五",
                "organisationCode": "71526726-0",
            },
            "LISTING_ORGANISATION_CODE_INVALID",
        ),
        ({"organisationCode": "71526726X"}, "LISTING_ORGANISATION_CODE_NATURAL_PERSON"),
    ):
        refused = await gateway.query(WARN, {"w": warning(**overrides)})
        error = refused["errors"][0]
        assert error["extensions"]["code"] == code, refused
        assert "组织机构代码" in error["message"]


async def test_an_empty_states_filter_is_refused_not_read_as_every_state(gateway: Gateway):
    body = await gateway.query("{ listingEntries(states: []) { id } }")
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT", body
    assert "states" in body["errors"][0]["message"]
    assert "errors" not in await gateway.query("{ listingEntries(states: [WARNED]) { id } }")


async def as_higher(gateway: Gateway, query: str) -> dict[str, Any]:
    response = await gateway.client.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {HIGHER_JUDGE}"}
    )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body


async def test_an_overdue_reconsideration_is_the_higher_courts_in_every_view(gateway: Gateway):
    body = await gateway.query(WARN, {"w": warning()})
    entry = body["data"]["warnDebtor"]["id"]
    await event(gateway, "decideListing", entry, "2026-03-10", DECISION)
    await event(gateway, "publishListing", entry, "2026-03-11")
    await event(gateway, "applyListingCorrection", entry, "2026-03-12")
    await event(gateway, "rejectListingCorrection", entry, "2026-03-13")
    # applied for on Mon 16 March: 15 days end on Tue 31 March
    await higher(gateway, "applyListingReconsideration", entry, "2026-03-16")
    overdue = (
        'query { listingOverdue(asOf: "2026-04-01") { kind court dueOn daysOverdue entry '
        "{ id court } } }"
    )
    accountability = (
        'query { listingAccountability(asOf: "2026-04-01") { court judge kind count } }'
    )
    entries = "query { listingEntries(states: [UNDER_RECONSIDERATION]) { id court state } }"
    # the higher court sees what it must decide, late, and is answerable for it
    (item,) = (await as_higher(gateway, overdue))["data"]["listingOverdue"]
    assert item == {
        "kind": "RECONSIDERATION",
        "court": "苏08",
        "dueOn": "2026-03-31",
        "daysOverdue": 1,
        "entry": {"id": entry, "court": "苏0812"},
    }
    assert (await as_higher(gateway, accountability))["data"]["listingAccountability"] == [
        {"court": "苏08", "judge": "H001", "kind": "RECONSIDERATION", "count": 1}
    ]
    assert (await as_higher(gateway, entries))["data"]["listingEntries"] == [
        {"id": entry, "court": "苏0812", "state": "UNDER_RECONSIDERATION"}
    ]
    # the executing court is not charged with it, but still lists its entry
    for who in ("judge", "system"):
        assert (await gateway.query(overdue, who=who))["data"]["listingOverdue"] == []
        mine = await gateway.query(accountability, who=who)
        assert mine["data"]["listingAccountability"] == []
        listed = await gateway.query(entries, who=who)
        assert [e["id"] for e in listed["data"]["listingEntries"]] == [entry]
    # a sibling court below the same higher court sees none of it
    other = await gateway.query(entries, who="foreign-judge")
    assert other["data"]["listingEntries"] == []


FILED_CASE = "(2026)苏0812执779号"


async def test_a_warning_before_the_case_was_filed_is_refused(gateway: Gateway):
    for number, filed in ((FILED_CASE, "2026-01-05"), ("(2026)苏0812执780号", None)):
        case: dict[str, Any] = {
            "caseNumber": number,
            "judges": ["J001"],
            "parties": [{"role": "DEBTOR", "kind": "NATURAL", "id": RICH}],
            "obligation": "5000.00",
        }
        if filed is not None:
            case["filedOn"] = filed
        saved = await gateway.query(SAVE_CASE, {"case": case}, who="system")
        assert "errors" not in saved, saved
    for number, warned, earliest in (
        (FILED_CASE, "2024-02-01", "2026-01-05"),
        (FILED_CASE, "2026-01-04", "2026-01-05"),
        ("(2026)苏0812执780号", "2025-12-31", "2026-01-01"),
    ):
        body = await gateway.query(WARN, {"w": warning(caseNumber=number, warnedOn=warned)})
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "LISTING_DATE_INVALID", body
        assert f"最早为 {earliest}" in error["message"]
        assert f"the earliest allowed day is {earliest}" in error["message"]
    # nothing was entered; on the filing day itself the warning is taken
    listed = await gateway.query("{ listingEntries { id } }")
    assert listed["data"]["listingEntries"] == []
    taken = await gateway.query(WARN, {"w": warning(caseNumber=FILED_CASE, warnedOn="2026-01-05")})
    assert taken["data"]["warnDebtor"]["state"] == "WARNED", taken


async def test_a_warnings_filing_date_outside_its_case_numbers_years_is_refused(
    gateway: Gateway,
):
    """The entry publishes it as its 立案时间: 0001-01-01 and 9999-12-31 were stored and shown;
    saveCase's rule applies (from 1 January of the case number's year to today)."""
    for filed in ("0001-01-01", "2025-12-31", "9999-12-31"):
        body = await gateway.query(WARN, {"w": warning(filedOn=filed)})
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "INVALID_INPUT", body
        assert f"the filing date {filed} must fall between 2026-01-01" in error["message"]
    listed = await gateway.query("{ listingEntries { id } }")
    assert listed["data"]["listingEntries"] == []
    query = WARN.replace(" judge age gender", " filedOn")
    taken = await gateway.query(query, {"w": warning(filedOn="2026-01-05")})
    assert taken["data"]["warnDebtor"]["filedOn"] == "2026-01-05", taken


async def test_the_public_query_finds_a_name_in_any_width(gateway: Gateway):
    for typed, asked in (("测试10", "测试１０"), ("测试１０", "测试10")):
        number = "(2026)苏0812执781号" if typed == "测试10" else "(2026)苏0812执782号"
        await gateway.register([{"kind": "NATURAL", "id": RICH}], case=number)
        subject = {"kind": "NATURAL", "id": RICH, "name": typed}
        body = await gateway.query(WARN, {"w": warning(caseNumber=number, subject=subject)})
        entry = body["data"]["warnDebtor"]["id"]
        decision = DECISION.replace("(2026)苏0812执123号", number)
        await event(gateway, "decideListing", entry, "2026-03-10", decision)
        await event(gateway, "publishListing", entry, "2026-03-11")
        found = await gateway.query(PUBLIC, {"n": asked, "f": RICH[-4:]}, who=None)
        assert [(e["name"], e["caseNumber"]) for e in found["data"]["publicListing"]] == [
            ("测试10", number)
        ], found
        await event(gateway, "revokeListing", entry, "2026-03-12")


async def test_a_circumstance_longer_than_every_other_text_is_refused(gateway: Gateway):
    body = await gateway.query(WARN, {"w": warning()})
    entry = body["data"]["warnDebtor"]["id"]
    query = (
        f'mutation($c: String!) {{ decideListing(entryId: "{entry}", on: "2026-03-10", '
        'decision: {documentNumber: "(2026)苏0812执123号之一", ground: ASSET_REPORT, '
        "circumstance: $c}) { id state circumstance } }"
    )
    refused = await gateway.query(query, {"c": "隐匿财产" * 1250})  # 5,000 characters
    (error,) = refused["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert "2000" in error["message"]
    unchanged = await gateway.query(f'{{ listingEntry(entryId: "{entry}") {{ state }} }}')
    assert unchanged["data"]["listingEntry"]["state"] == "WARNED"
    decided = await gateway.query(query, {"c": "隐" * 2000})
    assert decided["data"]["decideListing"]["state"] == "LISTED", decided


async def test_a_case_system_names_a_judge_by_an_ascii_id(gateway: Gateway):
    for judge in ("J001\u200b", "٣"):  # looks like J001; another script's digit
        body = await gateway.query(WARN, {"w": warning(judge=judge)}, who="system")
        assert body["errors"][0]["extensions"]["code"] == "INVALID_JUDGE_ID", body
    body = await gateway.query(WARN, {"w": warning(judge="Ｊ００１")}, who="system")
    assert "errors" not in body, body
    assert body["data"]["warnDebtor"]["judge"] == "J001"
