"""The list's SQL: ``listing_entries`` (where each entry stands) and ``listing_events`` (its
history, append-only). Nothing here deletes a row.

``ListingRepository`` works on the connection of a unit of work (``gateway.store.unit``). An
entry is updated only from the version it was read at (``update`` answers ``False`` otherwise),
so two courts' clerks recording events at once cannot overwrite each other.
"""

from __future__ import annotations

import builtins
import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.auth.principal import Principal
from gateway.domain.lifecycle import ListingEvent, Transition
from gateway.domain.listing import (
    Decision,
    DishonestyLevel,
    ExitCause,
    LegalGround,
    ListingEntry,
    ListingState,
    Particulars,
    Performance,
)
from gateway.domain.subjects import Subject, SubjectKind
from gateway.store.tables import (
    case_judges,
    case_parties,
    cases,
    inquiry_answers,
    listing_entries,
    listing_events,
)

E = listing_entries.c
_ENTRY_DATES = (
    "valid_until",
    "published_on",
    "employer_notified_on",
    "correction_applied_on",
    "correction_rejected_on",
    "correction_accepted_on",
    "reconsideration_applied_on",
    "exit_reported_on",
    "masked_on",
    "revoked_on",
    "lifted_on",
    "last_event_on",
)


@dataclass(frozen=True, slots=True)
class LeadRow:
    """A debtor of an open, unperformed case filed long ago, with no entry in that case, and
    what the inquiries in that case found: ``found_value`` sums the latest answer of each agency
    about the debtor (``gateway.domain.controls.covering_value``), ``inquired_at`` is the latest
    of those answers; both are None when the debtor was never inquired about in the case."""

    case_number: str
    court: str
    judge: str | None
    subject: Subject
    filed_on: datetime.date
    obligation: Decimal
    performed: Decimal
    found_value: Decimal | None = None
    inquired_at: datetime.datetime | None = None

    @property
    def unperformed(self) -> Decimal:
        return self.obligation - self.performed

    @property
    def assets_cover_debt(self) -> bool:
        """The "able but refuses to perform" sign: the inquiries found at least the unperformed
        amount (a sign for the judge, never a decision)."""
        return self.found_value is not None and self.found_value >= self.unperformed


@dataclass(frozen=True, slots=True)
class HistoryItem:
    """One recorded event: the transition, who recorded it, when and in which request."""

    seq: int
    event: ListingEvent
    from_state: ListingState | None
    to_state: ListingState
    occurred_on: datetime.date
    document_number: str | None
    reason: str
    actor: str
    role: str
    court: str | None
    judge: str | None
    request_id: str
    at: datetime.datetime


def entry_values(entry: ListingEntry) -> dict[str, Any]:
    p, d = entry.particulars, entry.decision
    values: dict[str, Any] = {
        "version": entry.version,
        "state": entry.state.value,
        "previous_state": entry.previous_state.value if entry.previous_state else None,
        "public": entry.public,
        "case_number": p.case_number,
        "court": p.court,
        "judge": p.judge,
        "subject_kind": p.subject.kind.value,
        "subject_id": p.subject.id,
        "name": p.subject.name or "",
        "birth_date": entry.birth_date,
        "legal_representative": p.legal_representative,
        "organisation_code": p.organisation_code,
        "basis_document_number": p.basis_document_number,
        "basis_issuer": p.basis_issuer,
        "obligation": p.obligation,
        "performance": p.performance.value,
        "performed_part": p.performed_part,
        "unperformed_part": p.unperformed_part,
        "filed_on": p.filed_on,
        "warned_on": entry.warned_on,
        "warning_document_number": entry.warning_document_number,
        "decision_document_number": d.document_number if d else None,
        "decided_on": d.decided_on if d else None,
        "ground": d.ground.value if d else None,
        "circumstance": d.circumstance if d else None,
        "level": d.level.value if d else None,
        "extension_years": d.extension_years if d else 0,
        "publication_allowed": d.publication_allowed if d else None,
        "employer": d.employer if d else None,
        "exit_cause": entry.exit_cause.value if entry.exit_cause else None,
    }
    for name in _ENTRY_DATES:
        values[name] = getattr(entry, name)
    return values


