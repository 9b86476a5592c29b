"""The per-request context: typed, built for each request, holding that request's dataloaders.

The audit writes of the request are its ``audit`` trail (``gateway.services.auditing``): the
context only holds it; ``enforce`` and ``settle`` are the trail's, for resolvers and the HTTP
view to call through the context.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError
from strawberry.dataloader import DataLoader

from gateway.auth.principal import Principal
from gateway.domain.cases import CaseNumber
from gateway.domain.errors import ChakongError, StoreUnavailableError
from gateway.domain.subjects import Subject
from gateway.services.auditing import Auditor, AuditTrail, Inquiries
from gateway.services.fanout import SubjectProfile
from gateway.services.inquiry import InquiryKey, InquiryService

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from gateway.domain.listing import ListingEntry
    from gateway.domain.register import Case
    from gateway.services.audit import AuditLog
    from gateway.services.cases import CaseRegister
    from gateway.services.controls import ControlService
    from gateway.services.freezes import FreezeDesk
    from gateway.services.listing import ListingService


def inquiry_loader(
    service: InquiryService, audited: Callable[[Inquiries], None]
) -> DataLoader[InquiryKey, SubjectProfile]:
    """Coalesce every inquiry of one request with the same options into one fan-out.

    ``debtors(subjects: [...])``, several aliased ``debtor`` fields and the leads they follow
    alike end up as one batched call per agency; each batch is handed to ``audited``.
    """

    async def load(keys: Sequence[InquiryKey]) -> list[SubjectProfile]:
        by_key: dict[InquiryKey, SubjectProfile] = {}
        ordered = sorted(keys, key=lambda k: hash(k.options))
        for options, group in itertools.groupby(ordered, key=lambda k: k.options):
            members = list(dict.fromkeys(group))
            profiles = await service.inquire([k.subject for k in members], options)
            by_key.update(zip(members, profiles, strict=True))
        audited(list(by_key.items()))
        return [by_key[k] for k in keys]

    return DataLoader(load_fn=load, max_batch_size=service.limits.max_batch_subjects * 4)


async def _released(keys: Sequence[Any]) -> list[Any]:
    """A released context's loaders' function: a request loads nothing after its answer."""
    raise RuntimeError("this request's context has been released")


@dataclass(slots=True)
class Context:
    inquiries: InquiryService
    principal: Principal
    cases: CaseRegister | None = None
    auditor: Auditor | None = None
    audit_log: AuditLog | None = None
    listing: ListingService | None = None
    controls: ControlService | None = None
    freezes: FreezeDesk | None = None
    # 128 random bits in 32 hex digits, as uuid4().hex writes 122 of them, at a sixth of its CPU
    request_id: str = field(default_factory=lambda: os.urandom(16).hex())
    audit: AuditTrail = field(init=False)
    loader: DataLoader[InquiryKey, SubjectProfile] = field(init=False)
    listing_status: DataLoader[Subject, list[ListingEntry]] = field(init=False)
    _cases: dict[str, asyncio.Future[Case | None]] = field(init=False, default_factory=dict)
    _case_parties: DataLoader[tuple[CaseNumber, Subject], Case | None] = field(init=False)

    def __post_init__(self) -> None:
        self.audit = AuditTrail(self.auditor, self.principal, self.request_id)
        # a batch's entries are written while GraphQL completes the answer's fields
        self.loader = inquiry_loader(self.inquiries, self.audit.start)
        # the list status of every profile of the request, in one query
        self.listing_status = DataLoader(load_fn=self._listing_of)
        # the cases of the request's inquiries with the parties asked about, in one lookup
        self._case_parties = DataLoader(load_fn=self._cases_for)

    async def _listing_of(self, subjects: Sequence[Subject]) -> list[list[ListingEntry]]:
        if self.listing is None:
            return [[] for _ in subjects]
        found: dict[str, list[ListingEntry]] = {}
        for entry in await self.listing.of_subjects(subjects):
            found.setdefault(entry.subject.key, []).append(entry)
        return [found.get(s.key, []) for s in subjects]

    def release(self) -> None:
        """Let go of what the request loaded, once its answer is built.

        The context and its dataloaders refer to each other (a loader's function is a method
        of the context), so they are freed only by a full garbage collection, which the
        gateway's tuned collector runs rarely (``gateway.runtime``). Until then the loaders'
        caches kept every profile of the request alive (and its audit trail every entry): a
        1,000-debtor batch left tens of MB behind, and the process grew with every batch.
        Emptied here, they go with the answer; and with the loaders' functions replaced, no
        cycle is left either: the context is freed by its last reference going, not by a
        collection (``tests/gateway/schema/test_execution.py``)."""
        for loader in (self.loader, self.listing_status, self._case_parties):
            loader.clear_all()
            loader.batch = None
            loader.load_fn = _released
        self._cases.clear()
        self.audit.written.clear()

    async def settle(self) -> ChakongError | None:
        """Wait until this request's audit entries are written; the first failure, if any.

        An answer whose entries could not be written must not be sent: the caller turns a
        failure into the refusal it is (``AUDIT_UNAVAILABLE``, 503)."""
        return await self.audit.settle()

    async def case(self, case_number: CaseNumber) -> Case | None:
        """The whole registered case, looked up once per request.

        Every resolver of the request that asks for the same case awaits the same lookup, so
        they all resume in the same turn of the loop and their inquiries still reach the
        dataloader together: aliased ``debtor`` fields stay one call per agency.
        """
        key = case_number.canonical
        lookup = self._cases.get(key)
        if lookup is None:
            lookup = self._cases[key] = asyncio.ensure_future(self._get_case(case_number))
        return await asyncio.shield(lookup)

    async def case_for_subjects(
        self, case_number: CaseNumber, subjects: Sequence[Subject]
    ) -> Case | None:
        """The registered case as an inquiry about ``subjects`` needs it: its judges and, of its
        parties, only those among ``subjects`` (``CaseRegister.get_for_subjects``), so the
        lookup costs the same in a case of one party or of thousands. Not the whole case.

        The subjects of every inquiry of the request into the same case are looked up together,
        in one query, and their resolvers resume together, as with ``case``: aliased ``debtor``
        fields stay one call per agency. A case the request has read whole (``case``) answers
        without a query of its own.
        """
        whole = self._cases.get(case_number.canonical)
        if whole is not None:
            return await asyncio.shield(whole)
        if not subjects:
            return await self.case(case_number)
        # the key is the subject's kind and canonical id (its name is not part of the party)
        keys = [(case_number, dataclasses.replace(s, name=None)) for s in subjects]
        return _one_case(await asyncio.shield(self._case_parties.load_many(keys)))

    async def _get_case(self, case_number: CaseNumber) -> Case | None:
        if self.cases is None:
            return None
        return await _read(self.cases.get(case_number))

    async def _cases_for(self, keys: Sequence[tuple[CaseNumber, Subject]]) -> list[Case | None]:
        if self.cases is None:
            return [None for _ in keys]
        asked: dict[CaseNumber, list[Subject]] = {}
        for number, subject in keys:
            asked.setdefault(number, []).append(subject)
        found: dict[CaseNumber, Case | None] = {}
        for number, subjects in asked.items():
            found[number] = await _read(self.cases.get_for_subjects(number, subjects))
        return [found[number] for number, _ in keys]

    async def enforce(
        self,
        check: Callable[[], None],
        *,
        action: str,
        case_number: str | None = None,
        subjects: Sequence[Subject] = (),
        detail: str | None = None,
    ) -> None:
        """Run a check of ``gateway.auth.policy``; a refusal is audited, then raised."""
        await self.audit.enforce(
            check, action=action, case_number=case_number, subjects=subjects, detail=detail
        )


async def _read(lookup: Awaitable[Case | None]) -> Case | None:
    """A lookup in the case register; a database error is the register being unavailable."""
    try:
        return await lookup
    except SQLAlchemyError:
        log.exception("the case register could not be read")
        raise StoreUnavailableError(
            "案件登记暂不可用，请稍后再试", "the case register is unavailable: try again later"
        ) from None


def _one_case(found: Sequence[Case | None]) -> Case | None:
    """The lookups of one case's subjects as one case: the parties of each lookup together (the
    subjects of one request may have been looked up in more than one batch)."""
    cases: list[Case] = []
    for case in found:
        if case is None:
            return None
        if not any(case is seen for seen in cases):
            cases.append(case)
    if len(cases) == 1:
        return cases[0]
    parties = {party.key: party for case in cases for party in case.parties}
    return dataclasses.replace(cases[0], parties=tuple(parties.values()))
