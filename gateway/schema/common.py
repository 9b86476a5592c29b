"""Enums and types shared by every area of the schema."""

from __future__ import annotations

import datetime
import enum
from typing import TYPE_CHECKING

import strawberry

from connectors.registry import AGENCIES
from gateway.domain.sources import STATUS_LABELS
from gateway.domain.sources import SourceStatus as SourceStatusEnum
from gateway.domain.subjects import Subject as DomainSubject
from gateway.domain.subjects import SubjectKind as SubjectKindEnum

if TYPE_CHECKING:
    # the enum is made from the registry; to the type checker its members are plain enum members
    AgencyEnum = enum.Enum
else:
    # one member per registered agency: POLICE = "police", ...; resolvers return the name
    AgencyEnum = strawberry.enum(
        enum.Enum("Agency", [(spec.key, spec.name) for spec in AGENCIES]),
        name="Agency",
        description=(
            "查控协作单位："
            + "、".join(spec.label_zh for spec in AGENCIES)
            + " / The agency asked: "
            + ", ".join(spec.label_en for spec in AGENCIES)
        ),
    )


def agency_names(agencies: list[AgencyEnum] | None) -> list[str] | None:
    """The agency names an ``[Agency!]`` argument holds (``None`` when left out)."""
    return None if agencies is None else [a.value for a in agencies]


SourceStatus = strawberry.enum(
    SourceStatusEnum,
    name="SourceStatus",
    description=(
        "该单位本次的反馈状态。"
        + "；".join(f"{status.name} {zh}" for status, (zh, _) in STATUS_LABELS.items())
        + " / How this agency answered: OK records found; NOT_FOUND the "
        "agency does not know the subject; TIMEOUT no answer in time; UNAVAILABLE down or "
        "overloaded, try later; CIRCUIT_OPEN not called after repeated failures; REJECTED refused "
        "the request; ERROR a bad answer; NOT_APPLICABLE holds nothing for this kind of subject; "
        "NOT_CONFIGURED not connected in this deployment"
    ),
)

SubjectKind = strawberry.enum(
    SubjectKindEnum,
    name="SubjectKind",
    description=(
        "被执行人类型：NATURAL 自然人（身份证号码），LEGAL 法人或其他组织（统一社会信用代码） / "
        "NATURAL a natural person (resident ID number), LEGAL a legal person or organisation "
        "(unified social credit code)"
    ),
)


@strawberry.input(description="被执行人 / A judgment debtor")
class SubjectInput:
    kind: SubjectKindEnum = strawberry.field(description="主体类型 / Kind of subject")
    id: str = strawberry.field(
        description=(
            "身份证号码（18位或旧式15位）或统一社会信用代码（18位）；全角数字等同半角 / "
            "Resident ID number (18 digits, or the old 15) or unified social credit code "
            "(18 characters); full-width digits are read as ASCII (NFKC)"
        )
    )
    name: str | None = strawberry.field(
        default=None, description="姓名或名称，至多200字 / Name, at most 200 characters"
    )


@strawberry.type(description="被执行人 / A judgment debtor")
class Subject:  # resolves attributes of ``gateway.domain.subjects.Subject`` too
    kind: SubjectKindEnum = strawberry.field(description="主体类型 / Kind of subject")
    id: str = strawberry.field(description="规范化的证件号码 / The canonical (18-character) number")
    name: str | None = strawberry.field(description="姓名或名称（如查询时提供） / Name, if given")

    @staticmethod
    def from_domain(subject: DomainSubject) -> Subject:
        return Subject(kind=subject.kind, id=subject.id, name=subject.name)


@strawberry.type(description="单个协作单位的反馈情况 / How one agency answered")
class SourceResult:  # resolves attributes of ``gateway.domain.sources.SourceResult``
    agency: AgencyEnum = strawberry.field(description="协作单位 / The agency")
    status: SourceStatusEnum = strawberry.field(description="反馈状态 / How it answered")
    latency_ms: float | None = strawberry.field(description="耗时（毫秒） / Time taken, in ms")
    cached: bool = strawberry.field(description="是否来自缓存 / Served from the cache")
    fetched_at: datetime.datetime | None = strawberry.field(
        description="该单位反馈数据的时间 / When the agency gave this answer"
    )
    message: str | None = strawberry.field(
        description="状态说明（中英文） / What happened, in Chinese and English"
    )
    record_count: int = strawberry.field(description="记录条数 / Number of records")
    attempts: int = strawberry.field(description="本次调用次数 / Calls made for this answer")
