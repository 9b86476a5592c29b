"""Bank JSON -> domain records (the JSON matches the domain field for field)."""

from __future__ import annotations

from connectors.bank.models import BankRecordsModel
from connectors.mapping import to_domain as build
from gateway.domain.bank import BankRecords


def to_domain(model: BankRecordsModel) -> BankRecords:
    return build(BankRecords, model)
