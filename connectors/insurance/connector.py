"""The insurers, through the regulator's platform: policies, wealth products, freezes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from connectors.base import Connector, Inquiry
from connectors.http import post_inquiry
from connectors.insurance.mapping import to_domain
from connectors.insurance.models import InsuranceInquiryResponse
from gateway.domain.agencies import Agency
from gateway.domain.insurance import InsuranceRecords
from gateway.domain.subjects import SubjectKind


class InsuranceConnector(Connector[InsuranceRecords]):
    agency: ClassVar[Agency] = Agency.INSURANCE
    # people hold life and vehicle policies; organisations property, vehicle and group cover
    subject_kinds: ClassVar[frozenset[SubjectKind]] = frozenset(SubjectKind)

    async def query(self, inquiry: Inquiry) -> Mapping[str, InsuranceRecords | None]:
        return await post_inquiry(
            self.client, self.endpoint, "insurance", inquiry, InsuranceInquiryResponse, to_domain
        )
