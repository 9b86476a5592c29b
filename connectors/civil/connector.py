"""The civil affairs bureau: marriage registrations, the spouse, minimum-living assistance."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from connectors.base import Connector, Inquiry
from connectors.civil.mapping import to_domain
from connectors.civil.models import CivilInquiryResponse
from connectors.http import post_inquiry
from gateway.domain.agencies import Agency
from gateway.domain.civil import CivilRecords
from gateway.domain.subjects import SubjectKind


class CivilConnector(Connector[CivilRecords]):
    agency: ClassVar[Agency] = Agency.CIVIL
    # marriage and social assistance are registered for natural persons only
    subject_kinds: ClassVar[frozenset[SubjectKind]] = frozenset({SubjectKind.NATURAL})

    async def query(self, inquiry: Inquiry) -> Mapping[str, CivilRecords | None]:
        return await post_inquiry(
            self.client, self.endpoint, "civil", inquiry, CivilInquiryResponse, to_domain
        )
