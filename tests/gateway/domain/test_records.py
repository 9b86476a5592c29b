"""Declaring records: ``@record`` and ``doc`` (``gateway.domain.records``)."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pydantic
import pytest

from gateway.domain.records import (
    description,
    doc,
    documented_properties,
    record,
    wire_adapter,
)


@record
class Sample:
    """样例 / Sample"""

    amount_due: Decimal = doc("应付 / Amount due")
    due_on: datetime.date | None = doc("到期日 / Due on", default=None)
    tags: tuple[str, ...] = doc("标签 / Tags", default=())

    @property
    def overdue(self) -> bool:
        """是否逾期 / Overdue"""
        return self.due_on is not None and self.due_on < datetime.date(2026, 1, 1)

    @property
    def internal(self) -> int:  # no bilingual docstring: not part of the record as users see it
        return 1


def test_a_record_is_frozen_slotted_and_keyword_only():
    sample = Sample(amount_due=Decimal("1.00"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        sample.amount_due = Decimal("2.00")  # type: ignore[misc]
    assert not hasattr(sample, "__dict__")
    with pytest.raises(TypeError):
        Sample(Decimal("1.00"))  # type: ignore[call-arg]


def test_the_wire_form_is_camel_case_typed_and_ignores_unknown_keys():
    adapter = wire_adapter(Sample)
    sample = adapter.validate_python(
        {"amountDue": "12.50", "dueOn": "2025-06-01", "tags": ["a"], "unknown": 1}
    )
    assert sample == Sample(
        amount_due=Decimal("12.50"), due_on=datetime.date(2025, 6, 1), tags=("a",)
    )
    assert adapter.dump_python(sample, mode="json", by_alias=True) == {
        "amountDue": "12.50",
        "dueOn": "2025-06-01",
        "tags": ["a"],
    }
    assert wire_adapter(Sample) is adapter  # built once
    with pytest.raises(pydantic.ValidationError):
        adapter.validate_python({"dueOn": "2025-06-01"})  # a required field is missing


def test_descriptions_and_documented_properties_are_read_back():
    fields = {f.name: description(f) for f in dataclasses.fields(Sample)}
    assert fields["amount_due"] == "应付 / Amount due"
    assert set(documented_properties(Sample)) == {"overdue"}


def test_descriptions_must_be_bilingual():
    with pytest.raises(ValueError, match="中文 / English"):
        doc("only one language")
    with pytest.raises(ValueError, match="docstring"):

        @record
        class Undocumented:
            value: int = doc("值 / Value")
