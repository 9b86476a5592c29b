"""Agency JSON to domain records: every field arrives, typed as the domain says."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest

from connectors.bank.mapping import to_domain as bank_to_domain
from connectors.bank.models import BankRecordsModel
from connectors.land.mapping import to_domain as land_to_domain
from connectors.land.models import LandRecordsModel
from connectors.mapping import to_domain
from connectors.police.mapping import to_domain as police_to_domain
from connectors.police.models import PoliceRecordsModel
from mocks import bank, land, police
from mocks.synthetic import Tier, example_subjects
from mocks.wire import SubjectRef

RICH = [
    SubjectRef(kind="natural", id=example_subjects()["natural"][Tier.RICH]),
    SubjectRef(kind="legal", id=example_subjects()["legal"][Tier.RICH]),
]


def police_records(subject: SubjectRef) -> PoliceRecordsModel:
    return PoliceRecordsModel.model_validate(police.records_for(subject))  # the mock's JSON


def land_records(subject: SubjectRef) -> LandRecordsModel:
    return LandRecordsModel.model_validate(land.records_for(subject))


def bank_records(subject: SubjectRef) -> BankRecordsModel:
    return BankRecordsModel.model_validate(bank.records_for(subject))


PAIRS = [
    (police_records, police_to_domain),
    (land_records, land_to_domain),
    (bank_records, bank_to_domain),
]


def assert_same(model: object, record: object) -> None:
    """Every domain field equals the model's, with lists as tuples and models as dataclasses."""
    assert dataclasses.is_dataclass(record)
    for field in dataclasses.fields(record):
        value, source = getattr(record, field.name), getattr(model, field.name)
        if isinstance(value, tuple):
            assert len(value) == len(source)
            for item, source_item in zip(value, source, strict=True):
                if dataclasses.is_dataclass(item):
                    assert_same(source_item, item)
                else:
                    assert item == source_item
        elif dataclasses.is_dataclass(value):
            assert_same(source, value)
        else:
            assert value == source
            assert isinstance(value, type(source))


@pytest.mark.parametrize("subject", RICH, ids=["natural", "legal"])
@pytest.mark.parametrize(("generate", "mapping"), PAIRS, ids=["police", "land", "bank"])
def test_rich_records_map_field_for_field(subject, generate, mapping):
    model = generate(subject)
    record = mapping(model)
    assert_same(model, record)
    assert record.count() > 0
    hash(record)  # frozen all the way down: usable as a cache value and comparable


def test_types_are_the_domain_types():
    model = bank_records(RICH[0])
    assert model is not None
    record = bank_to_domain(model)
    account = record.accounts[0]
    assert isinstance(account.balance, Decimal)
    assert isinstance(account.opened_on, datetime.date)
    assert isinstance(record.accounts, tuple)


def test_a_class_that_is_not_a_dataclass_is_refused():
    with pytest.raises(TypeError, match="not a dataclass"):
        to_domain(int, object())