def entry_from_row(row: RowMapping) -> ListingEntry:
    subject = Subject(SubjectKind(row["subject_kind"]), row["subject_id"], row["name"])
    particulars = Particulars(
        case_number=row["case_number"],
        court=row["court"],
        subject=subject,
        basis_document_number=row["basis_document_number"],
        basis_issuer=row["basis_issuer"],
        obligation=row["obligation"],
        performance=Performance(row["performance"]),
        performed_part=row["performed_part"],
        unperformed_part=row["unperformed_part"],
        legal_representative=row["legal_representative"],
        filed_on=row["filed_on"],
        judge=row["judge"],
        organisation_code=row["organisation_code"],
    )
    decision = None
    if row["decision_document_number"] is not None:
        decision = Decision(
            document_number=row["decision_document_number"],
            decided_on=row["decided_on"],
            ground=LegalGround(row["ground"]),
            circumstance=row["circumstance"] or "",
            level=DishonestyLevel(row["level"]),
            extension_years=row["extension_years"],
            publication_allowed=bool(row["publication_allowed"]),
            employer=row["employer"],
        )
    previous = row["previous_state"]
    cause = row["exit_cause"]
    return ListingEntry(
        id=row["id"],
        particulars=particulars,
        state=ListingState(row["state"]),
        warned_on=row["warned_on"],
        warning_document_number=row["warning_document_number"],
        version=row["version"],
        previous_state=ListingState(previous) if previous else None,
        public=bool(row["public"]),
        decision=decision,
        exit_cause=ExitCause(cause) if cause else None,
        **{name: row[name] for name in _ENTRY_DATES},
    )


