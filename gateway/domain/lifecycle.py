"""The list's lifecycle: explicit states, events with their legal basis, and the transitions.

``warn`` opens an entry (the risk-warning notice); ``apply`` moves it by one ``Action``, or
refuses with a ``ListingError`` whose ``code`` is stable:

    LISTING_INVALID_TRANSITION   the event does not apply in the entry's state
    LISTING_MINOR                the debtor is under 18 on the decision's date
    LISTING_DOCUMENT_REQUIRED    the event needs a document number (or a decision)
    LISTING_PUBLICATION_NOT_ALLOWED / LISTING_PUBLICATION_ALLOWED
                                 publish what may not be published / notify instead of publishing
    LISTING_APPLICATION_LATE     a correction or reconsideration applied for after its deadline
    LISTING_NOT_REJECTED         reconsideration without a rejected correction (or a second time)
    LISTING_NOT_EXPIRED          expiry before the validity period ends
    LISTING_DATE_INVALID         an event dated before the entry's last event, in the future, or
                                 (the warning) before the case was filed (``EarliestWarning``)

Events and states (see docs/list.md for the drawing)::

    WARNED --DECIDE--> LISTED --PUBLISH--> PUBLISHED
                       LISTED --NOTIFY_EMPLOYER--> EMPLOYER_NOTIFIED      (may not be published)
    in force --APPLY_CORRECTION--> UNDER_REVIEW --ACCEPT--> REVOKED | --REJECT--> back
    in force (rejected) --APPLY_RECONSIDERATION--> UNDER_RECONSIDERATION --UPHOLD--> back
                                                   | --REVOKE_ON_RECONSIDERATION--> REVOKED
    in force --REPORT_EXIT (performed, settlement, termination)--> EXIT_PENDING --MASK--> MASKED
                                                                               --REVOKE--> REVOKED
    in force --EXPIRE--> MASKED;  in force --LIFT (guarantee)--> LIFTED
    MASKED | REVOKED | LIFTED --RELIST--> LISTED;  WARNED --WITHDRAW_WARNING--> WITHDRAWN
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
from dataclasses import dataclass
from typing import Any

from gateway.domain.calendar import WorkingCalendar
from gateway.domain.cases import EARLIEST_YEAR
from gateway.domain.deadlines import DeadlineKind, DeadlineProfile
from gateway.domain.listing import (
    Decision,
    ExitCause,
    ListingEntry,
    ListingError,
    ListingState,
    Particulars,
    check_length,
    check_not_minor,
    normal_name,
)

S = ListingState
PLAN = "淮安实施方案"
RULES = "法释〔2017〕7号"


class ListingEvent(enum.Enum):
    WARN = "WARN"
    WITHDRAW_WARNING = "WITHDRAW_WARNING"
    DECIDE = "DECIDE"
    PUBLISH = "PUBLISH"
    NOTIFY_EMPLOYER = "NOTIFY_EMPLOYER"
    APPLY_CORRECTION = "APPLY_CORRECTION"
    ACCEPT_CORRECTION = "ACCEPT_CORRECTION"
    REJECT_CORRECTION = "REJECT_CORRECTION"
    APPLY_RECONSIDERATION = "APPLY_RECONSIDERATION"
    UPHOLD = "UPHOLD"
    REVOKE_ON_RECONSIDERATION = "REVOKE_ON_RECONSIDERATION"
    REPORT_EXIT = "REPORT_EXIT"
    MASK = "MASK"
    REVOKE = "REVOKE"
    EXPIRE = "EXPIRE"
    LIFT = "LIFT"
    RELIST = "RELIST"

    @property
    def basis(self) -> str:
        """The legal basis of the event."""
        return BASIS[self]

    @property
    def by_higher_court(self) -> bool:
        """Reconsideration is the next-higher court's (淮安实施方案 四(一)3; 第十二条)."""
        return self in HIGHER_COURT_EVENTS


