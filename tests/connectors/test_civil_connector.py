"""Civil affairs: the mock's JSON, parsed and mapped, is the domain record, cached and shown."""

from __future__ import annotations

import dataclasses
import datetime
import json
from decimal import Decimal
from typing import Any

import httpx
import pytest
from stdnum.cn import ric

from connectors.base import AgencyEndpoint, Inquiry
from connectors.civil import CivilConnector
from connectors.civil.mapping import to_domain
from connectors.civil.models import CivilInquiryResponse, CivilRecordsModel
from connectors.envelope import SubjectRef
from gateway.domain import codec
from gateway.domain.agencies import Agency
from gateway.domain.cases import parse_case_number
from gateway.domain.civil import Assistance, CivilRecords, MarriageRegistration, Spouse
from gateway.domain.subjects import Subject, SubjectKind
from gateway.schema.civil import CivilRecords as CivilRecordsType
from mocks.civil import records_for
from mocks.synthetic import Tier, example_subjects, tier_of

EXAMPLES = example_subjects()


def wire(subject_id: str) -> CivilRecordsModel | None:
    """What the connector reads: the mock's JSON, parsed by the connector's own model."""
    model = records_for(SubjectRef(kind="natural", id=subject_id))
    if model is None:
        return None
    return CivilRecordsModel.model_validate_json(
        json.dumps(model.model_dump(mode="json", by_alias=True))
    )


def mapped(subject_id: str) -> CivilRecords:
    model = wire(subject_id)
    assert model is not None
    return to_domain(model)


def many_people(count: int) -> list[str]:
    ids = []
    for n in range(count):
        birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=n * 131 % 27000)
        first17 = f"320826{birth:%Y%m%d}{n % 1000:03d}"
        ids.append(first17 + ric.calc_check_digit(first17 + "0"))
    return [i for i in ids if tier_of(i) is not Tier.UNKNOWN]


def test_the_wire_is_camel_case() -> None:
    model = records_for(SubjectRef(kind="natural", id=EXAMPLES["natural"][Tier.ORDINARY]))
    assert model is not None
    doc = model.model_dump(mode="json", by_alias=True)
    assert set(doc) == {"currentSpouse", "marriages", "assistance"}
    assert set(doc["currentSpouse"]) == {"name", "idNumber"}
    assert "spouseIdNumber" in doc["marriages"][0]


def test_a_married_person_maps_to_the_expected_records() -> None:
    assert mapped(EXAMPLES["natural"][Tier.ORDINARY]) == CivilRecords(
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


def test_a_divorced_person_has_no_current_spouse() -> None:
    records = mapped(EXAMPLES["natural"][Tier.RICH])
    assert records.current_spouse is None
    married, divorced = records.marriages
    assert (married.registration_type, divorced.registration_type) == ("结婚", "离婚")
    assert married.spouse_id_number == divorced.spouse_id_number
    assert married.registered_on < divorced.registered_on
    assert divorced.certificate_number.startswith(f"L320812-{divorced.registered_on.year}-")
    assert records.count() == 2


def test_every_field_arrives_typed_as_the_domain_says() -> None:
    seen_assistance = False
    for subject_id in many_people(400):
        model = wire(subject_id)
        assert model is not None
        records = to_domain(model)
        assert isinstance(records.marriages, tuple)
        assert isinstance(records.assistance, tuple)
        assert [dataclasses.asdict(m) for m in records.marriages] == [
            m.model_dump() for m in model.marriages
        ]
        assert [dataclasses.asdict(a) for a in records.assistance] == [
            a.model_dump() for a in model.assistance
        ]
        if model.current_spouse is None:
            assert records.current_spouse is None
        else:
            assert records.current_spouse == Spouse(**model.current_spouse.model_dump())
        for grant in records.assistance:
            seen_assistance = True
            assert isinstance(grant, Assistance)
            assert grant.monthly_amount.as_tuple().exponent == -2
        hash(records)  # frozen all the way down
    assert seen_assistance


def test_records_round_trip_through_the_cache_codec(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(codec.RECORD_TYPES, "CivilRecords", CivilRecords)
    checked = 0
    for subject_id in many_people(300):
        records = mapped(subject_id)
        doc = json.loads(json.dumps(codec.dump_records(records)))  # through real JSON
        assert doc["type"] == "CivilRecords"
        assert codec.load_records(doc) == records
        checked += bool(records.assistance) or bool(records.marriages)
    assert checked > 100


def test_the_schema_renders_the_records() -> None:
    records = mapped(EXAMPLES["natural"][Tier.ORDINARY])
    rendered = CivilRecordsType.from_domain(records)
    assert rendered.current_spouse is not None
    assert rendered.current_spouse.id_number == "320812197710061728"
    assert [m.certificate_number for m in rendered.marriages] == ["J320812-2003-000069"]
    assert rendered.assistance == []
    empty = CivilRecordsType.from_domain(CivilRecords(None, (), ()))
    assert empty.current_spouse is None
    assert empty.marriages == []


def test_the_schema_renders_assistance() -> None:
    grant = Assistance(
        program="最低生活保障",
        status="在保",
        since=datetime.date(2021, 3, 1),
        until=None,
        monthly_amount=Decimal("620.00"),
        office="涟水县民政局",
    )
    rendered = CivilRecordsType.from_domain(CivilRecords(None, (), (grant,)))
    (shown,) = rendered.assistance
    assert (shown.program, shown.status, shown.until, str(shown.monthly_amount)) == (
        "最低生活保障",
        "在保",
        None,
        "620.00",
    )


def mock_transport() -> httpx.MockTransport:
    """An agency answering from the civil mock's generator, as the contract says."""

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        results: list[dict[str, Any]] = []
        for subject in body["subjects"]:
            model = records_for(SubjectRef.model_validate(subject))
            records = None if model is None else model.model_dump(mode="json", by_alias=True)
            results.append(
                {
                    "kind": subject["kind"],
                    "id": subject["id"],
                    "status": "not_found" if records is None else "found",
                    "records": records,
                }
            )
        return httpx.Response(
            200, json={"requestId": body["requestId"], "agency": "civil", "results": results}
        )

    return httpx.MockTransport(answer)


async def test_the_connector_asks_for_natural_persons_only() -> None:
    person = Subject(SubjectKind.NATURAL, EXAMPLES["natural"][Tier.ORDINARY])
    unknown = Subject(SubjectKind.NATURAL, EXAMPLES["natural"][Tier.UNKNOWN])
    firm = Subject(SubjectKind.LEGAL, EXAMPLES["legal"][Tier.RICH])
    async with httpx.AsyncClient(transport=mock_transport()) as client:
        connector = CivilConnector(AgencyEndpoint("http://civil.test", "token-x"), client)
        assert connector.agency is Agency.CIVIL
        assert connector.applies_to(person)
        assert not connector.applies_to(firm)
        case = parse_case_number("(2025)苏0812执1号")
        answers = await connector.query(Inquiry("r-1", case, "苏0812", (person, unknown)))
    assert answers == {
        person.key: mapped(EXAMPLES["natural"][Tier.ORDINARY]),
        unknown.key: None,
    }


def test_the_response_model_is_the_envelope_of_civil_records() -> None:
    doc = {
        "requestId": "r",
        "agency": "civil",
        "results": [{"kind": "natural", "id": "x", "status": "found", "records": {}}],
    }
    parsed = CivilInquiryResponse.model_validate(doc)
    records = parsed.results[0].records
    assert records == CivilRecordsModel()
    assert records is not None
    assert to_domain(records).count() == 0