class ListingRepository:
    """The list's two tables, on one connection."""

    __slots__ = ("_conn",)

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, entry_id: str) -> ListingEntry | None:
        row = (await self._conn.execute(sa.select(listing_entries).where(E.id == entry_id))).first()
        return None if row is None else entry_from_row(row._mapping)

    async def insert(self, entry: ListingEntry, now: datetime.datetime) -> None:
        await self._conn.execute(
            sa.insert(listing_entries).values(
                id=entry.id, created_at=now, updated_at=now, **entry_values(entry)
            )
        )

    async def update(self, entry: ListingEntry, now: datetime.datetime) -> bool:
        """Store ``entry`` over the version before it; ``False`` if someone else moved it."""
        result = await self._conn.execute(
            sa.update(listing_entries)
            .where(E.id == entry.id, E.version == entry.version - 1)
            .values(updated_at=now, **entry_values(entry))
        )
        return bool(result.rowcount)

    async def record(
        self,
        entry_id: str,
        transition: Transition,
        principal: Principal,
        request_id: str,
        now: datetime.datetime,
    ) -> None:
        """Append the transition to the entry's history (its next sequence number)."""
        last = await self._conn.scalar(
            sa.select(sa.func.max(listing_events.c.seq)).where(
                listing_events.c.entry_id == entry_id
            )
        )
        await self._conn.execute(
            sa.insert(listing_events).values(
                entry_id=entry_id,
                seq=(last or 0) + 1,
                event=transition.event.value,
                from_state=transition.from_state.value if transition.from_state else None,
                to_state=transition.to_state.value,
                occurred_on=transition.on,
                document_number=transition.document_number,
                reason=transition.reason,
                actor=principal.subject,
                role=principal.role.value,
                court=principal.court,
                judge=principal.judge,
                request_id=request_id,
                at=now,
            )
        )

    async def history(self, entry_id: str) -> builtins.list[HistoryItem]:
        rows = await self._conn.execute(
            sa.select(listing_events)
            .where(listing_events.c.entry_id == entry_id)
            .order_by(listing_events.c.seq)
        )
        return [
            HistoryItem(
                seq=r.seq,
                event=ListingEvent(r.event),
                from_state=ListingState(r.from_state) if r.from_state else None,
                to_state=ListingState(r.to_state),
                occurred_on=r.occurred_on,
                document_number=r.document_number,
                reason=r.reason,
                actor=r.actor,
                role=r.role,
                court=r.court,
                judge=r.judge,
                request_id=r.request_id,
                at=r.at,
            )
            for r in rows
        ]

    async def list(
        self,
        *,
        court: str,
        states: Sequence[ListingState] = (),
        case_number: str | None = None,
        subject_id: str | None = None,
        limit: int,
        offset: int,
        below: Sequence[str] = (),
    ) -> builtins.list[ListingEntry]:
        """A court's entries, and those of the courts ``below`` it under reconsideration (which
        it decides), newest warning first."""
        scope = E.court == court
        if below:
            scope = sa.or_(scope, _reconsidering_in(below))
        query = sa.select(listing_entries).where(scope)
        if states:
            query = query.where(E.state.in_([s.value for s in states]))
        if case_number is not None:
            query = query.where(E.case_number == case_number)
        if subject_id is not None:
            query = query.where(E.subject_id == subject_id)
        query = query.order_by(E.warned_on.desc(), E.id).limit(limit).offset(offset)
        return [entry_from_row(r._mapping) for r in await self._conn.execute(query)]

    async def entered(self, case_number: str, kind: str, subject_id: str) -> ListingEntry | None:
        """The subject's entry in the case that still stands (any state but ``WITHDRAWN``), if
        any. A lock is taken first, to the end of the transaction, so that two warnings of one
        debtor in one case, in two processes at once, are checked one after the other: on
        PostgreSQL a lock on the case and the subject (an advisory lock: the case need not be
        registered); on SQLite the file's write lock, by a write that changes nothing. SQLite
        writes one transaction at a time, but the driver begins the transaction at its first
        write: a read before it is outside the transaction, and another process could open
        the same entry between the read and the insert."""
        if self._conn.dialect.name == "postgresql":
            key = f"listing:{case_number}:{kind}:{subject_id}"
            await self._conn.execute(
                sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(key)))
            )
        else:
            await self._conn.execute(
                sa.update(listing_entries)
                .where(
                    E.case_number == case_number,
                    E.subject_kind == kind,
                    E.subject_id == subject_id,
                )
                .values(version=E.version)
            )
        row = (
            await self._conn.execute(
                sa.select(listing_entries)
                .where(
                    E.case_number == case_number,
                    E.subject_kind == kind,
                    E.subject_id == subject_id,
                    E.state != ListingState.WITHDRAWN.value,
                )
                .order_by(E.warned_on, E.id)
                .limit(1)
            )
        ).first()
        return None if row is None else entry_from_row(row._mapping)

    async def of_subjects(self, keys: Sequence[tuple[str, str]]) -> builtins.list[ListingEntry]:
        """Every entry about these subjects (kind, id), any court, any state."""
        if not keys:
            return []
        query = sa.select(listing_entries).where(
            sa.tuple_(E.subject_kind, E.subject_id).in_(list(keys))
        )
        return [entry_from_row(r._mapping) for r in await self._conn.execute(query)]

    async def public_search(
        self, names: Sequence[str], fragment: str, *, born_before: datetime.date, limit: int
    ) -> builtins.list[ListingEntry]:
        """Published, unmasked entries named one of ``names`` (the forms of one name) whose ID
        number or credit code contains ``fragment`` where the public answer shows it: a credit
        code anywhere, an ID number in its first ten or last four characters only, never across
        the birth month and day the answer hides (``public_id``: else the hidden digits could be
        guessed a fragment at a time); never anyone born after ``born_before`` (a minor)."""
        escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        shown = sa.or_(
            E.subject_kind != SubjectKind.NATURAL.value,
            sa.func.substr(E.subject_id, 1, 10).like(pattern, escape="\\"),
            sa.func.substr(E.subject_id, 15, 4).like(pattern, escape="\\"),
        )
        query = (
            sa.select(listing_entries)
            .where(
                E.name.in_(list(names)),
                E.public.is_(True),
                E.state.notin_([s.value for s in _NEVER_PUBLIC]),
                sa.or_(E.birth_date.is_(None), E.birth_date <= born_before),
                E.subject_id.like(pattern, escape="\\"),
                shown,
            )
            .order_by(E.published_on.desc(), E.id)
            .limit(limit)
        )
        return [entry_from_row(r._mapping) for r in await self._conn.execute(query)]

    async def reconsidering_courts(self) -> builtins.list[str]:
        """The executing courts of the entries under reconsideration (the service finds, among
        them, the courts whose next-higher court asks)."""
        query = sa.select(E.court).where(_RECONSIDERING).distinct().order_by(E.court)
        return list((await self._conn.scalars(query)).all())

    async def pending(
        self, states: Sequence[ListingState], court: str | None, below: Sequence[str] = ()
    ) -> builtins.list[ListingEntry]:
        """Entries in ``states`` (the overdue view's candidates) that are ``court``'s to act on
        (``answerable``), or every court's (``court=None``); an exit reported after the case was
        fully performed is not one: its period runs from the performance
        (``performed_public``)."""
        query = sa.select(listing_entries).where(
            E.state.in_([s.value for s in states]), ~_PERFORMED_BEFORE_EXIT
        )
        if court is not None:
            query = query.where(answerable(court, below))
        return [entry_from_row(r._mapping) for r in await self._conn.execute(query)]

    async def overdue_facts(
        self,
        states: Sequence[ListingState],
        expired_before: datetime.date,
        court: str | None,
        below: Sequence[str] = (),
    ) -> builtins.list[OverdueFact]:
        """What the accountability report counts, without building the entries: the pending
        entries (their state, the day its period started), the entries still public after their
        validity ("EXPIRED", its end) and those still public after their case was fully
        performed ("PERFORMED", that day), that are ``court``'s to act on (``answerable``) or
        every court's (``court=None``). An entry under reconsideration is the next-higher
        court's: its judge is then the one who recorded the application, if any."""
        judge = sa.case((_RECONSIDERING, _RECONSIDERATION_JUDGE), else_=E.judge).label("judge")
        entry_state = E.state.label("entry_state")
        pending = sa.select(
            E.court,
            judge,
            E.state,
            sa.case(
                (E.state == ListingState.UNDER_REVIEW.value, E.correction_applied_on),
                (
                    E.state == ListingState.UNDER_RECONSIDERATION.value,
                    E.reconsideration_applied_on,
                ),
                else_=E.exit_reported_on,
            ),
            entry_state,
        ).where(E.state.in_([s.value for s in states]), ~_PERFORMED_BEFORE_EXIT)
        expired = sa.select(
            E.court, judge, sa.literal("EXPIRED"), E.valid_until, entry_state
        ).where(E.public.is_(True), E.valid_until.is_not(None), E.valid_until < expired_before)
        performed = sa.select(
            E.court, judge, sa.literal("PERFORMED"), _CASE_PERFORMED_ON, entry_state
        ).where(*_PERFORMED_STILL_PUBLIC)
        if court is not None:
            scope = answerable(court, below)
            pending = pending.where(scope)
            expired = expired.where(scope)
            performed = performed.where(scope)
        found: builtins.list[OverdueFact] = []
        for query in (pending, expired, performed):
            found.extend(
                OverdueFact(
                    r[0], r[1], r[2], r[3], r[4] == ListingState.UNDER_RECONSIDERATION.value
                )
                for r in await self._conn.execute(query)
            )
        return found

    async def public_expired(
        self, before: datetime.date, court: str | None, below: Sequence[str] = ()
    ) -> builtins.list[ListingEntry]:
        """Entries still public whose validity period ended before ``before``, that are
        ``court``'s to act on (``answerable``) or every court's."""
        query = sa.select(listing_entries).where(
            E.public.is_(True), E.valid_until.is_not(None), E.valid_until < before
        )
        if court is not None:
            query = query.where(answerable(court, below))
        return [entry_from_row(r._mapping) for r in await self._conn.execute(query)]

    async def performed_public(
        self, court: str | None, below: Sequence[str] = ()
    ) -> builtins.list[tuple[ListingEntry, datetime.date]]:
        """Entries still public whose case the register shows fully performed, with the day it
        became so (``cases.performed_on``); an entry in EXIT_PENDING only if its exit was
        reported later than that day (otherwise its period runs from the report). Those that
        are ``court``'s to act on (``answerable``), or every court's."""
        query = sa.select(listing_entries, _CASE_PERFORMED_ON.label("case_performed_on")).where(
            *_PERFORMED_STILL_PUBLIC
        )
        if court is not None:
            query = query.where(answerable(court, below))
        return [
            (entry_from_row(r._mapping), r.case_performed_on)
            for r in await self._conn.execute(query)
        ]

    async def leads(self, filed_before: datetime.date, court: str | None) -> builtins.list[LeadRow]:
        """Debtors of open cases filed before ``filed_before`` and not fully performed, with no
        list entry in that case (the case register's side of a lead)."""
        first_judge = (
            sa.select(case_judges.c.judge_id)
            .where(case_judges.c.case_number == cases.c.case_number)
            .order_by(case_judges.c.position)
            .limit(1)
            .scalar_subquery()
        )
        listed = sa.select(E.id).where(
            E.case_number == cases.c.case_number,
            E.subject_kind == case_parties.c.subject_kind,
            E.subject_id == case_parties.c.subject_id,
        )
        # the debtor's answers in the case, read through their primary key (case, subject, agency)
        # (``subject_key`` is ``Subject.key``: the kind, a colon, the canonical id)
        answer = inquiry_answers.c
        answered = sa.and_(
            answer.case_number == cases.c.case_number,
            answer.subject_key == case_parties.c.subject_kind + ":" + case_parties.c.subject_id,
        )
        found_value = sa.select(sa.func.sum(answer.found_value)).where(answered).scalar_subquery()
        inquired_at = sa.select(sa.func.max(answer.answered_at)).where(answered).scalar_subquery()
        query = (
            sa.select(
                cases.c.case_number,
                cases.c.court,
                cases.c.filed_on,
                cases.c.obligation,
                cases.c.performed,
                case_parties.c.subject_kind,
                case_parties.c.subject_id,
                case_parties.c.name,
                first_judge.label("judge"),
                found_value.label("found_value"),
                inquired_at.label("inquired_at"),
            )
            .join(case_parties, case_parties.c.case_number == cases.c.case_number)
            .where(
                case_parties.c.role == "DEBTOR",
                cases.c.status == "OPEN",
                cases.c.performed < cases.c.obligation,
                cases.c.filed_on.is_not(None),
                cases.c.filed_on < filed_before,
                ~listed.exists(),
            )
            .order_by(cases.c.filed_on, cases.c.case_number, case_parties.c.position)
        )
        if court is not None:
            query = query.where(cases.c.court == court)
        return [
            LeadRow(
                case_number=r.case_number,
                court=r.court,
                judge=r.judge,
                subject=Subject(SubjectKind(r.subject_kind), r.subject_id, r.name),
                filed_on=r.filed_on,
                obligation=Decimal(r.obligation),
                performed=Decimal(r.performed),
                found_value=None if r.found_value is None else Decimal(r.found_value),
                inquired_at=r.inquired_at,
            )
            for r in await self._conn.execute(query)
        ]