E = ListingEvent
BASIS: dict[ListingEvent, str] = {
    E.WARN: f"{PLAN} 四(一)3：纳入前发出风险提示通知",
    E.WITHDRAW_WARNING: "法发〔2019〕35号 第16条：宽限期内履行的不予纳入",
    E.DECIDE: f"{RULES} 第一条、第二条、第五条；{PLAN} 四(一)1",
    E.PUBLISH: f"{RULES} 第六条、第七条；{PLAN} 四(一)1",
    E.NOTIFY_EMPLOYER: f"{PLAN} 四(一)1：依法不宜公开的，通报其所在单位",
    E.APPLY_CORRECTION: f"{PLAN} 四(一)3；{RULES} 第十一条",
    E.ACCEPT_CORRECTION: f"{PLAN} 四(一)3：理由成立的，予以撤销；{RULES} 第十一条",
    E.REJECT_CORRECTION: f"{PLAN} 四(一)3：理由不成立的，予以驳回",
    E.APPLY_RECONSIDERATION: f"{PLAN} 四(一)3：向上一级人民法院申请复议；{RULES} 第十二条",
    E.UPHOLD: f"{RULES} 第十二条：上一级法院维持",
    E.REVOKE_ON_RECONSIDERATION: f"{RULES} 第十二条：上一级法院撤销",
    E.REPORT_EXIT: f"{PLAN} 四(一)4：全部履行、和解履行完毕或依法终结执行；{RULES} 第十条",
    E.MASK: f"{PLAN} 四(一)4：3日内屏蔽；{RULES} 第十条",
    E.REVOKE: f"{PLAN} 四(一)4：3日内撤销；{RULES} 第十条",
    E.EXPIRE: f"{RULES} 第二条、第十条：期限届满删除",
    E.LIFT: f"{PLAN} 四(一)4：提供有效执行担保，由执行法院审查决定解除",
    E.RELIST: f"{RULES} 第十条第二款：删除后具有第一条情形的，可以重新纳入",
}
HIGHER_COURT_EVENTS = frozenset({E.APPLY_RECONSIDERATION, E.UPHOLD, E.REVOKE_ON_RECONSIDERATION})
DOCUMENT_REQUIRED = frozenset(
    {
        E.WARN,
        E.WITHDRAW_WARNING,
        E.ACCEPT_CORRECTION,
        E.REJECT_CORRECTION,
        E.UPHOLD,
        E.REVOKE_ON_RECONSIDERATION,
        E.MASK,
        E.REVOKE,
        E.LIFT,
    }
)
LISTED = frozenset({S.LISTED, S.PUBLISHED, S.EMPLOYER_NOTIFIED})
# the states each event applies in
FROM: dict[ListingEvent, frozenset[ListingState]] = {
    E.WITHDRAW_WARNING: frozenset({S.WARNED}),
    E.DECIDE: frozenset({S.WARNED}),
    E.PUBLISH: frozenset({S.LISTED}),
    E.NOTIFY_EMPLOYER: frozenset({S.LISTED}),
    E.APPLY_CORRECTION: LISTED,
    E.ACCEPT_CORRECTION: frozenset({S.UNDER_REVIEW}),
    E.REJECT_CORRECTION: frozenset({S.UNDER_REVIEW}),
    E.APPLY_RECONSIDERATION: LISTED,
    E.UPHOLD: frozenset({S.UNDER_RECONSIDERATION}),
    E.REVOKE_ON_RECONSIDERATION: frozenset({S.UNDER_RECONSIDERATION}),
    E.REPORT_EXIT: LISTED,
    E.MASK: frozenset({S.EXIT_PENDING}),
    E.REVOKE: LISTED | {S.EXIT_PENDING},
    E.EXPIRE: LISTED | {S.EXIT_PENDING},
    E.LIFT: LISTED,
    E.RELIST: frozenset({S.MASKED, S.REVOKED, S.LIFTED}),
}
NOT_PUBLIC = frozenset({S.WITHDRAWN, S.MASKED, S.REVOKED, S.LIFTED})


@dataclass(frozen=True, slots=True)
class Action:
    """One event the court records: on which day it happened, under which document, why."""

    event: ListingEvent
    on: datetime.date
    reason: str = ""
    document_number: str | None = None
    decision: Decision | None = None  # DECIDE, RELIST
    exit_cause: ExitCause | None = None  # REPORT_EXIT


@dataclass(frozen=True, slots=True)
class Transition:
    """What an action did: the history keeps it, with who and when (the service adds those)."""

    event: ListingEvent
    from_state: ListingState | None
    to_state: ListingState
    on: datetime.date
    reason: str
    document_number: str | None


@dataclass(frozen=True, slots=True)
class Rules:
    """The deadlines in force and the calendar they are counted on."""

    profile: DeadlineProfile
    calendar: WorkingCalendar


@dataclass(frozen=True, slots=True)
class EarliestWarning:
    """The first day a warning in a case may bear: the day the register says the case was
    filed, else (no filing date registered) 1 January of the case number's year, the year the
    court took the case. Every later event follows the warning, so none precedes it either."""

    on: datetime.date
    filed: bool  # ``on`` is the register's filing date (else the case number's year)

    @staticmethod
    def of(case_year: int, filed_on: datetime.date | None) -> EarliestWarning:
        first = datetime.date(case_year, 1, 1)
        if filed_on is not None and filed_on >= first:
            return EarliestWarning(filed_on, True)
        return EarliestWarning(first, False)

    def check(self, on: datetime.date) -> None:
        if on >= self.on:
            return
        if self.filed:
            zh, en = "本案立案日期", "the case's filing date"
        else:
            zh, en = "案号年份的1月1日", "1 January of the case number's year"
        raise ListingError(
            f"风险提示日期 {on} 无效：不能早于{zh}，最早为 {self.on}",
            f"the warning's date {on} is invalid: it may not precede {en}; the earliest "
            f"allowed day is {self.on}",
            code="LISTING_DATE_INVALID",
        )


