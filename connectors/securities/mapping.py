"""Securities JSON -> domain records (the JSON matches the domain field for field)."""

from __future__ import annotations

from connectors.mapping import to_domain as build
from connectors.securities.models import SecuritiesRecordsModel
from gateway.domain.securities import SecuritiesRecords


def to_domain(model: SecuritiesRecordsModel) -> SecuritiesRecords:
    return build(SecuritiesRecords, model)