@dataclass(frozen=True, slots=True)
class OverdueFact:
    """One candidate of the accountability report: the executing court, the judge answerable
    (for an entry under reconsideration, the higher court's judge who recorded the
    application), what it is ("EXPIRED", "PERFORMED" or the pending state), the day its period
    started, and whether the entry is under reconsideration (the higher court's to act on)."""

    court: str
    judge: str | None
    kind: str
    since: datetime.date | None
    under_reconsideration: bool


_RECONSIDERING = E.state == ListingState.UNDER_RECONSIDERATION.value
# the judge who recorded the (latest) reconsideration application: the higher court's
_RECONSIDERATION_JUDGE = (
    sa.select(listing_events.c.judge)
    .where(
        listing_events.c.entry_id == E.id,
        listing_events.c.event == ListingEvent.APPLY_RECONSIDERATION.value,
    )
    .order_by(listing_events.c.seq.desc())
    .limit(1)
    .scalar_subquery()
)


def answerable(court: str, below: Sequence[str]) -> sa.ColumnElement[bool]:
    """The entries ``court`` must act on: its own, but those under reconsideration, which are
    the next-higher court's (淮安实施方案 四(一)3; 法释〔2017〕7号 第十二条), and the entries of the
    courts ``below`` it (those whose next-higher court it is) under reconsideration."""
    own = sa.and_(E.court == court, ~_RECONSIDERING)
    if not below:
        return own
    return sa.or_(own, _reconsidering_in(below))


def _reconsidering_in(courts: Sequence[str]) -> sa.ColumnElement[bool]:
    """The entries of ``courts`` under reconsideration: what a next-higher court decides."""
    return sa.and_(E.court.in_(list(courts)), _RECONSIDERING)


_NEVER_PUBLIC = (
    ListingState.WARNED,
    ListingState.WITHDRAWN,
    ListingState.MASKED,
    ListingState.REVOKED,
    ListingState.LIFTED,
)

# the day the entry's case became fully performed (``cases.performed_on``), null while it is not
_CASE_PERFORMED_ON = (
    sa.select(cases.c.performed_on).where(cases.c.case_number == E.case_number).scalar_subquery()
)
# an exit reported after the case was fully performed: the period runs from the performance
_PERFORMED_BEFORE_EXIT = sa.and_(
    E.state == ListingState.EXIT_PENDING.value,
    sa.func.coalesce(E.exit_reported_on > _CASE_PERFORMED_ON, False),
)
_PERFORMED_STILL_PUBLIC = (
    E.public.is_(True),
    _CASE_PERFORMED_ON.is_not(None),
    sa.or_(E.state != ListingState.EXIT_PENDING.value, E.exit_reported_on > _CASE_PERFORMED_ON),
)
