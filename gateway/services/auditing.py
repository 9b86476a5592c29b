"""What the request path writes to the audit log: inquiries, refusals, changes.

One ``append`` per GraphQL batch (every subject of a ``debtors`` batch, with its leads, in one
transaction), before the answer leaves the gateway: an inquiry whose audit entry cannot be
written is not answered (``AuditUnavailableError``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from gateway.auth.principal import Principal
from gateway.domain.errors import ChakongError
from gateway.domain.subjects import Subject
from gateway.resolvers.context import InquiryKey
from gateway.services.audit import AuditLog, AuditRecord, Outcome
from gateway.services.fanout import SubjectProfile

log = logging.getLogger(__name__)


class Auditor:
    def __init__(self, log_: AuditLog) -> None:
        self.log = log_

    async def inquiries(
        self,
        principal: Principal,
        request_id: str,
        items: Sequence[tuple[InquiryKey, SubjectProfile]],
    ) -> None:
        records = [
            AuditRecord.for_principal(
                principal,
                request_id=request_id,
                action="inquiry",
                outcome=Outcome.ALLOWED,
                case_number=key.options.case_number.canonical,
                subject=key.subject,
                relation=key.relation,
                results=profile.results,
                detail=None if key.related_to is None else "lead",
            )
            for key, profile in items
        ]
        if records:
            await self.log.append(records)

    async def refused(
        self,
        principal: Principal,
        request_id: str,
        exc: ChakongError,
        *,
        action: str,
        case_number: str | None = None,
        subjects: Sequence[Subject] = (),
        detail: str | None = None,
    ) -> None:
        about: list[Subject | None] = list(subjects) or [None]
        records = [
            AuditRecord.for_principal(
                principal,
                request_id=request_id,
                action=action,
                outcome=Outcome.DENIED,
                code=exc.code,
                case_number=case_number,
                subject=subject,
                detail=detail,
            )
            for subject in about
        ]
        try:
            await self.log.append(records)
        except ChakongError:
            # the refusal stands either way; losing its entry must not turn it into a 503
            log.exception("a refusal (%s) could not be audited", exc.code)

    async def action(
        self,
        principal: Principal,
        request_id: str,
        *,
        action: str,
        case_number: str | None = None,
        detail: str | None = None,
    ) -> None:
        record = AuditRecord.for_principal(
            principal,
            request_id=request_id,
            action=action,
            outcome=Outcome.ALLOWED,
            case_number=case_number,
            detail=detail,
        )
        await self.log.append([record])
