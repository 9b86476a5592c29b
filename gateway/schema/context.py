"""The per-request context: typed, built for each request, holding that request's dataloaders.

The audit writes of the request are its ``audit`` trail (``gateway.services.auditing``): the
context only holds it; ``enforce`` and ``settle`` are the trail's, for resolvers and the HTTP
view to call through the context.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

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
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    audit: AuditTrail = field(init=False)
    loader: DataLoader[InquiryKey, SubjectProfile] = field(init=False)
    listing_status: DataLoader[Subject, list[ListingEntry]] = field(init=False)
    _cases: dict[str, asyncio.Future[Case | None]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.audit = AuditTrail(self.auditor, self.principal, self.request_id)
        # a batch's entries are written while GraphQL completes the answer's fields
        self.loader = inquiry_loader(self.inquiries, self.audit.start)
        # the list status of every profile of the request, in one query
        self.listing_status = DataLoader(load_fn=self._listing_of)

    async def _listing_of(self, subjects: Sequence[Subject]) -> list[list[ListingEntry]]:
        if self.listing is None:
            return [[] for _ in subjects]
        found: dict[str, list[ListingEntry]] = {}
        for entry in await self.listing.of_subjects(subjects):
            found.setdefault(entry.subject.key, []).append(entry)
        return [found.get(s.key, []) for s in subjects]

    async def settle(self) -> ChakongError | None:
        """Wait until this request's audit entries are written; the first failure, if any.

        An answer whose entries could not be written must not be sent: the caller turns a
        failure into the refusal it is (``AUDIT_UNAVAILABLE``, 503)."""
        return await self.audit.settle()

    async def case(self, case_number: CaseNumber) -> Case | None:
        """The registered case, looked up once per request.

        Every resolver of the request that asks for the same case awaits the same lookup, so
        they all resume in the same turn of the loop and their inquiries still reach the
        dataloader together: aliased ``debtor`` fields stay one call per agency.
        """
        key = case_number.canonical
        lookup = self._cases.get(key)
        if lookup is None:
            lookup = self._cases[key] = asyncio.ensure_future(self._get_case(case_number))
        return await asyncio.shield(lookup)

    async def _get_case(self, case_number: CaseNumber) -> Case | None:
        if self.cases is None:
            return None
        try:
            return await self.cases.get(case_number)
        except SQLAlchemyError:
            log.exception("the case register could not be read")
            raise StoreUnavailableError(
                "案件登记暂不可用，请稍后再试", "the case register is unavailable: try again later"
            ) from None

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
