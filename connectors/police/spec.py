"""公安: the agency, declared once (see ``connectors.spec``)."""

from __future__ import annotations

from connectors.police.records import PoliceRecords
from connectors.spec import AgencySpec, ExampleSubject
from gateway.domain.subjects import SubjectKind
from gateway.domain.summary import AssetClass, Tallies

ASSET_CLASSES = (AssetClass("vehicles", "police", "机动车 / vehicles", rank=70, valued=False),)


def tally(records: PoliceRecords, tallies: Tallies) -> None:
    vehicles = tallies["vehicles"]
    vehicles.count += len(records.vehicles)
    vehicles.encumbered += sum(
        1 for v in records.vehicles if v.seizure_count > 0 or v.status == "查封"
    )


SPEC = AgencySpec(
    name="police",
    name_zh="公安",
    title_zh="公安局 户籍、出入境证件与机动车查询接口",
    title_en="Public security bureau: household registration, travel documents and vehicles",
    profile_doc="公安：户籍、出入境证件、车辆 / Police: household, travel documents, vehicles",
    records=PoliceRecords,
    subject_kinds=frozenset(SubjectKind),
    example_selection="""\
household { name gender birthDate address status }
vehicles { plate brandModel status seizureCount }
""",
    examples=(
        ExampleSubject(SubjectKind.NATURAL, "320802197805121129"),
        ExampleSubject(SubjectKind.LEGAL, "91320812MA00020007"),
    ),
    asset_classes=ASSET_CLASSES,
    tally=tally,
)
