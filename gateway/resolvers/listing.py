"""Thin resolvers for the list: one mutation per event, the court's queries, the public query.

Each event mutation reads the entry, asks ``gateway.auth.policy`` whether the caller's court may
record it (a refusal is audited), then lets the list service record it; the service writes the
entry, its history and its audit entry in one transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry
from strawberry import Info

from gateway.auth.policy import check_listing_event, check_listing_read, check_listing_warning
from gateway.auth.principal import Role
from gateway.domain.cases import parse_case_number
from gateway.domain.errors import ChakongError, InvalidInputError
from gateway.domain.inputs import fold_judge_id
from gateway.domain.lifecycle import Action, EarliestWarning, ListingEvent
from gateway.domain.listing import (
    MAX_TEXT,
    ExitCause,
    ListingState,
    Particulars,
    normalize_organisation_code,
)
from gateway.domain.register import check_filed_on
from gateway.domain.subjects import Subject, SubjectKind, infer_subject, parse_subject
from gateway.resolvers.errors import expected_errors
from gateway.schema.context import Context
from gateway.schema.listing import (
    AccountabilityRow,
    DecisionInput,
    ListingEntry,
    ListingLead,
    ListingWarnInput,
    OverdueItem,
    PublicListingEntry,
)
from gateway.services.listing import ListingService

EntryArg = Annotated[str, strawberry.argument(description="条目编号 / Entry id")]
OnArg = Annotated[
    datetime.date, strawberry.argument(description="事件发生日期 / The date the event happened")
]
ReasonArg = Annotated[str, strawberry.argument(description="理由 / Why")]
DocumentArg = Annotated[
    str | None, strawberry.argument(description="文书文号 / The document's number")
]
DecisionArg = Annotated[DecisionInput, strawberry.argument(description="纳入决定 / The decision")]
CauseArg = Annotated[ExitCause, strawberry.argument(description="退出原因 / Why it leaves")]


def _service(context: Context) -> ListingService:
    if context.listing is None:
        raise ChakongError("名单服务不可用", "the list is not available", code="UNAVAILABLE")
    return context.listing


def _text(value: str, zh: str, en: str) -> str:
    clean = value.strip()
    if len(clean) > MAX_TEXT:
        raise InvalidInputError(f"{zh}过长", f"{en} is too long")
    return clean


async def _record(info: Info[Context, None], entry_id: str, action: Action) -> ListingEntry:
    context = info.context
    listing = _service(context)
    entry = await listing.require(entry_id)
    court = entry.particulars.court
    await context.enforce(
        lambda: check_listing_event(
            context.principal,
            court,
            listing.higher_court(court),
            by_higher_court=action.event.by_higher_court,
        ),
        action=f"listing.{action.event.value.lower()}",
        case_number=entry.particulars.case_number,
    )
    reason = _text(action.reason, "理由", "the reason")
    document = None if action.document_number is None else action.document_number.strip()
    action = Action(
        action.event, action.on, reason, document or None, action.decision, action.exit_cause
    )
    updated = await listing.record(
        entry_id, action, principal=context.principal, request_id=context.request_id
    )
    return ListingEntry.from_domain(updated)


Recorder = Callable[..., Awaitable[ListingEntry]]


def _simple(event: ListingEvent) -> Recorder:
    """The mutation of an event that needs a date, a reason and perhaps a document number."""

    @expected_errors
    async def resolve(
        info: Info[Context, None],
        entry_id: EntryArg,
        on: OnArg,
        reason: ReasonArg = "",
        document_number: DocumentArg = None,
    ) -> ListingEntry:
        return await _record(info, entry_id, Action(event, on, reason, document_number))

    resolve.__name__ = f"resolve_{event.value.lower()}"
    return resolve


withdraw_warning = _simple(ListingEvent.WITHDRAW_WARNING)
publish = _simple(ListingEvent.PUBLISH)
notify_employer = _simple(ListingEvent.NOTIFY_EMPLOYER)
apply_correction = _simple(ListingEvent.APPLY_CORRECTION)
accept_correction = _simple(ListingEvent.ACCEPT_CORRECTION)
reject_correction = _simple(ListingEvent.REJECT_CORRECTION)
apply_reconsideration = _simple(ListingEvent.APPLY_RECONSIDERATION)
uphold = _simple(ListingEvent.UPHOLD)
revoke_on_reconsideration = _simple(ListingEvent.REVOKE_ON_RECONSIDERATION)
mask = _simple(ListingEvent.MASK)
revoke = _simple(ListingEvent.REVOKE)
expire = _simple(ListingEvent.EXPIRE)
lift = _simple(ListingEvent.LIFT)


@expected_errors
async def decide(
    info: Info[Context, None],
    entry_id: EntryArg,
    on: OnArg,
    decision: DecisionArg,
    reason: ReasonArg = "",
) -> ListingEntry:
    action = Action(ListingEvent.DECIDE, on, reason, decision=decision.to_domain(on))
    return await _record(info, entry_id, action)


@expected_errors
async def relist(
    info: Info[Context, None],
    entry_id: EntryArg,
    on: OnArg,
    decision: DecisionArg,
    reason: ReasonArg = "",
) -> ListingEntry:
    action = Action(ListingEvent.RELIST, on, reason, decision=decision.to_domain(on))
    return await _record(info, entry_id, action)


@expected_errors
async def report_exit(
    info: Info[Context, None],
    entry_id: EntryArg,
    on: OnArg,
    cause: CauseArg,
    reason: ReasonArg = "",
    document_number: DocumentArg = None,
) -> ListingEntry:
    action = Action(ListingEvent.REPORT_EXIT, on, reason, document_number, exit_cause=cause)
    return await _record(info, entry_id, action)


def _organisation_code(subject: Subject, value: str | None) -> str | None:
    """A legal person's organisation code in its normal form; a natural person's is kept as
    given, for ``Particulars.check`` to refuse (an organisation code is for legal persons)."""
    if value is None or not value.strip():
        return None
    if subject.kind is SubjectKind.NATURAL:
        return value
    return normalize_organisation_code(value)


@expected_errors
async def warn_debtor(
    info: Info[Context, None],
    warning: Annotated[
        ListingWarnInput, strawberry.argument(description="风险提示 / The risk warning")
    ],
) -> ListingEntry:
    """Open an entry for a debtor of the caller's court, with the risk-warning notice."""
    context = info.context
    listing = _service(context)
    number = parse_case_number(warning.case_number)
    subject = parse_subject(warning.subject.kind, warning.subject.id, warning.subject.name)
    if warning.filed_on is not None:  # published as the entry's 立案时间: as saveCase takes it
        check_filed_on(warning.filed_on, number)
    court = number.court
    principal = context.principal
    case = await context.case_for_subjects(number, [subject])
    await context.enforce(
        lambda: check_listing_warning(principal, court, case, subject),
        action="listing.warn",
        case_number=number.canonical,
        subjects=[subject],
    )
    named = fold_judge_id(warning.judge) if warning.judge else None  # as the register keeps it
    judge = principal.judge if principal.role is Role.JUDGE else named
    particulars = Particulars(
        case_number=number.canonical,
        court=court,
        subject=subject,
        basis_document_number=_text(warning.basis_document_number, "执行依据文号", "basis"),
        basis_issuer=_text(warning.basis_issuer, "作出执行依据单位", "the issuer"),
        obligation=_text(warning.obligation, "义务", "the obligation"),
        performance=warning.performance,
        performed_part=_text(warning.performed_part, "已履行部分", "the performed part"),
        unperformed_part=_text(warning.unperformed_part, "未履行部分", "the unperformed part"),
        legal_representative=(warning.legal_representative or "").strip() or None,
        organisation_code=_organisation_code(subject, warning.organisation_code),
        filed_on=warning.filed_on,
        judge=judge,
    )
    # not before the case was filed: the register's filing date, else its number's year
    filed_on = None if case is None else case.filed_on
    entry = await listing.warn(
        particulars,
        on=warning.warned_on,
        document_number=warning.document_number.strip(),
        reason=_text(warning.reason, "理由", "the reason"),
        principal=principal,
        request_id=context.request_id,
        earliest=EarliestWarning.of(number.year, filed_on),
    )
    return ListingEntry.from_domain(entry)


