"""The mocks' JSON as the gateway reads it: the connector's parsing and the asset summary.

The one module under tests/mocks that goes through connector code, on purpose: it checks that
what the mocks say is what the gateway needs to see (assets only where the tier has them),
and that every agency the gateway connects to has a mock of the same subjects.
"""

from __future__ import annotations

from typing import Any

from connectors.registry import AGENCIES
from gateway.domain.records import wire_adapter
from gateway.domain.sources import SourceResult, SourceStatus
from gateway.domain.summary import AssetSummary
from mocks.registry import MOCK_AGENCIES
from mocks.synthetic import Tier
from mocks.wire import JSONObject, SubjectKindName, SubjectRef
from tests.mocks.helpers import EXAMPLES

KINDS: tuple[SubjectKindName, ...] = ("natural", "legal")


def domain_records(agency: str, records: JSONObject) -> Any:
    """A mock's JSON records, read as the agency's connector reads them."""
    return wire_adapter(AGENCIES.spec(agency).records).validate_python(records)


def summary_of(ref: SubjectRef) -> AssetSummary:
    """The asset summary of every agency's records for ``ref``, mapped as the gateway maps them."""
    results = []
    for agency, spec in MOCK_AGENCIES.items():
        records = spec.records_for(ref)
        if records is None:
            results.append(SourceResult(agency, SourceStatus.NOT_FOUND))
            continue
        domain = domain_records(agency, records)
        results.append(SourceResult(agency, SourceStatus.OK, records=domain))
    return AGENCIES.summary_plan().summarize(results)


def test_empty_tier_has_no_assets() -> None:
    for kind in KINDS:
        ref = SubjectRef(kind=kind, id=EXAMPLES[kind][Tier.EMPTY])
        # nothing worth controlling, from any agency (marriages or a household are records,
        # not assets)
        for asset_class in summary_of(ref).classes:
            assert asset_class.count == 0, (kind, asset_class)
            assert asset_class.total in (None, 0), (kind, asset_class)
            assert asset_class.other_currencies == (), (kind, asset_class)
            assert asset_class.encumbered == 0, (kind, asset_class)


def test_the_asset_summary_of_the_mocks_sees_the_assets_of_the_rich() -> None:
    """The summary above can fail: the same mapping shows a rich subject's assets."""
    for kind in KINDS:
        summary = summary_of(SubjectRef(kind=kind, id=EXAMPLES[kind][Tier.RICH]))
        assert sum(asset_class.count for asset_class in summary.classes) > 0, kind


def test_every_agency_the_gateway_connects_to_has_a_mock_of_the_same_subjects() -> None:
    assert set(AGENCIES.names()) <= set(MOCK_AGENCIES)
    for spec in AGENCIES:
        kinds = {kind.value for kind in spec.subject_kinds}
        assert MOCK_AGENCIES[spec.name].subject_kinds == kinds, spec.name
