"""The debtor profile: everything the agencies said about one debtor, for one case.

Its per-agency fields (``police``, ``land``, ...) come from the registry: one field per agency,
typed by the agency's records (``gateway.schema.records``) and described by its spec. The
profile's other fields read the domain objects as they are.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry import Info

from connectors.registry import AGENCIES
from gateway.domain.sources import SourceResult as DomainSourceResult
from gateway.domain.subjects import Subject as DomainSubject
from gateway.domain.summary import AssetSummary as DomainAssetSummary
from gateway.schema.common import SourceResult, Subject
from gateway.schema.context import Context
from gateway.schema.listing import ListingStatus
from gateway.schema.records import record_type
from gateway.schema.summary import PLAN, AssetSummary
from gateway.services import leads
from gateway.services.fanout import SubjectProfile
from gateway.services.inquiry import InquiryOptions


@strawberry.enum(
    description="与本案的关系：DEBTOR 被执行人；SPOUSE 被执行人的配偶（线索）；"
    "CONTROLLED_ENTERPRISE 被执行人控制的企业（线索） / Relation to the case: DEBTOR a debtor "
    "of the case; SPOUSE the debtor's spouse (a lead); CONTROLLED_ENTERPRISE an enterprise the "
    "debtor controls (a lead). Leads are related parties, not debtors"
)
class Relation(enum.Enum):
    DEBTOR = "debtor"
    SPOUSE = leads.SPOUSE
    CONTROLLED_ENTERPRISE = leads.CONTROLLED_ENTERPRISE


async def _spouse(root: DebtorProfile, info: Info[Context, None]) -> DebtorProfile | None:
    if root.relation is not Relation.DEBTOR:
        return None
    found = await leads.spouse(info.context.loader, root._profile, root._options)
    return None if found is None else root._lead(found, Relation.SPOUSE)


async def _controlled_enterprises(
    root: DebtorProfile, info: Info[Context, None]
) -> list[DebtorProfile]:
    if root.relation is not Relation.DEBTOR:
        return []
    found = await leads.controlled_enterprises(info.context.loader, root._profile, root._options)
    return [root._lead(p, Relation.CONTROLLED_ENTERPRISE) for p in found]


async def _listing(root: DebtorProfile, info: Info[Context, None]) -> list[ListingStatus]:
    entries = await info.context.listing_status.load(root.subject)
    return [ListingStatus.from_domain(e) for e in entries]


_DESCRIPTION = (
    "财产查询结果（被执行人或其关联方，见 relation）。各单位的数据在其状态为 OK 时给出，否则为 "
    "null，原因见 sources / A debtor's (or, see `relation`, a related party's) assets as the "
    "agencies report them. An agency's data is present when its status is OK and null "
    "otherwise; `sources` says why"
)


class _Profile:
    """What every ``DebtorProfile`` does; the type itself is made below, from the registry."""

    subject: DomainSubject
    _profile: SubjectProfile
    _options: InquiryOptions

    def _lead(self, profile: SubjectProfile, relation: Relation) -> DebtorProfile:
        return DebtorProfile.from_domain(profile, self._options, relation, self.subject)

    @classmethod
    def from_domain(
        cls,
        profile: SubjectProfile,
        options: InquiryOptions,
        relation: Relation = Relation.DEBTOR,
        related_to: DomainSubject | None = None,
    ) -> DebtorProfile:
        records: dict[str, Any] = dict.fromkeys(AGENCY_FIELDS)
        for result in profile.results:
            if result.records is not None:
                records[result.agency] = result.records
        return DebtorProfile(
            subject=profile.subject,
            relation=relation,
            related_to=related_to,
            case_number=profile.case_number.canonical,
            sources=profile.results,
            summary=PLAN.summarize(profile.results),
            _profile=profile,
            _options=options,
            **records,
        )


AGENCY_FIELDS = AGENCIES.names()


def _profile_type() -> Any:
    annotations: dict[str, Any] = {
        "subject": Subject,
        "relation": Relation,
        "related_to": Subject | None,
        "case_number": str,
        "sources": list[SourceResult],
        "summary": AssetSummary,
    }
    namespace: dict[str, Any] = {
        "__module__": __name__,
        "subject": strawberry.field(description="查询对象 / Whom this profile is about"),
        "relation": strawberry.field(
            description="与本案的关系；线索不是被执行人 / Relation to the case; a lead is not a "
            "debtor"
        ),
        "related_to": strawberry.field(
            description="线索所属的被执行人（被执行人本人为 null） / For a lead, the debtor it "
            "was found from; null for a debtor"
        ),
        "case_number": strawberry.field(description="规范化的案号 / The canonical case number"),
        "sources": strawberry.field(
            description="每个被询问单位的反馈状态 / How each agency asked answered"
        ),
        "summary": strawberry.field(
            description="各类财产的项数与合计 / Counts and totals per asset class"
        ),
    }
    for spec in AGENCIES:
        annotations[spec.name] = record_type(spec.records) | None
        namespace[spec.name] = strawberry.field(description=spec.profile_doc)
    annotations["spouse"] = "DebtorProfile | None"
    namespace["spouse"] = strawberry.field(
        resolver=_spouse,
        description="线索：被执行人的现任配偶（来自民政婚姻登记）的财产，用同样的单位查询；无配偶、"
        "民政未反馈或本身是线索时为 null / Lead: the assets of the debtor's current spouse (from "
        "civil affairs' marriage registration), asked of the same agencies; null when there is "
        "none, civil affairs did not answer, or this profile is itself a lead",
    )
    annotations["controlled_enterprises"] = "list[DebtorProfile]"
    namespace["controlled_enterprises"] = strawberry.field(
        resolver=_controlled_enterprises,
        description="线索：被执行人控制的企业（任法定代表人或持股50%以上，来自市场监管登记）的"
        "财产；本身是线索时为空 / Leads: the assets of enterprises the debtor controls (legal "
        "representative, or 50% of the shares or more, from the business registry); empty for a "
        "profile that is itself a lead",
    )
    annotations["listing"] = "list[ListingStatus]"
    namespace["listing"] = strawberry.field(
        resolver=_listing,
        description="失信被执行人名单状态（各法院的条目） / The subject's list status: its "
        "entries in any court",
    )
    annotations["_profile"] = strawberry.Private[SubjectProfile]
    annotations["_options"] = strawberry.Private[InquiryOptions]
    namespace["__annotations__"] = annotations
    shell = type("DebtorProfile", (_Profile,), namespace)
    return strawberry.type(shell, name="DebtorProfile", description=_DESCRIPTION)


if TYPE_CHECKING:

    class DebtorProfile(_Profile):
        """To the type checker: the profile's fixed fields (agencies' fields come at run time)."""

        def __init__(self, **fields: Any) -> None: ...

        relation: Relation
        related_to: DomainSubject | None
        case_number: str
        sources: tuple[DomainSourceResult, ...]
        summary: DomainAssetSummary

else:
    DebtorProfile = _profile_type()