@expected_errors
async def resolve_listing_entry(
    info: Info[Context, None], entry_id: EntryArg
) -> ListingEntry | None:
    context = info.context
    listing = _service(context)
    entry = await listing.get(entry_id)
    if entry is None:
        return None
    court = entry.particulars.court
    await context.enforce(
        lambda: check_listing_read(context.principal, court, listing.higher_court(court)),
        action="listing.read",
        case_number=entry.particulars.case_number,
    )
    return ListingEntry.from_domain(entry)


@expected_errors
async def resolve_listing_entries(
    info: Info[Context, None],
    states: Annotated[
        list[ListingState] | None, strawberry.argument(description="按状态 / Only these states")
    ] = None,
    case_number: Annotated[
        str | None, strawberry.argument(description="按案号 / Only this case")
    ] = None,
    subject_id: Annotated[
        str | None, strawberry.argument(description="按证件号码 / Only this ID number or USCC")
    ] = None,
    limit: Annotated[int, strawberry.argument(description="每页条数 / Page size")] = 50,
    offset: Annotated[int, strawberry.argument(description="偏移 / Offset")] = 0,
) -> list[ListingEntry]:
    """The caller's own court's entries, and the entries under reconsideration of the courts
    whose next-higher court it is (which it decides, and may read)."""
    context = info.context
    if states is not None and not states:
        # no state at all would be no entry: more likely a filter built empty by mistake
        raise InvalidInputError(
            "states 为空列表：不按状态筛选时请省略该参数",
            "states is an empty list: leave it out to list entries in every state",
        )
    number = None if case_number is None else parse_case_number(case_number).canonical
    # the one normal form entries are stored in (NFKC, ASCII, an old 15-digit ID upgraded)
    clean_id = None if subject_id is None else infer_subject(subject_id).id
    entries = await _service(context).list(
        court=context.principal.court or "",
        states=states or (),
        case_number=number,
        subject_id=clean_id,
        limit=limit,
        offset=offset,
    )
    return [ListingEntry.from_domain(e) for e in entries]


