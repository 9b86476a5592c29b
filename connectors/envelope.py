"""The agency contract's JSON envelope, shared by every connector and every mock.

``POST /v1/inquiries`` takes an ``InquiryRequest`` and answers an ``InquiryResponse`` whose
``records`` are agency-specific: each agency's ``@record`` class
(``connectors/<agency>/records.py``), which pydantic validates straight from the JSON. Errors
are RFC 9457 ``application/problem+json`` documents (``Problem``).
"""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class ContractModel(BaseModel):
    """Base of every contract model: camelCase on the wire, immutable; unknown keys are ignored,
    so an agency may add fields without breaking the gateway."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, frozen=True, extra="ignore"
    )


SubjectKindName = Literal["natural", "legal"]


class SubjectRef(ContractModel):
    kind: SubjectKindName
    id: str = Field(min_length=1, max_length=32)
    name: str | None = Field(default=None, max_length=200)


class InquiryRequest(ContractModel):
    request_id: str = Field(min_length=1, max_length=64)
    case_number: str = Field(min_length=1, max_length=64)
    court: str = Field(min_length=1, max_length=64)
    subjects: list[SubjectRef] = Field(min_length=1, max_length=1000)


RecordsT = TypeVar("RecordsT")


class SubjectResult(ContractModel, Generic[RecordsT]):
    kind: SubjectKindName
    id: str
    status: Literal["found", "not_found"]
    records: RecordsT | None = None


class InquiryResponse(ContractModel, Generic[RecordsT]):
    request_id: str
    agency: str
    results: list[SubjectResult[RecordsT]]


class Problem(ContractModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
