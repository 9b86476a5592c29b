"""Provident fund JSON -> domain records (the JSON matches the domain field for field)."""

from __future__ import annotations

from connectors.fund.models import FundRecordsModel
from connectors.mapping import to_domain as build
from gateway.domain.fund import FundRecords


def to_domain(model: FundRecordsModel) -> FundRecords:
    return build(FundRecords, model)
