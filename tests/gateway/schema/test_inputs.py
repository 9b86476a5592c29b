"""Every scalar input, through the real application on SQLite and on PostgreSQL, ends in data
or a coded error: identifiers in one normal form, text with characters no database stores,
amounts out of range, datetimes without a timezone; and no error or log line shows a number.

The application (``create_app``) runs in process inside its lifespan, on a scratch database of
each backend (``tests.gateway.store.databases``); no agency is configured, so inquiries that get
through are fast NOT_CONFIGURED answers.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from gateway.app import create_app
from mocks.runner import MockServers
from tests.conftest import TOKENS, gateway_settings
from tests.gateway.store.databases import BACKENDS, scratch_database

COURT_CASE = "(2026)苏0812执123号"
SAVE_CASE = """
mutation($case: CaseInput!) {
  saveCase(case: $case) { caseNumber obligation parties { subject { id name } } }
}
"""
RECORD_PERFORMANCE = """
mutation($case: String!, $performed: Decimal!) {
  recordPerformance(caseNumber: $case, performed: $performed) { performed }
}
"""
AUDIT_LOG = """
query($subject: String, $case: String, $since: DateTime, $until: DateTime, $actor: String) {
  auditLog(subjectId: $subject, caseNumber: $case, since: $since, until: $until, actor: $actor) {
    action subjectMasked caseNumber
  }
}
"""
DEBTOR = """
query($subject: SubjectInput!, $case: String!) {
  debtor(subject: $subject, caseNumber: $case) { subject { id } sources { status message } }
}
"""
CASE_QUERY = "query($case: String!) { case(caseNumber: $case) { caseNumber } }"

# the same digit, written the ways people (and their input methods) write it
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")


def resident_id(region: str, birth: datetime.date, seq: int) -> str:
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + ric.calc_check_digit(first17 + "0")


# a number ending in X: a full-width or Arabic-Indic copy of it passed the old check-digit test
DEBTOR_X = next(
    n for s in range(1000) if (n := resident_id("320812", datetime.date(1980, 1, 1), s))[-1] == "X"
)
DEBTOR_2 = resident_id("320812", datetime.date(1975, 6, 30), 12)
CREDITOR_CODE = "91320812MA0002015P"


class App:
    """The application over one backend, and a way to post to it (bodies as raw JSON, so that a
    lone surrogate travels as the ``\\ud800`` escape a real client would send)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def post(self, query: str, variables: dict[str, Any], who: str) -> dict[str, Any]:
        body = json.dumps({"query": query, "variables": variables})  # ensure_ascii: escapes
        response = await self.client.post(
            "/graphql",
            content=body.encode(),
            headers={"Authorization": f"Bearer {TOKENS[who]}", "Content-Type": "application/json"},
        )
        assert response.status_code < 500, response.text
        answer: dict[str, Any] = response.json()
        return answer

    async def save(self, parties: list[dict[str, Any]], **case: Any) -> dict[str, Any]:
        variables = {
            "case": {
                "caseNumber": COURT_CASE,
                "judges": ["J001"],
                "parties": parties,
                "obligation": "100000.00",
                **case,
            }
        }
        return await self.post(SAVE_CASE, variables, "system")


@pytest.fixture(params=BACKENDS)
async def app(
    request: pytest.FixtureRequest, tmp_path: Path, mocks: MockServers
) -> AsyncIterator[App]:
    """The gateway over one backend and the mock agencies: an inquiry's input goes the whole
    way, into the agencies' requests (a name the contract does not carry failed only there)."""
    async with scratch_database(request.param, tmp_path, migrated=True) as url:
        settings_ = gateway_settings(
            mocks,
            tmp_path,
            database_url=url,
            limits={"rate_per_minute": 1_000_000, "rate_burst": 1_000_000},
        )
        application = create_app(settings_)
        transport = httpx.ASGITransport(app=application)
        async with (
            application.router.lifespan_context(application),
            httpx.AsyncClient(transport=transport, base_url="http://gateway", timeout=30) as c,
        ):
            gateway = App(c)
            registered = await gateway.save(
                [debtor(DEBTOR_X), debtor(DEBTOR_2), creditor(CREDITOR_CODE)]
            )
            assert "errors" not in registered, registered
            yield gateway


def debtor(subject_id: str, name: str | None = None) -> dict[str, Any]:
    return {"role": "DEBTOR", "kind": "NATURAL", "id": subject_id, "name": name}


