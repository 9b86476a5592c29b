"""Thin resolvers for asset inquiries: read arguments, call the inquiry service, convert."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from gateway.auth.policy import check_inquiry
from gateway.domain.cases import CaseNumber
from gateway.domain.subjects import Subject
from gateway.resolvers.errors import expected_errors
from gateway.resolvers.pacing import paced
from gateway.schema.common import AgencyEnum, SubjectInput, agency_names
from gateway.schema.context import Context
from gateway.schema.debtor import DebtorProfile
from gateway.services.inquiry import InquiryKey
from gateway.services.turns import in_turns

SubjectArg = Annotated[
    SubjectInput, strawberry.argument(description="被执行人 / The judgment debtor")
]
SubjectsArg = Annotated[
    list[SubjectInput],
    strawberry.argument(description="被执行人（批量） / The judgment debtors of the batch"),
]
CaseArg = Annotated[
    str,
    strawberry.argument(
        description="执行案号，如 (2026)苏0802执123号 / Enforcement case number, "
        "e.g. (2026)苏0802执123号"
    ),
]
AgenciesArg = Annotated[
    list[AgencyEnum] | None,
    strawberry.argument(description="要询问的单位，省略为全部 / Agencies to ask; all if left out"),
]
DeadlineArg = Annotated[
    int | None,
    strawberry.argument(
        description="本次查询的总时限（毫秒），超时的单位标记为 TIMEOUT / Deadline for the whole "
        "inquiry in ms; agencies that miss it report TIMEOUT"
    ),
]
FreshArg = Annotated[
    bool,
    strawberry.argument(
        description="跳过缓存，直接询问各单位 / Skip the cache and ask the agencies"
    ),
]


@expected_errors
async def resolve_debtor(
    info: Info[Context, None],
    subject: SubjectArg,
    case_number: CaseArg,
    agencies: AgenciesArg = None,
    deadline_ms: DeadlineArg = None,
    fresh: FreshArg = False,
) -> DebtorProfile:
    service = info.context.inquiries
    options = service.options(case_number, agency_names(agencies), deadline_ms, fresh)
    (parsed,) = service.subjects([(subject.kind, subject.id, subject.name)])
    await authorize(info.context, options.case_number, [parsed])
    profile = await info.context.loader.load(InquiryKey(parsed, options))
    return DebtorProfile.from_domain(profile, options)


@expected_errors
async def resolve_debtors(
    info: Info[Context, None],
    subjects: SubjectsArg,
    case_number: CaseArg,
    agencies: AgenciesArg = None,
    deadline_ms: DeadlineArg = None,
    fresh: FreshArg = False,
) -> list[DebtorProfile]:
    service = info.context.inquiries
    options = service.options(case_number, agency_names(agencies), deadline_ms, fresh)
    parsed = service.subjects([(s.kind, s.id, s.name) for s in subjects], batch=True)
    await authorize(info.context, options.case_number, parsed)
    profiles = await info.context.loader.load_many([InquiryKey(s, options) for s in parsed])
    # converted and completed a few at a time, the event loop free in between
    # (gateway/services/turns.py, gateway/resolvers/pacing.py)
    converted: list[DebtorProfile] = []
    async for group in in_turns(profiles):
        converted.extend(DebtorProfile.from_domain(p, options) for p in group)
    return paced(converted)


async def authorize(context: Context, case_number: CaseNumber, subjects: list[Subject]) -> None:
    """The case-scoped check of ``gateway.auth.policy``; a refusal is audited, then raised.

    The check reads only the parties asked about (``Context.case_for_subjects``): whether each
    is a debtor of the case does not depend on the case's other parties."""
    case = await context.case_for_subjects(case_number, subjects)
    await context.enforce(
        lambda: check_inquiry(context.principal, case, subjects),
        action="inquiry",
        case_number=case_number.canonical,
        subjects=subjects,
    )
