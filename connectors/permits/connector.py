"""The permit offices (work safety, health, customs inspection): permits and credit ratings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from connectors.base import Connector, Inquiry
from connectors.http import post_inquiry
from connectors.permits.mapping import to_domain
from connectors.permits.models import PermitInquiryResponse
from gateway.domain.agencies import Agency
from gateway.domain.permits import PermitRecords
from gateway.domain.subjects import SubjectKind


class PermitConnector(Connector[PermitRecords]):
    agency: ClassVar[Agency] = Agency.PERMITS
    # permits, registrations and customs ratings are held by enterprises only
    subject_kinds: ClassVar[frozenset[SubjectKind]] = frozenset({SubjectKind.LEGAL})

    async def query(self, inquiry: Inquiry) -> Mapping[str, PermitRecords | None]:
        return await post_inquiry(
            self.client, self.endpoint, "permits", inquiry, PermitInquiryResponse, to_domain
        )
