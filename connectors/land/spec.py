"""自然资源和规划（不动产）: the agency, declared once (see ``connectors.spec``)."""

from __future__ import annotations

from collections.abc import Iterator

from connectors.land.records import LandRecords
from connectors.spec import AgencySpec, ExampleSubject
from gateway.domain.controls import Asset
from gateway.domain.subjects import SubjectKind
from gateway.domain.summary import AssetClass, Tallies

ASSET_CLASSES = (
    AssetClass("real_estate", "land", "不动产单元 / real-estate units", rank=60, valued=False),
)


def tally(records: LandRecords, tallies: Tallies) -> None:
    estate = tallies["real_estate"]
    estate.count += len(records.real_estate)
    estate.encumbered += len({s.unit_number for s in records.seizures})


def assets(records: LandRecords) -> Iterator[Asset]:
    """Real-estate units (no value in the register) and land-use rights (the grant price)."""
    held: dict[str, list[str]] = {}
    for seizure in records.seizures:
        held.setdefault(seizure.unit_number, []).append(seizure.case_number)
    for unit in records.real_estate:
        yield Asset(
            "land",
            unit.unit_number,
            "real_estate",
            None,
            "CNY",
            unit.location,
            tuple(held.get(unit.unit_number, ())),
        )
    for parcel in records.land:
        yield Asset(
            "land",
            parcel.parcel_number,
            "land",
            parcel.grant_price,
            "CNY",
            parcel.location,
            tuple(held.get(parcel.parcel_number, ())),
        )


SPEC = AgencySpec(
    name="land",
    name_zh="自然资源和规划（不动产）",
    title_zh="自然资源和规划局 不动产与土地查询接口",
    title_en="Natural resources and planning bureau: real estate, land, mortgages and seizures",
    profile_doc="不动产登记：房产、土地、抵押、查封 / Land registry: property, land, mortgages",
    records=LandRecords,
    subject_kinds=frozenset(SubjectKind),
    example_selection="""\
realEstate { certificateNumber location floorAreaM2 ownership coOwners status }
mortgages { mortgagee securedAmount termEnd }
seizures { court caseNumber seizedUntil waiting }
""",
    examples=(
        ExampleSubject(SubjectKind.NATURAL, "320802197805121129"),
        ExampleSubject(SubjectKind.LEGAL, "91320812MA00020007"),
    ),
    controls=frozenset({"seize", "release", "renew"}),
    asset_classes=ASSET_CLASSES,
    tally=tally,
    assets=assets,
)