def creditor(code: str) -> dict[str, Any]:
    return {"role": "CREDITOR", "kind": "LEGAL", "id": code}


def codes(answer: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in answer.get("errors") or []]


def assert_data_or_coded(answer: dict[str, Any]) -> None:
    """The promise: data, or errors that each carry a code (never the masked internal one, not
    even as an agency's status in the data)."""
    assert "internal gateway error" not in json.dumps(answer), answer
    errors = answer.get("errors") or []
    if not errors:
        assert answer.get("data"), answer
    for error in errors:
        code = error.get("extensions", {}).get("code")
        assert code, answer
        assert code != "INTERNAL_ERROR", answer
        assert "internal gateway error" not in error["message"], answer


# --- identifiers: one normal form -------------------------------------------------------------


async def test_one_save_with_three_spellings_of_a_debtor_is_one_party_or_refused(app: App):
    spellings = [DEBTOR_X, DEBTOR_X.translate(FULL_WIDTH), DEBTOR_X.lower()]
    answer = await app.save([debtor(s) for s in spellings])
    assert codes(answer) == ["INVALID_INPUT"]  # the same party listed three times
    assert "listed more than once" in answer["errors"][0]["extensions"]["messageEn"]

    answer = await app.save([debtor(DEBTOR_X.translate(FULL_WIDTH))])
    assert "errors" not in answer, answer
    assert [p["subject"]["id"] for p in answer["data"]["saveCase"]["parties"]] == [DEBTOR_X]


@pytest.mark.parametrize(
    "spelling",
    [
        pytest.param(DEBTOR_2.translate(FULL_WIDTH), id="full-width"),
        pytest.param(DEBTOR_2[:-3] + DEBTOR_2[-3:].translate(SUPERSCRIPT), id="superscript"),
        pytest.param(" ".join([DEBTOR_2[:6], DEBTOR_2[6:14], DEBTOR_2[14:]]), id="spaced"),
        pytest.param(DEBTOR_2[:6] + "\u3000" + DEBTOR_2[6:], id="ideographic-space"),
        pytest.param(DEBTOR_2[:6] + DEBTOR_2[8:17], id="old-15-digit"),
        pytest.param((DEBTOR_2[:6] + DEBTOR_2[8:17]).translate(FULL_WIDTH), id="old-15-fw"),
    ],
)
async def test_every_spelling_of_a_debtor_is_the_same_person(app: App, spelling: str):
    answer = await app.post(
        DEBTOR, {"subject": {"kind": "NATURAL", "id": spelling}, "case": COURT_CASE}, "judge"
    )
    assert "errors" not in answer, answer
    assert answer["data"]["debtor"]["subject"]["id"] == DEBTOR_2


@pytest.mark.parametrize("digits", [ARABIC_INDIC, DEVANAGARI], ids=["arabic-indic", "devanagari"])
async def test_digits_nfkc_leaves_non_ascii_are_refused(app: App, digits: dict[int, str]):
    spelling = DEBTOR_X.translate(digits)
    answer = await app.post(
        DEBTOR, {"subject": {"kind": "NATURAL", "id": spelling}, "case": COURT_CASE}, "judge"
    )
    assert codes(answer) == ["INVALID_SUBJECT_ID"]
    saved = await app.save([debtor(spelling)])
    assert codes(saved) == ["INVALID_SUBJECT_ID"]


async def test_the_audit_log_finds_an_inquiry_under_every_spelling(app: App):
    asked = await app.post(
        DEBTOR, {"subject": {"kind": "NATURAL", "id": DEBTOR_X}, "case": COURT_CASE}, "judge"
    )
    assert "errors" not in asked, asked
    old_15 = DEBTOR_X[:6] + DEBTOR_X[8:17]
    for spelling in (
        DEBTOR_X,
        DEBTOR_X.translate(FULL_WIDTH),
        DEBTOR_X.lower(),
        old_15.translate(FULL_WIDTH),
    ):
        answer = await app.post(AUDIT_LOG, {"subject": spelling}, "admin")
        assert "errors" not in answer, answer
        assert [e["action"] for e in answer["data"]["auditLog"]] == ["inquiry"], spelling
    refused = await app.post(AUDIT_LOG, {"subject": DEBTOR_X.translate(ARABIC_INDIC)}, "admin")
    assert codes(refused) == ["INVALID_SUBJECT_ID"]


