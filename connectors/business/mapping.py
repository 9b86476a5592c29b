"""Business registry JSON -> domain records (the JSON matches the domain field for field)."""

from __future__ import annotations

from connectors.business.models import BusinessRecordsModel
from connectors.mapping import to_domain as build
from gateway.domain.business import BusinessRecords


def to_domain(model: BusinessRecordsModel) -> BusinessRecords:
    return build(BusinessRecords, model)
