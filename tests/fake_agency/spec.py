"""公证处 / the notary office: the eleventh agency, declared once."""

from __future__ import annotations

from connectors.spec import AgencySpec, ExampleSubject
from gateway.domain.subjects import SubjectKind
from gateway.domain.summary import AssetClass, Tallies
from tests.fake_agency.records import NotaryRecords

ESCROW = AssetClass("escrow", "notary", "提存款 / escrow deposits", rank=35)


def tally(records: NotaryRecords, tallies: Tallies) -> None:
    escrow = tallies["escrow"]
    for item in records.escrows:
        escrow.count += 1
        escrow.add(item.amount)


SPEC = AgencySpec(
    name="notary",
    name_zh="公证处",
    title_zh="公证处 提存查询接口",
    title_en="Notary office: escrow deposits",
    profile_doc="公证处：提存 / Notary office: escrow deposits",
    records=NotaryRecords,
    subject_kinds=frozenset(SubjectKind),
    example_selection="escrows { escrowNumber amount depositedOn }",
    examples=(ExampleSubject(SubjectKind.NATURAL, "320802197805121129"),),
    asset_classes=(ESCROW,),
    tally=tally,
)
