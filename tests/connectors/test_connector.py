"""``HttpConnector``: one class for every agency, its read side and its control side apart."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.base import AgencyEndpoint, ControlConnector, Inquiry, SourceConnector
from connectors.envelope import InquiryRequest, SubjectRef
from connectors.errors import MalformedResponseError
from connectors.http import HttpConnector, inquiry_body
from connectors.registry import AGENCIES
from gateway.domain.cases import parse_case_number
from gateway.domain.controls import ControlAction, ControlRequest, ControlStatus
from gateway.domain.subjects import Subject, SubjectKind
from tests.mocks.helpers import resident_ids

TOKEN = "connector-test-token-2b7d"
FREEZE = ControlRequest(
    request_id="ctl-1",
    action=ControlAction.FREEZE,
    case_number="(2026)苏0812执123号",
    ruling_number="(2026)苏0812执123号之一",
    notice_number="(2026)苏0812执协123号",
    asset_id="6222020000000000001",
    amount=Decimal("5000.00"),
)


def connector(agency: str, answer: httpx.MockTransport) -> tuple[HttpConnector, httpx.AsyncClient]:
    client = httpx.AsyncClient(transport=answer)
    return HttpConnector(
        AGENCIES.spec(agency), AgencyEndpoint("http://a.test", TOKEN), client
    ), client


@pytest.mark.parametrize("agency", AGENCIES.names())
def test_every_agency_is_served_by_the_one_connector(agency: str) -> None:
    spec = AGENCIES.spec(agency)
    made = HttpConnector(spec, AgencyEndpoint("http://a.test", TOKEN), httpx.AsyncClient())
    read: SourceConnector = made
    control: ControlConnector = made
    assert read.agency == control.agency == agency
    for kind in SubjectKind:
        subject = Subject(kind, "x")
        assert made.applies_to(subject) == (kind in spec.subject_kinds)


async def test_a_control_is_posted_once_and_its_outcome_returned() -> None:
    sent: list[httpx.Request] = []

    def agency(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if request.method == "POST":
            body = json.loads(request.content)
            reply = {"requestId": body["requestId"], "status": "applied", "reference": "B-7"}
            return httpx.Response(200, json=reply)
        return httpx.Response(404, json={"title": "never seen", "status": 404})

    made, client = connector("bank", httpx.MockTransport(agency))
    async with client:
        outcome = await made.control(FREEZE)
        unseen = await made.control_status("ctl-2")
    assert outcome.status is ControlStatus.APPLIED
    assert outcome.reference == "B-7"
    assert unseen is None
    assert [(r.method, r.url.path) for r in sent] == [
        ("POST", "/v1/controls"),
        ("GET", "/v1/controls/ctl-2"),
    ]


async def test_a_failed_control_is_unknown_and_never_sent_again() -> None:
    sent: list[httpx.Request] = []

    def agency(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(503, json={"title": "busy", "status": 503})

    made, client = connector("bank", httpx.MockTransport(agency))
    async with client:
        outcome = await made.control(FREEZE)
    assert outcome.status is ControlStatus.UNKNOWN
    assert len(sent) == 1  # a read would have been retried; a control is not


def test_the_specs_declare_the_controls_of_the_source_plan() -> None:
    controls = {spec.name: spec.controls for spec in AGENCIES}
    assert controls["bank"] == {"freeze", "deduct", "release", "renew"}
    assert controls["fund"] == {"freeze", "deduct", "release", "renew"}
    assert controls["land"] == {"seize", "release", "renew"}
    assert controls["business"] == {"freeze", "release", "renew"}
    assert controls["securities"] == {"freeze", "release", "renew"}
    assert {a for a, c in controls.items() if not c} == {
        "police",
        "tax",
        "civil",
        "insurance",
        "permits",
    }
    every = {a.value for a in ControlAction}
    assert all(c <= every for c in controls.values())


# --- the request body --------------------------------------------------------------------------

_NAMES = st.none() | st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), whitelist_characters="\t\n\r"), max_size=200
).map(lambda name: name.strip() or None)  # what parse_subject lets in


@st.composite
def inquiries(draw: st.DrawFn) -> Inquiry:
    people = resident_ids(40)
    subjects = draw(
        st.lists(
            st.builds(
                Subject,
                st.sampled_from(SubjectKind),
                st.sampled_from([*people, "91320812MA00020007", "A1320812MA0002015X"]),
                _NAMES,
            ),
            min_size=1,
            max_size=30,
        )
    )
    case = parse_case_number(
        draw(st.sampled_from(["(2026)苏0812执123号", "（2015）淮中执字第00123号"]))
    )
    request_id = draw(st.text("0123456789abcdef-", min_size=1, max_size=64))
    return Inquiry(request_id, case, case.court, tuple(subjects))


@given(inquiries())
def test_the_request_body_is_the_contracts_request(inquiry: Inquiry) -> None:
    """``inquiry_body`` writes the JSON itself: what the contract's own model writes, and what
    it validates (the mock agencies validate it on their side too)."""
    declared = InquiryRequest(
        request_id=inquiry.request_id,
        case_number=inquiry.case_number.canonical,
        court=inquiry.court,
        subjects=[SubjectRef(kind=s.kind.value, id=s.id, name=s.name) for s in inquiry.subjects],
    )
    body = inquiry_body(inquiry)
    assert json.loads(body) == json.loads(
        declared.model_dump_json(by_alias=True, exclude_none=True)
    )
    assert InquiryRequest.model_validate_json(body) == declared


def test_a_full_batch_with_the_longest_names_is_within_the_contract() -> None:
    case = parse_case_number("(2026)苏0812执123号")
    people = [Subject(SubjectKind.NATURAL, i, "名" * 200) for i in resident_ids(1000)]
    body = inquiry_body(Inquiry("r" * 64, case, case.court, tuple(people)))
    assert len(InquiryRequest.model_validate_json(body).subjects) == 1000


# --- the answer --------------------------------------------------------------------------------

DEBTOR_A, DEBTOR_B = resident_ids(2)
DEPOSIT = {"bank": "工商银行", "accountNumber": "6222", "depositType": "活期", "currency": "CNY"}


def bank_answer(*results: dict[str, object]) -> httpx.MockTransport:
    """A bank answering ``results``, whoever was asked about."""

    def agency(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        return httpx.Response(
            200, json={"requestId": body["requestId"], "agency": "bank", "results": results}
        )

    return httpx.MockTransport(agency)


def found(subject_id: str, amount: object = "100.00") -> dict[str, object]:
    records = {"deposits": [{**DEPOSIT, "amount": amount}]}
    return {"kind": "natural", "id": subject_id, "status": "found", "records": records}


def asking(*ids: str) -> Inquiry:
    case = parse_case_number("(2026)苏0812执123号")
    return Inquiry("r-1", case, case.court, tuple(Subject(SubjectKind.NATURAL, i) for i in ids))


@pytest.mark.parametrize(
    "amount",
    # sums no amount could be: one would overflow the summary's arithmetic or the store's
    # columns and lose the whole answer; one below zero would lower what the summary says the
    # debtor holds; and what is no number at all
    [
        "1e999999999",
        "-1e999",
        "10000000000000000",
        1e300,
        "-10000000000000000.00",
        "-5",
        "-0.01",
        -12.5,
        "NaN",
        "Infinity",
    ],
)
async def test_an_amount_outside_the_contract_breaks_it(amount: object) -> None:
    made, client = connector("bank", bank_answer(found(DEBTOR_A, amount)))
    async with client:
        with pytest.raises(MalformedResponseError):
            await made.query(asking(DEBTOR_A))


# an exponent form within the range is the number it writes (the kit holds agencies to the
# contract's plain form; the connectors read what is unambiguous, as they read "01")
@pytest.mark.parametrize(
    "amount", ["9999999999999999.99", "0", "-0", 12.5, "0.000001", "1E+5", "01"]
)
async def test_plain_amounts_are_read_as_written(amount: object) -> None:
    made, client = connector("bank", bank_answer(found(DEBTOR_A, amount)))
    async with client:
        answers = await made.query(asking(DEBTOR_A))
    (deposit,) = answers[f"natural:{DEBTOR_A}"].deposits  # type: ignore[union-attr]
    assert deposit.amount == Decimal(str(amount))


@pytest.mark.parametrize(
    ("envelope", "said"),
    [
        # the bank's URL set to the tax bureau's endpoint: its records, read as the bank's
        # (unknown keys are ignored), said "found, no accounts" for every debtor
        (
            {"agency": "tax", "records": {"payments": [], "arrears": [], "penalties": []}},
            "the answer names another agency",
        ),
        ({"requestId": "r-0", "records": {"deposits": []}}, "another request's"),
    ],
)
async def test_an_answer_to_another_agency_or_request_breaks_the_contract(
    envelope: dict[str, object], said: str
) -> None:
    def agency(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        result = {"kind": "natural", "id": DEBTOR_A, "status": "found"}
        answer = {"requestId": body["requestId"], "agency": "bank", **envelope}
        answer["results"] = [{**result, "records": answer.pop("records")}]
        return httpx.Response(200, json=answer)

    made, client = connector("bank", httpx.MockTransport(agency))
    async with client:
        with pytest.raises(MalformedResponseError) as caught:
            await made.query(asking(DEBTOR_A))
    assert said in caught.value.message_en


async def test_answers_are_read_by_subject_whatever_their_order() -> None:
    made, client = connector("bank", bank_answer(found(DEBTOR_B, "2.00"), found(DEBTOR_A, "1.00")))
    async with client:
        answers = await made.query(asking(DEBTOR_A, DEBTOR_B))
    assert answers[f"natural:{DEBTOR_A}"].deposits[0].amount == 1  # type: ignore[union-attr]
    assert answers[f"natural:{DEBTOR_B}"].deposits[0].amount == 2  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("results", "said"),
    [
        # which of the two is the debtor's? The last one used to win, silently
        (
            [found(DEBTOR_A, "1.00"), found(DEBTOR_B), found(DEBTOR_A, "9.00")],
            "answered twice",
        ),
        (
            [found(DEBTOR_A), {"kind": "natural", "id": DEBTOR_A, "status": "not_found"}],
            "answered twice",
        ),
        # one the gateway did not ask about: the agency answered some other request
        (
            [found(DEBTOR_A), {"kind": "natural", "id": DEBTOR_B, "status": "not_found"}],
            "not asked",
        ),
    ],
)
async def test_a_batch_answered_twice_for_one_subject_or_for_another_breaks_the_contract(
    results: list[dict[str, object]], said: str
) -> None:
    asked = (DEBTOR_A, DEBTOR_B) if said == "answered twice" else (DEBTOR_A,)
    made, client = connector("bank", bank_answer(*results))
    async with client:
        with pytest.raises(MalformedResponseError) as caught:
            await made.query(asking(*asked))
    assert said in caught.value.message_en
