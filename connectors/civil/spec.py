"""民政: the agency, declared once (see ``connectors.spec``)."""

from __future__ import annotations

from connectors.civil.records import CivilRecords
from connectors.spec import AgencySpec, ExampleSubject
from gateway.domain.subjects import SubjectKind

SPEC = AgencySpec(
    name="civil",
    name_zh="民政",
    title_zh="民政局 婚姻登记、配偶与社会救助查询接口",
    title_en="Civil affairs bureau: marriage registrations, the spouse and social assistance",
    profile_doc="民政：婚姻登记、配偶、社会救助 / Civil affairs: marriages, spouse, assistance",
    records=CivilRecords,
    subject_kinds=frozenset({SubjectKind.NATURAL}),
    example_selection="""\
currentSpouse { name idNumber }
marriages { registrationType spouseName registeredOn }
assistance { program status monthlyAmount }
""",
    examples=(ExampleSubject(SubjectKind.NATURAL, "320802197805121129"),),
)
