"""Civil affairs JSON -> domain records (the JSON matches the domain field for field)."""

from __future__ import annotations

from connectors.civil.models import CivilRecordsModel
from connectors.mapping import to_domain as build
from gateway.domain.civil import CivilRecords


def to_domain(model: CivilRecordsModel) -> CivilRecords:
    return build(CivilRecords, model)
