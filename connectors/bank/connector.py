"""The banks, through the central bank branch: accounts, cards, deposits, wealth products."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from connectors.bank.mapping import to_domain
from connectors.bank.models import BankInquiryResponse
from connectors.base import Connector, Inquiry
from connectors.http import post_inquiry
from gateway.domain.agencies import Agency
from gateway.domain.bank import BankRecords
from gateway.domain.subjects import SubjectKind


class BankConnector(Connector[BankRecords]):
    agency: ClassVar[Agency] = Agency.BANK
    subject_kinds: ClassVar[frozenset[SubjectKind]] = frozenset(SubjectKind)

    async def query(self, inquiry: Inquiry) -> Mapping[str, BankRecords | None]:
        return await post_inquiry(
            self.client, self.endpoint, "bank", inquiry, BankInquiryResponse, to_domain
        )
