"""The land and real-estate registry: property, land use rights, mortgages, seizures."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from connectors.base import Connector, Inquiry
from connectors.http import post_inquiry
from connectors.land.mapping import to_domain
from connectors.land.models import LandInquiryResponse
from gateway.domain.agencies import Agency
from gateway.domain.land import LandRecords
from gateway.domain.subjects import SubjectKind


class LandConnector(Connector[LandRecords]):
    agency: ClassVar[Agency] = Agency.LAND
    subject_kinds: ClassVar[frozenset[SubjectKind]] = frozenset(SubjectKind)

    async def query(self, inquiry: Inquiry) -> Mapping[str, LandRecords | None]:
        return await post_inquiry(
            self.client, self.endpoint, "land", inquiry, LandInquiryResponse, to_domain
        )
