"""The business registry (市场监管局): registrations, enterprises, equity and equity freezes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from connectors.base import Connector, Inquiry
from connectors.business.mapping import to_domain
from connectors.business.models import BusinessInquiryResponse
from connectors.http import post_inquiry
from gateway.domain.agencies import Agency
from gateway.domain.business import BusinessRecords
from gateway.domain.subjects import SubjectKind


class BusinessConnector(Connector[BusinessRecords]):
    agency: ClassVar[Agency] = Agency.BUSINESS
    # people run and own enterprises; enterprises have their own registration and investments
    subject_kinds: ClassVar[frozenset[SubjectKind]] = frozenset(SubjectKind)

    async def query(self, inquiry: Inquiry) -> Mapping[str, BusinessRecords | None]:
        return await post_inquiry(
            self.client, self.endpoint, "business", inquiry, BusinessInquiryResponse, to_domain
        )
