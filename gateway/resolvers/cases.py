"""Thin resolvers for the case register, the audit log and ``me``.

A write's audit entry is the case register's to write, in the write's own transaction.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry import Info

from gateway.auth.policy import check_case_read, check_case_write
from gateway.domain.cases import CaseNumber, parse_case_number
from gateway.domain.errors import ChakongError, InvalidSubjectError
from gateway.domain.inputs import aware_utc, fold_identifier
from gateway.domain.register import CaseStatus, Party, new_case
from gateway.domain.subjects import infer_subject, parse_subject
from gateway.resolvers.errors import expected_errors
from gateway.schema.audit import AuditEntry
from gateway.schema.cases import Case, CaseInput, Me
from gateway.schema.context import Context
from gateway.services.cases import CaseNotFoundError, CaseRegister

CaseNumberArg = Annotated[str, strawberry.argument(description="执行案号 / Case number")]


def _register(context: Context) -> CaseRegister:
    if context.cases is None:
        raise ChakongError(
            "案件登记不可用", "the case register is not available", code="UNAVAILABLE"
        )
    return context.cases


async def _writable(context: Context, case_number: str, action: str) -> CaseNumber:
    """The case number, if the caller may write that court's cases; a refusal is audited."""
    number = parse_case_number(case_number)
    await context.enforce(
        lambda: check_case_write(context.principal, number.court),
        action=action,
        case_number=number.canonical,
    )
    return number


@expected_errors
async def resolve_case(info: Info[Context, None], case_number: CaseNumberArg) -> Case | None:
    context = info.context
    number = parse_case_number(case_number)
    case = await context.case(number)
    if case is None:
        return None
    await context.enforce(
        lambda: check_case_read(context.principal, case),
        action="case.read",
        case_number=number.canonical,
    )
    return Case.from_domain(case)


@expected_errors
async def resolve_cases(
    info: Info[Context, None],
    status: Annotated[
        CaseStatus | None, strawberry.argument(description="按状态筛选 / Only this status")
    ] = None,
    mine: Annotated[
        bool,
        strawberry.argument(description="只看分配给我的（法官） / Only mine (judges)"),
    ] = False,
    limit: Annotated[int, strawberry.argument(description="每页条数 / Page size")] = 50,
    offset: Annotated[int, strawberry.argument(description="偏移 / Offset")] = 0,
) -> list[Case]:
    """The cases of the caller's own court (the policy allows nothing wider)."""
    context = info.context
    judge = context.principal.judge if mine else None
    cases = await _register(context).list(
        court=context.principal.court, judge=judge, status=status, limit=limit, offset=offset
    )
    return [Case.from_domain(c) for c in cases]


@expected_errors
async def save_case(
    info: Info[Context, None],
    case: Annotated[CaseInput, strawberry.argument(description="案件 / The case")],
) -> Case:
    context = info.context
    number = await _writable(context, case.case_number, "case.save")
    parties = []
    for index, party in enumerate(case.parties):
        try:
            subject = parse_subject(party.kind, party.id, party.name)
        except InvalidSubjectError as exc:
            raise type(exc)(  # InvalidSubjectError or its kind, the code kept
                f"第{index + 1}个当事人：{exc.message_zh}", f"parties[{index}]: {exc.message_en}"
            ) from None
        parties.append(Party(role=party.role, subject=subject))
    saved = await _register(context).save(
        new_case(
            number,
            court=number.court,
            judges=case.judges,
            parties=parties,
            obligation=case.obligation,
            performed=case.performed,
            status=case.status,
            filed_on=case.filed_on,
        ),
        principal=context.principal,
        request_id=context.request_id,
    )
    return Case.from_domain(saved)


@expected_errors
async def set_case_status(
    info: Info[Context, None],
    case_number: CaseNumberArg,
    status: Annotated[CaseStatus, strawberry.argument(description="新状态 / The new status")],
) -> Case:
    context = info.context
    number = await _writable(context, case_number, "case.status")
    case = await _register(context).set_status(
        number, status, principal=context.principal, request_id=context.request_id
    )
    return Case.from_domain(case)


@expected_errors
async def record_performance(
    info: Info[Context, None],
    case_number: CaseNumberArg,
    performed: Annotated[
        Decimal, strawberry.argument(description="累计已履行金额 / Total performed so far")
    ],
) -> Case:
    context = info.context
    number = await _writable(context, case_number, "case.performance")
    case = await _register(context).record_performance(
        number, performed, principal=context.principal, request_id=context.request_id
    )
    return Case.from_domain(case)


async def resolve_me(info: Info[Context, None]) -> Me:
    return Me.from_domain(info.context.principal)


@expected_errors
async def resolve_audit_log(
    info: Info[Context, None],
    actor: Annotated[str | None, strawberry.argument(description="调用者 / Who")] = None,
    role: Annotated[str | None, strawberry.argument(description="角色 / Role")] = None,
    court: Annotated[str | None, strawberry.argument(description="法院代码 / Court")] = None,
    case_number: Annotated[str | None, strawberry.argument(description="案号 / Case")] = None,
    subject_id: Annotated[
        str | None,
        strawberry.argument(
            description="按证件号码精确筛选（不回显；全角数字等同半角；无效号码报错） / Exact ID "
            "number or USCC (never echoed; full-width digits are the same number; an invalid "
            "one is refused: INVALID_SUBJECT_ID)"
        ),
    ] = None,
    outcome: Annotated[str | None, strawberry.argument(description="allowed / denied")] = None,
    action: Annotated[str | None, strawberry.argument(description="操作 / Action")] = None,
    since: Annotated[
        datetime.datetime | None,
        strawberry.argument(
            description="起（含），须带时区 / From, inclusive; with a timezone (+08:00 or Z)"
        ),
    ] = None,
    until: Annotated[
        datetime.datetime | None,
        strawberry.argument(
            description="止（不含），须带时区 / Until, exclusive; with a timezone (+08:00 or Z)"
        ),
    ] = None,
    limit: Annotated[int, strawberry.argument(description="每页条数 / Page size")] = 50,
    before_seq: Annotated[
        int | None,
        strawberry.argument(
            description="翻页：上一页最小序号 / Page: the previous page's last seq"
        ),
    ] = None,
) -> list[AuditEntry]:
    audit_log = info.context.audit_log
    if audit_log is None:
        raise ChakongError("审计日志不可用", "the audit log is not available", code="UNAVAILABLE")
    entries = await audit_log.list(
        actor=actor,
        role=role,
        court=None if court is None else fold_identifier(court),
        case_number=None if case_number is None else parse_case_number(case_number),
        # validated as every subject is where it enters: a bad number is INVALID_SUBJECT_ID,
        # not an empty page (no entry is ever written for a number that does not validate)
        subject_id=None if subject_id is None else infer_subject(subject_id),
        outcome=outcome,
        action=action,
        since=None if since is None else aware_utc(since, "起始时间", "since"),
        until=None if until is None else aware_utc(until, "截止时间", "until"),
        limit=limit,
        before_seq=before_seq,
    )
    return [AuditEntry.from_domain(e) for e in entries]


__all__ = ["CaseNotFoundError"]
