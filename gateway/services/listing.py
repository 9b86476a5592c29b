"""The list's service: record events, read entries and their history, answer the public, and
show what is overdue.

Every event is one unit of work (``gateway.store.unit``): the entry's new row, its history row
and its audit entry (the same hash chain as inquiries) commit together, or none does. Nothing is
deleted: masking and revoking are states, and the history keeps who, when, why and under which
document. The lifecycle's rules are the domain's (``gateway.domain.lifecycle``); who may record
an event is ``gateway.auth.policy``'s.

Dates are the court's: "today" is the date in China (UTC+8, no daylight saving).
"""

from __future__ import annotations

import builtins
import datetime
import enum
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from gateway.auth.principal import Principal
from gateway.domain.calendar import Deadline, Due
from gateway.domain.cases import EARLIEST_YEAR
from gateway.domain.clock import court_date
from gateway.domain.deadlines import DeadlineKind
from gateway.domain.errors import ChakongError, InvalidInputError
from gateway.domain.lifecycle import Action, EarliestWarning, Rules, Transition, apply, warn
from gateway.domain.listing import (
    ADULT_AGE,
    ListingEntry,
    ListingError,
    ListingState,
    Particulars,
    age_on,
    birth_date,
    normal_name,
)
from gateway.domain.subjects import Subject, ascii_identifier, echoed
from gateway.services.auditing import Auditor
from gateway.store.listing import HistoryItem, LeadRow
from gateway.store.unit import Store, UnitOfWork

MAX_PAGE = 500
PUBLIC_PAGE = 20
MIN_FRAGMENT = 4


class ListingNotFoundError(ChakongError):
    code = "LISTING_NOT_FOUND"

    def __init__(self, entry_id: str) -> None:
        shown = echoed(entry_id)  # the caller's text: cut, masked, quoted
        super().__init__(f"名单条目“{shown}”不存在", f"no list entry '{shown}'")


class ListingConflictError(ChakongError):
    """Someone recorded another event on the entry meanwhile: read it again, then retry."""

    code = "LISTING_CONFLICT"


class ListingAlreadyEnteredError(ListingError):
    """The subject already has an entry in the case that stands: record the next event on it
    (a new decision on a masked, revoked or lifted one is ``relistDebtor``), not a second one."""

    code = "LISTING_ALREADY_ENTERED"

    def __init__(self, entry: ListingEntry) -> None:
        super().__init__(
            f"该被执行人在本案已有名单条目 {entry.id}（{entry.state.value}），"
            "请在该条目上记录后续事件",
            f"this debtor already has an entry in this case, {entry.id} ({entry.state.value}): "
            "record the next event on it",
        )


class OverdueKind(enum.Enum):
    REVIEW = "REVIEW"  # 纠正申请未按期审查
    RECONSIDERATION = "RECONSIDERATION"  # 复议未按期决定
    EXIT = "EXIT"  # 履行完毕等后未按期屏蔽或撤销
    EXPIRED_STILL_PUBLIC = "EXPIRED_STILL_PUBLIC"  # 有效期届满仍公开
    # 案件已全部履行（立案登记的已履行金额达到执行标的）仍公开，未按期屏蔽或撤销
    PERFORMED_STILL_PUBLIC = "PERFORMED_STILL_PUBLIC"


_OVERDUE_RULES: Mapping[ListingState, tuple[OverdueKind, DeadlineKind, str]] = {
    ListingState.UNDER_REVIEW: (OverdueKind.REVIEW, DeadlineKind.REVIEW, "correction_applied_on"),
    ListingState.UNDER_RECONSIDERATION: (
        OverdueKind.RECONSIDERATION,
        DeadlineKind.RECONSIDERATION_DECISION,
        "reconsideration_applied_on",
    ),
    ListingState.EXIT_PENDING: (OverdueKind.EXIT, DeadlineKind.EXIT, "exit_reported_on"),
}


@dataclass(frozen=True, slots=True)
class OverdueItem:
    """An entry a court has not acted on in time: since when, under which deadline, and which
    court must act (``court``: the executing court's, or, for an entry under reconsideration,
    the next-higher court's)."""

    entry: ListingEntry
    kind: OverdueKind
    since: datetime.date  # the day the period started from
    due: Due
    deadline: Deadline
    days_overdue: int
    court: str