@pytest.mark.parametrize(
    ("malformed", "kind"),
    [
        pytest.param("12345", "NATURAL", id="short"),
        pytest.param(DEBTOR_2[:-1] + ("1" if DEBTOR_2[-1] != "1" else "2"), "NATURAL", id="check"),
        pytest.param(CREDITOR_CODE[:-1] + "Q", "LEGAL", id="credit-code"),
    ],
)
async def test_a_malformed_subject_id_in_the_audit_log_is_refused_as_elsewhere(
    app: App, malformed: str, kind: str
):
    """A number that does not validate is the coded, bilingual error the ``debtor`` field gives
    for it, not an empty page (which reads as "nobody asked about this person")."""
    asked = await app.post(
        DEBTOR, {"subject": {"kind": kind, "id": malformed}, "case": COURT_CASE}, "judge"
    )
    expected = asked["errors"][0]["extensions"]
    literal = f"{{ auditLog(subjectId: {json.dumps(malformed)}) {{ seq }} }}"
    for answer in (
        await app.post(AUDIT_LOG, {"subject": malformed}, "admin"),
        await app.post(literal, {}, "admin"),
    ):
        assert codes(answer) == ["INVALID_SUBJECT_ID"], answer
        assert answer["data"] is None
        message = answer["errors"][0]["extensions"]
        assert (message["messageZh"], message["messageEn"]) == (
            expected["messageZh"],
            expected["messageEn"],
        )


async def test_case_numbers_in_full_width_are_the_same_case(app: App):
    full_width = "（２０２６）苏０８１２执１２３号"
    answer = await app.post(CASE_QUERY, {"case": full_width}, "judge")
    assert answer["data"]["case"]["caseNumber"] == COURT_CASE
    listed = await app.post(AUDIT_LOG, {"case": full_width}, "admin")
    assert {e["caseNumber"] for e in listed["data"]["auditLog"]} == {COURT_CASE}
    refused = await app.post(CASE_QUERY, {"case": COURT_CASE.translate(ARABIC_INDIC)}, "judge")
    assert codes(refused) == ["INVALID_CASE_NUMBER"]


# --- no raw number in any error or log line ---------------------------------------------------

HOSTILE_IDS = [
    DEBTOR_2[:-2] + "²" + DEBTOR_2[-1],  # a superscript: was an uncoded internal error
    DEBTOR_2.translate(ARABIC_INDIC),
    DEBTOR_2[:-1] + ("1" if DEBTOR_2[-1] != "1" else "2"),  # a wrong check digit
    "9" + DEBTOR_2[1:],  # a bad date or check digit
    DEBTOR_2 + "\x00",
]


async def test_no_error_and_no_log_line_shows_a_number(app: App, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.INFO)  # the level ``chakong serve`` logs at
    answers = []
    for value in HOSTILE_IDS:
        for kind in ("NATURAL", "LEGAL"):  # a resident ID sent as LEGAL was echoed in full
            subject = {"kind": kind, "id": value}
            answers.append(
                await app.post(DEBTOR, {"subject": subject, "case": COURT_CASE}, "judge")
            )
            party = {"role": "DEBTOR", **subject}
            answers.append(await app.save([party]))
        answers.append(await app.post(AUDIT_LOG, {"subject": value}, "admin"))
        answers.append(await app.post(CASE_QUERY, {"case": value}, "judge"))
    # a database's refusal quotes its statement's parameters: never into the log
    answers.append(await app.save([debtor(DEBTOR_2, name="名" * 300)]))
    for answer in answers:
        assert_data_or_coded(answer)
    errors = [a.get("errors") for a in answers]  # data may hold the id: it was asked for
    text = json.dumps(errors, ensure_ascii=False) + caplog.text
    for raw in {DEBTOR_2, DEBTOR_2[:14], *(v.replace("\x00", "") for v in HOSTILE_IDS)}:
        assert raw not in text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


# --- the other scalars --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "performed", ["1e26", "1E+999999", "99999999999999999999999999999", "NaN", "-Infinity", "-1"]
)
async def test_an_amount_outside_the_range_is_refused_with_a_code(app: App, performed: str):
    answer = await app.post(
        RECORD_PERFORMANCE, {"case": COURT_CASE, "performed": performed}, "system"
    )
    assert codes(answer) == ["INVALID_AMOUNT"]
    answer = await app.save([debtor(DEBTOR_2)], obligation=performed)
    assert codes(answer) == ["INVALID_AMOUNT"]


