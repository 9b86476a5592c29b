"""Land registry JSON -> domain records (the JSON matches the domain field for field)."""

from __future__ import annotations

from connectors.land.models import LandRecordsModel
from connectors.mapping import to_domain as build
from gateway.domain.land import LandRecords


def to_domain(model: LandRecordsModel) -> LandRecords:
    return build(LandRecords, model)
