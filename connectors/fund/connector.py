"""The housing provident fund centre: fund accounts, fund loans and existing freezes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from connectors.base import Connector, Inquiry
from connectors.fund.mapping import to_domain
from connectors.fund.models import FundInquiryResponse
from connectors.http import post_inquiry
from gateway.domain.agencies import Agency
from gateway.domain.fund import FundRecords
from gateway.domain.subjects import SubjectKind


class FundConnector(Connector[FundRecords]):
    agency: ClassVar[Agency] = Agency.FUND
    # only natural persons hold provident fund accounts (employers pay in, but own none)
    subject_kinds: ClassVar[frozenset[SubjectKind]] = frozenset({SubjectKind.NATURAL})

    async def query(self, inquiry: Inquiry) -> Mapping[str, FundRecords | None]:
        return await post_inquiry(
            self.client, self.endpoint, "fund", inquiry, FundInquiryResponse, to_domain
        )