async def test_a_negative_zero_is_zero(app: App):
    answer = await app.post(RECORD_PERFORMANCE, {"case": COURT_CASE, "performed": "-0"}, "system")
    assert answer["data"]["recordPerformance"]["performed"] == "0.00"


@pytest.mark.parametrize(
    ("since", "code"),
    [
        ("2026-01-01T00:00:00", "INVALID_DATETIME"),
        ("2026-01-01", "INVALID_DATETIME"),
        ("0001-01-01T00:00:00+08:00", "INVALID_DATETIME"),
        ("9999-12-31T23:00:00-05:00", "INVALID_DATETIME"),
        ("2026-01-01T00:00:00+08:00", None),
        ("2026-01-01T00:00:00Z", None),
    ],
)
async def test_a_datetime_without_a_timezone_is_refused(app: App, since: str, code: str | None):
    for name in ("since", "until"):
        answer = await app.post(AUDIT_LOG, {name: since}, "admin")
        assert codes(answer) == ([code] if code else []), answer


@pytest.mark.parametrize("bad", ["\x00", "\x1b[2J", "\ud800", "\x7f", "\x85"])
async def test_text_no_database_stores_is_refused_at_entry(app: App, bad: str):
    inputs: list[tuple[str, dict[str, Any], str]] = [
        (
            SAVE_CASE,
            {
                "case": {
                    "caseNumber": COURT_CASE,
                    "judges": ["J001"],
                    "obligation": "1",
                    "parties": [debtor(DEBTOR_2, name=f"张{bad}三")],
                }
            },
            "system",
        ),
        (
            SAVE_CASE,
            {
                "case": {
                    "caseNumber": COURT_CASE,
                    "judges": [f"J{bad}1"],
                    "obligation": "1",
                    "parties": [debtor(DEBTOR_2)],
                }
            },
            "system",
        ),
        (RECORD_PERFORMANCE, {"case": COURT_CASE + bad, "performed": "1"}, "system"),
        (AUDIT_LOG, {"actor": f"admin{bad}"}, "admin"),
        (
            DEBTOR,
            {"subject": {"kind": "NATURAL", "id": DEBTOR_2, "name": bad}, "case": COURT_CASE},
            "judge",
        ),
    ]
    for query, variables, who in inputs:
        answer = await app.post(query, variables, who)
        assert codes(answer) == ["INVALID_TEXT"], answer
        assert "data" not in answer or answer["data"] is None
    # a literal in the document is text too
    literal = json.dumps("admin" + bad)
    answer = await app.post(f"{{ auditLog(actor: {literal}) {{ seq }} }}", {}, "admin")
    assert codes(answer) in (["INVALID_TEXT"], ["GRAPHQL_PARSE_FAILED"]), answer


async def test_chinese_messages_name_the_position_in_chinese(app: App):
    answer = await app.save([debtor(DEBTOR_2), debtor("123")])
    message = answer["errors"][0]["extensions"]
    assert message["messageZh"].startswith("第2个当事人：")
    assert message["messageEn"].startswith("parties[1]:")
    subjects = [{"kind": "NATURAL", "id": DEBTOR_2}, {"kind": "NATURAL", "id": "123"}]
    query = (
        "query($s: [SubjectInput!]!, $c: String!) "
        "{ debtors(subjects: $s, caseNumber: $c) { subject { id } } }"
    )
    answer = await app.post(query, {"s": subjects, "c": COURT_CASE}, "judge")
    assert answer["errors"][0]["extensions"]["messageZh"].startswith("第2个被执行人：")
    for variables in ({"s": [], "c": COURT_CASE}, {"s": subjects[:1], "c": COURT_CASE, "a": []}):
        answer = await app.post(
            "query($s: [SubjectInput!]!, $c: String!, $a: [Agency!]) "
            "{ debtors(subjects: $s, caseNumber: $c, agencies: $a) { subject { id } } }",
            variables,
            "judge",
        )
        assert not re.search(r"[A-Za-z]{3,}", answer["errors"][0]["extensions"]["messageZh"])


# --- generated inputs -------------------------------------------------------------------------

DIGIT_FORMS = [
    str.maketrans({}),
    FULL_WIDTH,
    SUPERSCRIPT,
    ARABIC_INDIC,
    str.maketrans("0123456789", "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗"),  # mathematical bold
    str.maketrans("123456789", "①②③④⑤⑥⑦⑧⑨"),
]
HOSTILE_TEXT = st.text(
    st.one_of(
        st.characters(codec="utf-8"),
        st.characters(categories=["Cc", "Cs", "Cf", "Zs", "Nd", "No"]),
    ),
    max_size=24,
)


