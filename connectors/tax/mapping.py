"""Tax JSON -> domain records (the JSON matches the domain field for field)."""

from __future__ import annotations

from connectors.mapping import to_domain as build
from connectors.tax.models import TaxRecordsModel
from gateway.domain.tax import TaxRecords


def to_domain(model: TaxRecordsModel) -> TaxRecords:
    return build(TaxRecords, model)
