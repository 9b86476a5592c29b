"""The public security bureau: household registration, exit-entry documents, vehicles."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from connectors.base import Connector, Inquiry
from connectors.http import post_inquiry
from connectors.police.mapping import to_domain
from connectors.police.models import PoliceInquiryResponse
from gateway.domain.agencies import Agency
from gateway.domain.police import PoliceRecords
from gateway.domain.subjects import SubjectKind


class PoliceConnector(Connector[PoliceRecords]):
    agency: ClassVar[Agency] = Agency.POLICE
    # organisations own vehicles too; household and documents come only for natural persons
    subject_kinds: ClassVar[frozenset[SubjectKind]] = frozenset(SubjectKind)

    async def query(self, inquiry: Inquiry) -> Mapping[str, PoliceRecords | None]:
        return await post_inquiry(
            self.client, self.endpoint, "police", inquiry, PoliceInquiryResponse, to_domain
        )
