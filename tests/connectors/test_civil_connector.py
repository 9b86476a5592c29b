"""Civil affairs specifics; ``test_records`` checks what every agency's records share."""

from __future__ import annotations

import dataclasses
import datetime
import json
from decimal import Decimal

from connectors.civil.mapping import to_domain
from connectors.civil.models import CivilInquiryResponse, CivilRecordsModel
from gateway.domain.civil import Assistance, CivilRecords, MarriageRegistration, Spouse

from connectors.civil import CivilConnector
from gateway.domain import codec
from gateway.domain.subjects import SubjectKind
from mocks.synthetic import Tier, example_subjects, tier_of
from tests.connectors.test_records import example, mapped, shown, wire_json, wire_model
from tests.mocks.helpers import resident_ids

EXAMPLES = example_subjects()


def many_people(count: int) -> list[str]:
    ids = resident_ids(count, regions=("320826",), step_days=131)
    return [i for i in ids if tier_of(i) is not Tier.UNKNOWN]


def test_the_wire_is_camel_case() -> None:
    doc = wire_json("civil", "natural", EXAMPLES["natural"][Tier.ORDINARY])
    assert doc is not None
    assert set(doc) == {"currentSpouse", "marriages", "assistance"}
    assert set(doc["currentSpouse"]) == {"name", "idNumber"}
    assert "spouseIdNumber" in doc["marriages"][0]


def test_a_married_person_maps_to_the_expected_records() -> None:
    assert example("civil", "natural", Tier.ORDINARY) == CivilRecords(
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
    records = example("civil", "natural", Tier.RICH)
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
        model = wire_model("civil", "natural", subject_id)
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


def test_many_peoples_records_round_trip_through_the_cache_codec() -> None:
    # the examples (see test_records) have no assistance: these people do
    checked = 0
    for subject_id in many_people(300):
        records = mapped("civil", "natural", subject_id)
        doc = json.loads(json.dumps(codec.dump_records(records)))  # through real JSON
        assert doc["type"] == "CivilRecords"
        assert codec.load_records(doc) == records
        checked += bool(records.assistance) or bool(records.marriages)
    assert checked > 100


def test_the_schema_renders_the_records() -> None:
    rendered = shown(example("civil", "natural", Tier.ORDINARY))
    assert rendered["currentSpouse"]["idNumber"] == "320812197710061728"
    assert [m["certificateNumber"] for m in rendered["marriages"]] == ["J320812-2003-000069"]
    assert rendered["assistance"] == []
    empty = shown(CivilRecords(None, (), ()))
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
    (rendered,) = shown(CivilRecords(None, (), (grant,)))["assistance"]
    assert [rendered[k] for k in ("program", "status", "until")] == ["最低生活保障", "在保", None]
    assert rendered["monthlyAmount"] == "620.00"


def test_the_connector_asks_for_natural_persons_only() -> None:
    assert CivilConnector.agency == "civil"
    assert CivilConnector.subject_kinds == {SubjectKind.NATURAL}  # a firm does not marry


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
