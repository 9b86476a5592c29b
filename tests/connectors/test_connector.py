"""``HttpConnector``: one class for every agency, its read side and its control side apart."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest

from connectors.base import AgencyEndpoint, ControlConnector, SourceConnector
from connectors.http import HttpConnector
from connectors.registry import AGENCIES
from gateway.domain.controls import ControlAction, ControlRequest, ControlStatus
from gateway.domain.subjects import Subject, SubjectKind

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
