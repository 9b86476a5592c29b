"""安监、卫生、检验检疫: the agency, declared once (see ``connectors.spec``)."""

from __future__ import annotations

from connectors.permits.records import PermitRecords
from connectors.spec import AgencySpec, ExampleSubject
from gateway.domain.subjects import SubjectKind

SPEC = AgencySpec(
    name="permits",
    name_zh="安监、卫生、检验检疫",
    title_zh="应急管理、药品监管与海关 安全生产许可、药品医疗器械注册与企业信用查询接口",
    title_en=(
        "Work safety, drug regulator and customs: safety permits, drug and device registrations,"
        " customs credit"
    ),
    profile_doc=(
        "安监、卫生、检验检疫：许可与信用 / "
        "Permit offices: permits, registrations, inspection credit"
    ),
    records=PermitRecords,
    subject_kinds=frozenset({SubjectKind.LEGAL}),
    example_selection="""\
safetyPermits { permitNumber scope expiresOn status }
productRegistrations { category registrationNumber productName status }
inspectionCredit { rating ratedOn }
""",
    examples=(ExampleSubject(SubjectKind.LEGAL, "91320812MA00020007"),),
)