AsOfArg = Annotated[
    datetime.date | None,
    strawberry.argument(description="以该日计算（默认今天） / As of this day (default: today)"),
]


@expected_errors
async def resolve_listing_overdue(
    info: Info[Context, None], as_of: AsOfArg = None
) -> list[OverdueItem]:
    """What the caller's court has not done in time (an entry under reconsideration is the
    next-higher court's item)."""
    context = info.context
    items = await _service(context).overdue(court=context.principal.court or "", today=as_of)
    return [OverdueItem.from_domain(i) for i in items]


@expected_errors
async def resolve_listing_accountability(
    info: Info[Context, None], as_of: AsOfArg = None
) -> list[AccountabilityRow]:
    context = info.context
    rows = await _service(context).accountability(court=context.principal.court or "", today=as_of)
    return [AccountabilityRow.from_domain(r) for r in rows]


@expected_errors
async def resolve_public_listing(
    info: Info[Context, None],
    name: Annotated[str, strawberry.argument(description="姓名或名称 / Name")],
    id_fragment: Annotated[
        str,
        strawberry.argument(
            description="证件号码或统一社会信用代码中连续的至少4位（身份证号码仅匹配公开显示的前10位"
            "与后4位） / At least 4 consecutive characters of the ID number or credit code (of "
            "an ID number, only within the first ten and the last four, which the answer shows)"
        ),
    ],
) -> list[PublicListingEntry]:
    entries = await _service(info.context).public_search(name, id_fragment)
    return [PublicListingEntry.from_domain(e) for e in entries]


@expected_errors
async def resolve_listing_leads(
    info: Info[Context, None], as_of: AsOfArg = None
) -> list[ListingLead]:
    """Debtors of the caller's court that look qualifying but have no entry: leads only."""
    context = info.context
    leads = await _service(context).leads(court=context.principal.court or "", today=as_of)
    return [ListingLead.from_domain(lead) for lead in leads]
