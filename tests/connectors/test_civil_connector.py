"""Civil affairs specifics; ``test_records`` checks what every agency's records share."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import httpx

from connectors.base import AgencyEndpoint, Inquiry
from connectors.civil.records import Assistance, CivilRecords, MarriageRegistration, Spouse
from connectors.http import HttpConnector
from connectors.registry import AGENCIES
from gateway.domain.cases import parse_case_number
from gateway.domain.records import wire_adapter
from gateway.domain.subjects import Subject, SubjectKind
from mocks.synthetic import Tier, tier_of
from tests.connectors.helpers import (
    EXAMPLES,
    assert_same_as_wire,
    example,
    mock_answer,
    records_of,
    served_kinds,
    shown,
    wire_json,
)
from tests.mocks.helpers import resident_ids


def many_people(count: int) -> list[str]:
    ids = resident_ids(count, regions=("320826",), step_days=131)
    return [i for i in ids if tier_of(i) is not Tier.UNKNOWN]


async def many_wires(count: int) -> list[dict[str, Any]]:
    """What the civil mock sends about many people, asked in one batch."""
    answer = await mock_answer("civil", [("natural", i) for i in many_people(count)])
    assert all(r["status"] == "found" for r in answer["results"])  # none of the unknown tier
    return [r["records"] for r in answer["results"]]


async def test_the_wire_is_camel_case() -> None:
    doc = await wire_json("civil", "natural", EXAMPLES["natural"][Tier.ORDINARY])
    assert doc is not None
    assert set(doc) == {"currentSpouse", "marriages", "assistance"}
    assert set(doc["currentSpouse"]) == {"name", "idNumber"}
    assert "spouseIdNumber" in doc["marriages"][0]


async def test_a_married_person_reads_as_the_expected_records() -> None:
    assert await example("civil", "natural", Tier.ORDINARY) == CivilRecords(
        current_spouse=Spouse(name="范霞娜", id_number="320812197710061728"),
        marriages=(
            MarriageRegistration(
                registration_type="结婚",
                spouse_name="范霞娜",
                spouse_id_number="320812197710061728",
                registered_on=datetime.date(2003, 2, 6),
                registry="淮安市清江浦区民政局婚姻登记处",
                certificate_number="J320812-2003-000069",
            ),
        ),
        assistance=(),
    )


async def test_a_divorced_person_has_no_current_spouse() -> None:
    records = await example("civil", "natural", Tier.RICH)
    assert records.current_spouse is None
    married, divorced = records.marriages
    assert (married.registration_type, divorced.registration_type) == ("结婚", "离婚")
    assert married.spouse_id_number == divorced.spouse_id_number
    assert married.registered_on < divorced.registered_on
    assert divorced.certificate_number.startswith(f"L320812-{divorced.registered_on.year}-")
    assert records.count() == 2


async def test_the_empty_tier_still_answers_marriages() -> None:
    # a spouse is a lead, not an asset: civil affairs answers the empty tier's marriages too
    records = await example("civil", "natural", Tier.EMPTY)
    assert records.current_spouse is not None
    assert records.marriages[-1].registration_type == "结婚"
    assert records.current_spouse.id_number == records.marriages[-1].spouse_id_number


async def test_every_field_arrives_typed_as_the_records_say() -> None:
    seen_assistance = False
    for wire in await many_wires(400):
        records = records_of("civil", wire)
        assert isinstance(records.marriages, tuple)
        assert isinstance(records.assistance, tuple)
        assert_same_as_wire(wire, records)  # every field equals what the mock sent
        if wire["currentSpouse"] is None:
            assert records.current_spouse is None
        else:
            assert records.current_spouse == Spouse(
                name=wire["currentSpouse"]["name"], id_number=wire["currentSpouse"]["idNumber"]
            )
        for grant in records.assistance:
            seen_assistance = True
            assert isinstance(grant, Assistance)
            assert grant.monthly_amount.as_tuple().exponent == -2
        hash(records)  # frozen all the way down
    assert seen_assistance


async def test_many_peoples_records_round_trip_through_the_cache() -> None:
    # the examples (see test_records) have no assistance: these people do
    adapter = wire_adapter(CivilRecords)
    checked = 0
    for wire in await many_wires(300):
        records = records_of("civil", wire)
        doc = json.loads(json.dumps(adapter.dump_python(records, mode="json", by_alias=True)))
        assert adapter.validate_python(doc) == records  # through real JSON, as Redis keeps it
        checked += bool(records.assistance) or bool(records.marriages)
    assert checked > 100


async def test_the_schema_renders_the_records() -> None:
    rendered = shown(await example("civil", "natural", Tier.ORDINARY))
    assert rendered["currentSpouse"]["idNumber"] == "320812197710061728"
    assert [m["certificateNumber"] for m in rendered["marriages"]] == ["J320812-2003-000069"]
    assert rendered["assistance"] == []
    empty = shown(CivilRecords())
    assert empty["currentSpouse"] is None
    assert empty["marriages"] == []


def test_the_schema_renders_assistance() -> None:
    grant = Assistance(
        program="最低生活保障",
        status="在保",
        since=datetime.date(2021, 3, 1),
        until=None,
        monthly_amount=Decimal("620.00"),
        office="涟水县民政局",
    )
    (rendered,) = shown(CivilRecords(assistance=(grant,)))["assistance"]
    assert [rendered[k] for k in ("program", "status", "until")] == ["最低生活保障", "在保", None]
    assert rendered["monthlyAmount"] == "620.00"


async def test_the_connector_asks_for_natural_persons_only() -> None:
    assert await served_kinds("civil") == {SubjectKind.NATURAL}  # a firm does not marry


async def test_an_answer_of_empty_records_reads_as_no_civil_records() -> None:
    subject = Subject(SubjectKind.NATURAL, EXAMPLES["natural"][Tier.ORDINARY])
    answer = {
        "requestId": "r",
        "agency": "civil",
        "results": [{"kind": "natural", "id": subject.id, "status": "found", "records": {}}],
    }
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=answer))
    async with httpx.AsyncClient(transport=transport) as client:
        endpoint = AgencyEndpoint("http://civil.test", "t")
        connector = HttpConnector(AGENCIES.spec("civil"), endpoint, client)
        case = parse_case_number("(2025)苏0812执1号")
        answers = await connector.query(Inquiry("r", case, "苏0812", (subject,)))
    assert answers == {subject.key: CivilRecords()}
    records = answers[subject.key]
    assert records is not None
    assert records.count() == 0