def warn(
    entry_id: str,
    particulars: Particulars,
    *,
    on: datetime.date,
    document_number: str,
    reason: str = "",
    today: datetime.date,
    earliest: EarliestWarning | None = None,
) -> tuple[ListingEntry, Transition]:
    """Open an entry with the risk-warning notice; a minor is refused already here, and so is
    a warning dated before ``earliest`` (the case's filing), when the caller knows it. The
    debtor's name is kept in its normal form (``normal_name``), as the public query reads it."""
    subject = particulars.subject
    if subject.name is not None:
        named = dataclasses.replace(subject, name=normal_name(subject.name) or None)
        particulars = dataclasses.replace(particulars, subject=named)
    particulars.check()
    _check_date(on, None, today)
    if earliest is not None:
        earliest.check(on)
    _require_document(E.WARN, document_number)
    check_not_minor(particulars.subject, on)
    entry = ListingEntry(
        id=entry_id,
        particulars=particulars,
        state=S.WARNED,
        warned_on=on,
        warning_document_number=document_number,
        last_event_on=on,
    )
    return entry, Transition(E.WARN, None, S.WARNED, on, reason, document_number)


def apply(
    entry: ListingEntry, action: Action, rules: Rules, *, today: datetime.date
) -> tuple[ListingEntry, Transition]:
    """The entry after ``action``, and the transition to record; refuses with a coded error."""
    event = action.event
    if event is E.WARN or entry.state not in FROM[event]:
        raise ListingError(
            f"条目状态为 {entry.state.value}，不能执行 {event.value}",
            f"{event.value} does not apply to an entry in state {entry.state.value}",
            code="LISTING_INVALID_TRANSITION",
        )
    _check_date(action.on, entry.last_event_on, today)
    _require_document(event, action.document_number)
    on = action.on
    change: dict[str, Any] = {}
    if event in (E.DECIDE, E.RELIST):
        change = _decide(entry, action)
        to = S.LISTED
    elif event is E.WITHDRAW_WARNING:
        to = S.WITHDRAWN
    elif event is E.PUBLISH:
        _check_publication(entry, publish=True)
        to, change = S.PUBLISHED, {"published_on": on}
    elif event is E.NOTIFY_EMPLOYER:
        _check_publication(entry, publish=False)
        to, change = S.EMPLOYER_NOTIFIED, {"employer_notified_on": on}
    elif event is E.APPLY_CORRECTION:
        decided = entry.decision.decided_on if entry.decision else entry.warned_on
        _check_in_time(rules, DeadlineKind.CORRECTION_APPLICATION, decided, on)
        to = S.UNDER_REVIEW
        change = {"previous_state": entry.state, "correction_applied_on": on}
    elif event is E.REJECT_CORRECTION:
        to, change = _back(entry), {"correction_rejected_on": on, "previous_state": None}
    elif event in (E.ACCEPT_CORRECTION, E.REVOKE_ON_RECONSIDERATION, E.REVOKE):
        to, change = S.REVOKED, {"revoked_on": on}
        if event is E.ACCEPT_CORRECTION:
            change["correction_accepted_on"] = on
    elif event is E.APPLY_RECONSIDERATION:
        if entry.correction_rejected_on is None or entry.reconsideration_applied_on is not None:
            raise ListingError(
                "只有纠正申请被驳回后才能申请一次复议",
                "reconsideration follows a rejected correction, once",
                code="LISTING_NOT_REJECTED",
            )
        kind = DeadlineKind.RECONSIDERATION_APPLICATION
        _check_in_time(rules, kind, entry.correction_rejected_on, on)
        to = S.UNDER_RECONSIDERATION
        change = {"previous_state": entry.state, "reconsideration_applied_on": on}
    elif event is E.UPHOLD:
        to, change = _back(entry), {"previous_state": None}
    elif event is E.REPORT_EXIT:
        if action.exit_cause is None:
            raise ListingError(
                "须说明退出原因（全部履行、和解履行完毕或终结执行）",
                "the exit cause is required (performed, settlement or termination)",
                code="INVALID_INPUT",
            )
        to = S.EXIT_PENDING
        change = {"exit_cause": action.exit_cause, "exit_reported_on": on}
    elif event is E.EXPIRE:
        if entry.valid_until is None or on <= entry.valid_until:
            raise ListingError(
                "有效期尚未届满（或不设期限）",
                "the validity period has not ended (or has no fixed term)",
                code="LISTING_NOT_EXPIRED",
            )
        to, change = S.MASKED, {"masked_on": on}
    elif event is E.MASK:
        to, change = S.MASKED, {"masked_on": on}
    else:  # E.LIFT
        to, change = S.LIFTED, {"lifted_on": on}
    public = {S.PUBLISHED: True}.get(to, False if to in NOT_PUBLIC else entry.public)
    updated = dataclasses.replace(
        entry, **change, state=to, public=public, last_event_on=on, version=entry.version + 1
    )
    document = action.document_number
    if event in (E.DECIDE, E.RELIST) and action.decision is not None:
        document = action.decision.document_number
    return updated, Transition(event, entry.state, to, on, action.reason, document)