@dataclass(frozen=True, slots=True)
class AccountabilityRow:
    """The overdue items of one court and judge, by kind (责任追究)."""

    court: str
    judge: str | None
    kind: OverdueKind
    count: int
    oldest_due: datetime.date


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def higher_court(court: str, overrides: Mapping[str, str]) -> str | None:
    """The next-higher court: a configured override, else the court code's hierarchy.

    Court codes are the province's abbreviation followed by the city's two digits and the
    court's two: 苏0812 (a basic court) -> 苏08 (the intermediate court) -> 苏 (the high court)
    -> 最高法 (the supreme court). Special courts whose code does not follow the hierarchy (a
    railway court, a development-zone court under another city) are configured
    (``CHAKONG_LISTING__HIGHER_COURTS``)."""
    if court in overrides:
        return overrides[court]
    if court == "最高法":
        return None
    head = court.rstrip("0123456789")
    digits = court[len(head) :]
    if len(digits) == 4:
        return head + digits[:2]
    if len(digits) == 2:
        return head
    return "最高法"


class ListingService:
    def __init__(
        self,
        store: Store,
        auditor: Auditor,
        rules: Rules,
        *,
        higher_courts: Mapping[str, str] | None = None,
        lead_after_days: int = 180,
        clock: Callable[[], datetime.datetime] = _utc_now,
    ) -> None:
        self.lead_after_days = lead_after_days
        self._store = store
        self._auditor = auditor
        self.rules = rules
        self.higher_courts = dict(higher_courts or {})
        self._clock = clock

    def today(self) -> datetime.date:
        return court_date(self._clock())

    def higher_court(self, court: str) -> str | None:
        return higher_court(court, self.higher_courts)

    def answerable_court(self, entry_court: str, *, under_reconsideration: bool) -> str:
        """The court that must act on an entry of ``entry_court``: the executing court, but
        while the entry is under reconsideration, the next-higher court that decides it
        (淮安实施方案 四(一)3; 法释〔2017〕7号 第十二条)."""
        if under_reconsideration:
            return self.higher_court(entry_court) or entry_court
        return entry_court

    async def _below(self, unit: UnitOfWork, court: str | None) -> builtins.list[str]:
        """The courts whose entries under reconsideration ``court`` decides (none for
        ``court=None``, which means every court already)."""
        if court is None:
            return []
        return [
            c
            for c in await unit.listing.reconsidering_courts()
            if c != court and self.higher_court(c) == court
        ]

    async def warn(
        self,
        particulars: Particulars,
        *,
        on: datetime.date,
        document_number: str,
        reason: str,
        principal: Principal,
        request_id: str,
        earliest: EarliestWarning | None = None,
    ) -> ListingEntry:
        """Open an entry with its risk-warning notice (audited as ``listing.warn``); refused
        while the subject has an entry in the case that stands (any but a withdrawn warning),
        and when dated before ``earliest`` (the case's filing: ``EarliestWarning``)."""
        entry, transition = warn(
            uuid.uuid4().hex,
            particulars,
            on=on,
            document_number=document_number,
            reason=reason,
            today=self.today(),
            earliest=earliest,
        )
        async with self._store.begin() as unit:
            subject = particulars.subject
            standing = await unit.listing.entered(
                particulars.case_number, subject.kind.value, subject.id
            )
            if standing is not None:
                raise ListingAlreadyEnteredError(standing)
            now = self._clock()
            await unit.listing.insert(entry, now)
            await self._recorded(unit, entry, transition, principal, request_id, now)
        return entry

    async def record(
        self, entry_id: str, action: Action, *, principal: Principal, request_id: str
    ) -> ListingEntry:
        """Record ``action`` on the entry: row, history and audit entry in one transaction."""
        async with self._store.begin() as unit:
            entry = await unit.listing.get(entry_id)
            if entry is None:
                raise ListingNotFoundError(entry_id)
            updated, transition = apply(entry, action, self.rules, today=self.today())
            now = self._clock()
            if not await unit.listing.update(updated, now):
                raise ListingConflictError(
                    "条目已被他人更新，请刷新后重试",
                    "the entry changed meanwhile: read it again and retry",
                )
            await self._recorded(unit, updated, transition, principal, request_id, now)
        return updated

    async def get(self, entry_id: str) -> ListingEntry | None:
        async with self._store.read() as unit:
            return await unit.listing.get(entry_id)

    async def require(self, entry_id: str) -> ListingEntry:
        entry = await self.get(entry_id)
        if entry is None:
            raise ListingNotFoundError(entry_id)
        return entry

    async def history(self, entry_id: str) -> builtins.list[HistoryItem]:
        async with self._store.read() as unit:
            return await unit.listing.history(entry_id)

    async def list(
        self,
        *,
        court: str,
        states: Sequence[ListingState] = (),
        case_number: str | None = None,
        subject_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> builtins.list[ListingEntry]:
        if not 1 <= limit <= MAX_PAGE or offset < 0:
            raise InvalidInputError(
                f"每页条数应在 1 至 {MAX_PAGE} 之间，偏移量不能为负数",
                f"the limit must be between 1 and {MAX_PAGE}, the offset not negative",
            )
        async with self._store.read() as unit:
            return await unit.listing.list(
                court=court,
                states=states,
                case_number=case_number,
                subject_id=subject_id,
                limit=limit,
                offset=offset,
                below=await self._below(unit, court),
            )

    async def of_subjects(self, subjects: Sequence[Subject]) -> builtins.list[ListingEntry]:
        """Every entry about these subjects (the debtor profile's list status)."""
        keys = [(s.kind.value, s.id) for s in subjects]
        async with self._store.read() as unit:
            return await unit.listing.of_subjects(keys)

    async def public_search(self, name: str, fragment: str) -> builtins.list[ListingEntry]:
        """The public query: a name and at least four characters of the ID number or credit
        code; only published, unmasked entries, and never a minor (checked again here).

        The name is read as entries keep it (``normal_name``: NFKC, whitespace runs one space)
        and also without any whitespace (``张 三`` finds 张三); the name as typed, without
        whitespace, is tried too, for entries stored before names were normalised."""
        clean_name = "".join(name.split())
        normal = normal_name(name)
        names = list(dict.fromkeys((normal.replace(" ", ""), normal, clean_name)))
        clean_fragment = ascii_identifier(fragment)  # NFKC, ASCII only, as every ID enters
        if not clean_name or len(clean_fragment) < MIN_FRAGMENT or len(clean_fragment) > 18:
            raise InvalidInputError(
                f"请输入姓名或名称，以及证件号码中连续的 {MIN_FRAGMENT} 至 18 位",
                f"give the name and {MIN_FRAGMENT} to 18 consecutive characters of the ID "
                "number or credit code",
                code="PUBLIC_QUERY_INVALID",
            )
        today = self.today()
        born_before = _years_before(today, ADULT_AGE)
        async with self._store.read() as unit:
            return await unit.listing.public_search(
                names, clean_fragment, born_before=born_before, limit=PUBLIC_PAGE
            )

    async def overdue(
        self, *, court: str | None, today: datetime.date | None = None
    ) -> builtins.list[OverdueItem]:
        """What the court has not done in time, oldest first (``court=None``: every court).

        An entry under reconsideration is the next-higher court's item, whatever is late about
        it (it alone can move the entry): in its view, not in the executing court's.
        Besides the pending events and the expired entries: an entry still public whose case
        the register shows fully performed (``cases.performed_on``) is late once the exit
        deadline (mask or revoke) has run from that day, whether or not anyone recorded the
        exit; an exit reported later than the performance counts from the performance, once.
        Never masked automatically: it is an item for the judge."""
        day = _as_of(today or self.today())
        async with self._store.read() as unit:
            below = await self._below(unit, court)
            pending = await unit.listing.pending(list(_OVERDUE_RULES), court, below)
            expired = await unit.listing.public_expired(day, court, below)
            performed = await unit.listing.performed_public(court, below)
        items: builtins.list[OverdueItem] = []
        dues: dict[tuple[datetime.date, DeadlineKind], tuple[Deadline, Due] | None] = {}
        for entry in pending:
            kind, deadline_kind, started = _OVERDUE_RULES[entry.state]
            since = getattr(entry, started)
            if since is not None:
                items.extend(self._late(entry, kind, deadline_kind, since, day, dues))
        for entry in expired:
            if entry.valid_until is not None:
                kind = OverdueKind.EXPIRED_STILL_PUBLIC
                ends = entry.valid_until
                items.extend(self._late(entry, kind, DeadlineKind.EXPIRY, ends, day, dues))
        for entry, performed_on in performed:
            kind = OverdueKind.PERFORMED_STILL_PUBLIC
            items.extend(self._late(entry, kind, DeadlineKind.EXIT, performed_on, day, dues))
        items.sort(key=lambda i: (i.due.on, i.entry.id))
        return items

    async def accountability(
        self, *, court: str | None, today: datetime.date | None = None
    ) -> builtins.list[AccountabilityRow]:
        """The overdue view counted per court, judge and kind (read as plain rows: the report
        covers the whole list). An entry under reconsideration is charged to the next-higher
        court, and to its judge who recorded the application (none if a system did)."""
        day = _as_of(today or self.today())
        async with self._store.read() as unit:
            below = await self._below(unit, court)
            facts = await unit.listing.overdue_facts(list(_OVERDUE_RULES), day, court, below)
        dues: dict[tuple[datetime.date, DeadlineKind], Due | None] = {}
        groups: dict[tuple[str, str | None, OverdueKind], builtins.list[datetime.date]] = {}
        for fact in facts:
            state, since, judge = fact.kind, fact.since, fact.judge
            if since is None:
                continue
            entry_court = self.answerable_court(
                fact.court, under_reconsideration=fact.under_reconsideration
            )
            if state == "EXPIRED":
                kind, deadline_kind = OverdueKind.EXPIRED_STILL_PUBLIC, DeadlineKind.EXPIRY
            elif state == "PERFORMED":
                kind, deadline_kind = OverdueKind.PERFORMED_STILL_PUBLIC, DeadlineKind.EXIT
            else:
                kind, deadline_kind, _ = _OVERDUE_RULES[ListingState(state)]
            key = (since, deadline_kind)
            if key not in dues:
                deadline = self.rules.profile.get(deadline_kind)
                dues[key] = None if deadline is None else self.rules.calendar.due(since, deadline)
            due = dues[key]
            if due is not None and day > due.on:
                groups.setdefault((entry_court, judge, kind), []).append(due.on)
        return [
            AccountabilityRow(c, j, k, len(v), min(v))
            for (c, j, k), v in sorted(groups.items(), key=lambda g: (g[0][0], g[0][1] or ""))
        ]

    async def leads(
        self, *, court: str | None, today: datetime.date | None = None
    ) -> builtins.list[LeadRow]:
        """Leads for the judge, never a listing: debtors of open cases filed more than
        ``lead_after_days`` ago and not fully performed, with no list entry in that case (a
        minor is never a lead), each with what the inquiries in that case found.

        Those whose inquiries found assets covering the unperformed amount (the "able but
        refuses to perform" sign, ``LeadRow.assets_cover_debt``) come first; the others stay
        leads, with the value found (or none, never inquired about) for the judge to weigh.
        Within each group the oldest case comes first."""
        day = _as_of(today or self.today())
        cutoff = day - datetime.timedelta(days=self.lead_after_days)
        async with self._store.read() as unit:
            found = await unit.listing.leads(cutoff, court)
        adults = []
        for lead in found:
            born = birth_date(lead.subject)
            if born is None or age_on(born, day) >= ADULT_AGE:
                adults.append(lead)
        # stable: the store's order (oldest case first) is kept within each group
        return sorted(adults, key=lambda lead: not lead.assets_cover_debt)

    def _late(
        self,
        entry: ListingEntry,
        kind: OverdueKind,
        deadline_kind: DeadlineKind,
        since: datetime.date,
        today: datetime.date,
        dues: dict[tuple[datetime.date, DeadlineKind], tuple[Deadline, Due] | None],
    ) -> builtins.list[OverdueItem]:
        key = (since, deadline_kind)
        if key not in dues:  # many entries share a start day: count each period once
            deadline = self.rules.profile.get(deadline_kind)
            dues[key] = (
                None if deadline is None else (deadline, self.rules.calendar.due(since, deadline))
            )
        found = dues[key]
        if found is None or today <= found[1].on:
            return []
        deadline, due = found
        court = self.answerable_court(
            entry.particulars.court,
            under_reconsideration=entry.state is ListingState.UNDER_RECONSIDERATION,
        )
        return [OverdueItem(entry, kind, since, due, deadline, (today - due.on).days, court)]

    async def _recorded(
        self,
        unit: UnitOfWork,
        entry: ListingEntry,
        transition: Transition,
        principal: Principal,
        request_id: str,
        now: datetime.datetime,
    ) -> None:
        await unit.listing.record(entry.id, transition, principal, request_id, now)
        document = transition.document_number or "-"
        await self._auditor.action(
            principal,
            request_id,
            action=f"listing.{transition.event.value.lower()}",
            case_number=entry.particulars.case_number,
            subject=entry.subject,
            detail=(
                f"entry={entry.id} {transition.from_state.value if transition.from_state else '-'}"
                f"->{transition.to_state.value} on={transition.on} doc={document}"
            ),
            unit=unit,
        )


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _as_of(day: datetime.date) -> datetime.date:
    if not EARLIEST_YEAR <= day.year <= 2200:
        raise InvalidInputError(
            f"日期应在 {EARLIEST_YEAR} 至 2200 年之间",
            f"the date must be between {EARLIEST_YEAR} and 2200",
        )
    return day
