"""自然资源和规划（不动产）: the agency, declared once (see ``connectors.spec``)."""

from __future__ import annotations

from connectors.land.records import LandRecords
from connectors.spec import AgencySpec, ExampleSubject
from gateway.domain.subjects import SubjectKind
from gateway.domain.summary import AssetClass, Tallies

ASSET_CLASSES = (
    AssetClass("real_estate", "land", "不动产单元 / real-estate units", rank=60, valued=False),
)


def tally(records: LandRecords, tallies: Tallies) -> None:
    estate = tallies["real_estate"]
    estate.count += len(records.real_estate)
    estate.encumbered += len({s.unit_number for s in records.seizures})


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
)
