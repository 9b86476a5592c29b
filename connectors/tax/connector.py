"""The tax bureau: registration, recent payments, arrears and administrative penalties."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from connectors.base import Connector, Inquiry
from connectors.http import post_inquiry
from connectors.tax.mapping import to_domain
from connectors.tax.models import TaxInquiryResponse
from gateway.domain.agencies import Agency
from gateway.domain.subjects import SubjectKind
from gateway.domain.tax import TaxRecords


class TaxConnector(Connector[TaxRecords]):
    agency: ClassVar[Agency] = Agency.TAX
    subject_kinds: ClassVar[frozenset[SubjectKind]] = frozenset(SubjectKind)

    async def query(self, inquiry: Inquiry) -> Mapping[str, TaxRecords | None]:
        return await post_inquiry(
            self.client, self.endpoint, "tax", inquiry, TaxInquiryResponse, to_domain
        )