def _decide(entry: ListingEntry, action: Action) -> dict[str, Any]:
    decision = action.decision
    if decision is None:
        raise ListingError(
            "须提供纳入决定（文号、日期、情形）",
            "the decision (document number, date, ground) is required",
            code="LISTING_DOCUMENT_REQUIRED",
        )
    decision.check()
    if decision.decided_on != action.on:
        raise ListingError(
            "决定日期应与事件日期一致",
            "the decision's date must be the event's date",
            code="LISTING_DATE_INVALID",
        )
    check_not_minor(entry.subject, decision.decided_on)
    return {
        "decision": decision,
        "valid_until": decision.validity_until(),
        "previous_state": None,
        "published_on": None,
        "employer_notified_on": None,
        "correction_applied_on": None,
        "correction_rejected_on": None,
        "correction_accepted_on": None,
        "reconsideration_applied_on": None,
        "exit_cause": None,
        "exit_reported_on": None,
        "masked_on": None,
        "revoked_on": None,
        "lifted_on": None,
    }


def _back(entry: ListingEntry) -> ListingState:
    return entry.previous_state or S.LISTED


def _check_publication(entry: ListingEntry, *, publish: bool) -> None:
    allowed = entry.decision is not None and entry.decision.publication_allowed
    if publish and not allowed:
        raise ListingError(
            "该条目依法不宜公开，应通报其所在单位",
            "this entry may not be published: notify the employer instead",
            code="LISTING_PUBLICATION_NOT_ALLOWED",
        )
    if not publish and allowed:
        raise ListingError(
            "该条目可以公开，应予发布",
            "this entry may be published: publish it",
            code="LISTING_PUBLICATION_ALLOWED",
        )


def _check_in_time(
    rules: Rules, kind: DeadlineKind, start: datetime.date, on: datetime.date
) -> None:
    deadline = rules.profile.get(kind)
    if deadline is None:
        return
    due = rules.calendar.due(start, deadline)
    if on > due.on:
        raise ListingError(
            f"申请已超过期限（{deadline.label}，至 {due.on}；{deadline.source}）",
            f"applied for after the deadline ({deadline.days} {deadline.unit.value.lower()} "
            f"days, until {due.on}; {deadline.source})",
            code="LISTING_APPLICATION_LATE",
        )


# no enforcement case is older (``gateway.domain.cases.EARLIEST_YEAR``)
EARLIEST_EVENT = datetime.date(EARLIEST_YEAR, 1, 1)


def _check_date(on: datetime.date, last: datetime.date | None, today: datetime.date) -> None:
    if on < EARLIEST_EVENT:
        raise ListingError(
            f"事件日期 {on} 无效：不能早于 {EARLIEST_EVENT}",
            f"the event's date {on} is invalid: not before {EARLIEST_EVENT}",
            code="LISTING_DATE_INVALID",
        )
    if on > today:
        raise ListingError(
            f"事件日期 {on} 无效：不能晚于今天（{today}）",
            f"the event's date {on} is invalid: not after today ({today})",
            code="LISTING_DATE_INVALID",
        )
    if last is not None and on < last:
        raise ListingError(
            f"事件日期 {on} 无效：不能早于上一事件（{last}）",
            f"the event's date {on} is invalid: not before the last event ({last})",
            code="LISTING_DATE_INVALID",
        )


def _require_document(event: ListingEvent, document: str | None) -> None:
    check_length(document, 128, "文书文号", "the document number")
    if event in DOCUMENT_REQUIRED and not (document or "").strip():
        raise ListingError(
            f"{event.value} 须提供文书文号",
            f"{event.value} needs a document number",
            code="LISTING_DOCUMENT_REQUIRED",
        )