@st.composite
def identifiers(draw: st.DrawFn) -> str:
    """A valid number (or a broken one), each character in one of the ways digits are written."""
    base = draw(st.sampled_from([DEBTOR_X, DEBTOR_2, CREDITOR_CODE, DEBTOR_2[:6] + DEBTOR_2[8:17]]))
    chars = [c.translate(draw(st.sampled_from(DIGIT_FORMS))) for c in base]
    if draw(st.booleans()):
        chars[draw(st.integers(0, len(chars) - 1))] = draw(st.characters())
    return "".join(chars)


AMOUNTS = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(min_value=-1, max_value=Decimal("1e30"), places=2).map(str),
    st.sampled_from(["1e26", "1E-1000000", "-0", "1e999999999", "0.001", "9999999999999.99"]),
    st.floats().map(lambda f: f if f == f and abs(f) != float("inf") else 0.0),
    st.integers(min_value=-(2**70), max_value=2**70),
)
DATETIMES = st.datetimes(
    timezones=st.none()
    | st.builds(
        datetime.timezone,
        st.timedeltas(
            min_value=-datetime.timedelta(hours=23), max_value=datetime.timedelta(hours=23)
        ),
    )
).map(lambda d: d.isoformat())
# printable names about the agency contract's 200 characters (HOSTILE_TEXT is refused for its
# control characters long before)
NAMES_NEAR_THE_LIMIT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=195, max_size=205
)
GENERATED = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


@GENERATED
@given(
    subject_id=identifiers(),
    kind=st.sampled_from(["NATURAL", "LEGAL"]),
    name=st.none() | HOSTILE_TEXT | NAMES_NEAR_THE_LIMIT,
    case_number=st.one_of(
        st.just(COURT_CASE),
        st.sampled_from(DIGIT_FORMS).map(COURT_CASE.translate),
        HOSTILE_TEXT,
    ),
    judge=HOSTILE_TEXT,
    obligation=AMOUNTS,
    performed=AMOUNTS,
    since=st.none() | DATETIMES,
    until=st.none() | DATETIMES,
    actor=st.none() | HOSTILE_TEXT,
)
async def test_every_generated_input_ends_in_data_or_a_coded_error(
    app: App,
    subject_id: str,
    kind: str,
    name: str | None,
    case_number: str,
    judge: str,
    obligation: Any,
    performed: Any,
    since: str | None,
    until: str | None,
    actor: str | None,
) -> None:
    party = {"role": "DEBTOR", "kind": kind, "id": subject_id, "name": name}
    answers = [
        await app.post(
            SAVE_CASE,
            {
                "case": {
                    "caseNumber": case_number,
                    "judges": [judge],
                    "parties": [party],
                    "obligation": obligation,
                    "performed": performed,
                }
            },
            "system",
        ),
        await app.post(RECORD_PERFORMANCE, {"case": case_number, "performed": performed}, "system"),
        await app.post(
            AUDIT_LOG,
            {
                "subject": subject_id,
                "case": case_number,
                "since": since,
                "until": until,
                "actor": actor,
            },
            "admin",
        ),
        await app.post(
            DEBTOR,
            {"subject": {"kind": kind, "id": subject_id, "name": name}, "case": case_number},
            "judge",
        ),
    ]
    for answer in answers:
        assert_data_or_coded(answer)


FRESH_DEBTOR = """
query($subject: SubjectInput!, $case: String!) {
  debtor(subject: $subject, caseNumber: $case, fresh: true) { sources { status message } }
}
"""


@settings(GENERATED, max_examples=50)
@given(name=HOSTILE_TEXT | NAMES_NEAR_THE_LIMIT)
async def test_every_generated_name_of_a_debtor_ends_in_data_or_a_coded_error(
    app: App, name: str
) -> None:
    """A name goes with the subject into every agency's request: asked about a debtor of the
    case, afresh (the cache keys on the number alone), it ends as the agencies' answers or a
    coded refusal."""
    subject = {"kind": "NATURAL", "id": DEBTOR_2, "name": name}
    answer = await app.post(FRESH_DEBTOR, {"subject": subject, "case": COURT_CASE}, "judge")
    assert_data_or_coded(answer)
    if "errors" not in answer:
        statuses = {s["status"] for s in answer["data"]["debtor"]["sources"]}
        assert statuses <= {"OK", "NOT_FOUND", "NOT_APPLICABLE"}, answer
