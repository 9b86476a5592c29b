"""The securities depository and brokers: securities accounts, holdings, cash, freezes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from connectors.base import Connector, Inquiry
from connectors.http import post_inquiry
from connectors.securities.mapping import to_domain
from connectors.securities.models import SecuritiesInquiryResponse
from gateway.domain.agencies import Agency
from gateway.domain.securities import SecuritiesRecords
from gateway.domain.subjects import SubjectKind


class SecuritiesConnector(Connector[SecuritiesRecords]):
    agency: ClassVar[Agency] = Agency.SECURITIES
    # people and organisations both open securities accounts
    subject_kinds: ClassVar[frozenset[SubjectKind]] = frozenset(SubjectKind)

    async def query(self, inquiry: Inquiry) -> Mapping[str, SecuritiesRecords | None]:
        return await post_inquiry(
            self.client,
            self.endpoint,
            "securities",
            inquiry,
            SecuritiesInquiryResponse,
            to_domain,
        )
