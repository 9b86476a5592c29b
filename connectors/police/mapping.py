"""Police JSON -> domain records (the JSON matches the domain field for field)."""

from __future__ import annotations

from connectors.mapping import to_domain as build
from connectors.police.models import PoliceRecordsModel
from gateway.domain.police import PoliceRecords


def to_domain(model: PoliceRecordsModel) -> PoliceRecords:
    return build(PoliceRecords, model)
