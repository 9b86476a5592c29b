"""税务: the agency, declared once (see ``connectors.spec``)."""

from __future__ import annotations

from connectors.spec import AgencySpec, ExampleSubject
from connectors.tax.records import TaxRecords
from gateway.domain.subjects import SubjectKind

SPEC = AgencySpec(
    name="tax",
    name_zh="税务",
    title_zh="税务局 税务登记、缴税、欠税与税务处罚查询接口",
    title_en="Tax bureau: tax registration, payments, arrears and penalties",
    profile_doc="税务：登记、缴税、欠税、处罚 / Tax: registration, payments, arrears, penalties",
    records=TaxRecords,
    subject_kinds=frozenset(SubjectKind),
    example_selection="""\
registration { taxpayerType creditRating status }
arrears { taxType period amount lateFee }
penalties { decisionNumber amount status }
""",
    examples=(
        ExampleSubject(SubjectKind.NATURAL, "320802197805121129"),
        ExampleSubject(SubjectKind.LEGAL, "91320812MA00020007"),
    ),
)
