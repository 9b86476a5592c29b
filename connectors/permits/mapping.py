"""Permit offices' JSON -> domain records (the JSON matches the domain field for field)."""

from __future__ import annotations

from connectors.mapping import to_domain as build
from connectors.permits.models import PermitRecordsModel
from gateway.domain.permits import PermitRecords


def to_domain(model: PermitRecordsModel) -> PermitRecords:
    return build(PermitRecords, model)
