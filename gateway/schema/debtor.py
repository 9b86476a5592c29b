"""The debtor profile: everything the agencies said about one debtor, for one case."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

import strawberry
from strawberry import Info

from gateway.domain import (
    bank,
    business,
    civil,
    fund,
    insurance,
    land,
    permits,
    police,
    securities,
    tax,
)
from gateway.domain.summary import summarize
from gateway.resolvers import leads
from gateway.resolvers.context import Context
from gateway.schema.bank import BankRecords
from gateway.schema.business import BusinessRecords
from gateway.schema.civil import CivilRecords
from gateway.schema.common import SourceResult, Subject
from gateway.schema.fund import FundRecords
from gateway.schema.insurance import InsuranceRecords
from gateway.schema.land import LandRecords
from gateway.schema.permits import PermitRecords
from gateway.schema.police import PoliceRecords
from gateway.schema.securities import SecuritiesRecords
from gateway.schema.summary import AssetSummary
from gateway.schema.tax import TaxRecords
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


# each agency's domain records -> (the profile's field, the schema type's converter)
_FIELDS: dict[type, tuple[str, Callable[[Any], Any]]] = {
    police.PoliceRecords: ("police", PoliceRecords.from_domain),
    land.LandRecords: ("land", LandRecords.from_domain),
    fund.FundRecords: ("fund", FundRecords.from_domain),
    business.BusinessRecords: ("business", BusinessRecords.from_domain),
    tax.TaxRecords: ("tax", TaxRecords.from_domain),
    civil.CivilRecords: ("civil", CivilRecords.from_domain),
    bank.BankRecords: ("bank", BankRecords.from_domain),
    securities.SecuritiesRecords: ("securities", SecuritiesRecords.from_domain),
    insurance.InsuranceRecords: ("insurance", InsuranceRecords.from_domain),
    permits.PermitRecords: ("permits", PermitRecords.from_domain),
}


async def _spouse(root: DebtorProfile, info: Info[Context, None]) -> DebtorProfile | None:
    if root.relation is not Relation.DEBTOR:
        return None
    found = await leads.spouse(info.context, root._profile, root._options)
    return None if found is None else root._lead(found, Relation.SPOUSE)


async def _controlled_enterprises(
    root: DebtorProfile, info: Info[Context, None]
) -> list[DebtorProfile]:
    if root.relation is not Relation.DEBTOR:
        return []
    found = await leads.controlled_enterprises(info.context, root._profile, root._options)
    return [root._lead(p, Relation.CONTROLLED_ENTERPRISE) for p in found]


@strawberry.type(
    description=(
        "财产查询结果（被执行人或其关联方，见 relation）。各单位的数据在其状态为 OK 时给出，否则为 "
        "null，原因见 sources / A debtor's (or, see `relation`, a related party's) assets as the "
        "agencies report them. An agency's data is present when its status is OK and null "
        "otherwise; `sources` says why"
    )
)
class DebtorProfile:
    subject: Subject = strawberry.field(description="查询对象 / Whom this profile is about")
    relation: Relation = strawberry.field(
        description="与本案的关系；线索不是被执行人 / Relation to the case; a lead is not a debtor"
    )
    related_to: Subject | None = strawberry.field(
        description="线索所属的被执行人（被执行人本人为 null） / For a lead, the debtor it was "
        "found from; null for a debtor"
    )
    case_number: str = strawberry.field(description="规范化的案号 / The canonical case number")
    sources: list[SourceResult] = strawberry.field(
        description="每个被询问单位的反馈状态 / How each agency asked answered"
    )
    summary: AssetSummary = strawberry.field(
        description="各类财产的项数与合计 / Counts and totals per asset class"
    )
    police: PoliceRecords | None = strawberry.field(
        description="公安：户籍、出入境证件、车辆 / Police: household, travel documents, vehicles"
    )
    land: LandRecords | None = strawberry.field(
        description="不动产登记：房产、土地、抵押、查封 / Land registry: property, land, mortgages"
    )
    fund: FundRecords | None = strawberry.field(
        description="住房公积金：账户、贷款、冻结 / Provident fund: accounts, loans, freezes"
    )
    business: BusinessRecords | None = strawberry.field(
        description="市场监管：登记、任职投资、股权及冻结 / Business registry: registration, "
        "roles, "
        "equity and its freezes"
    )
    tax: TaxRecords | None = strawberry.field(
        description="税务：登记、缴税、欠税、处罚 / Tax: registration, payments, arrears, penalties"
    )
    civil: CivilRecords | None = strawberry.field(
        description="民政：婚姻登记、配偶、社会救助 / Civil affairs: marriages, spouse, assistance"
    )
    bank: BankRecords | None = strawberry.field(
        description="银行：账户、银行卡、存款、理财 / Banks: accounts, cards, deposits, products"
    )
    securities: SecuritiesRecords | None = strawberry.field(
        description="证券：账户、持仓、资金、冻结 / Securities: accounts, holdings, cash, freezes"
    )
    insurance: InsuranceRecords | None = strawberry.field(
        description="保险：保单、保险理财、冻结 / Insurance: policies, wealth products, freezes"
    )
    permits: PermitRecords | None = strawberry.field(
        description="安监、卫生、检验检疫：许可与信用 / Permit offices: permits, registrations, "
        "inspection credit"
    )
    spouse: DebtorProfile | None = strawberry.field(
        resolver=_spouse,
        description="线索：被执行人的现任配偶（来自民政婚姻登记）的财产，用同样的单位查询；无配偶、"
        "民政未反馈或本身是线索时为 null / Lead: the assets of the debtor's current spouse (from "
        "civil affairs' marriage registration), asked of the same agencies; null when there is "
        "none, civil affairs did not answer, or this profile is itself a lead",
    )
    controlled_enterprises: list[DebtorProfile] = strawberry.field(
        resolver=_controlled_enterprises,
        description="线索：被执行人控制的企业（任法定代表人或持股50%以上，来自市场监管登记）的"
        "财产；本身是线索时为空 / Leads: the assets of enterprises the debtor controls (legal "
        "representative, or 50% of the shares or more, from the business registry); empty for a "
        "profile that is itself a lead",
    )
    _profile: strawberry.Private[SubjectProfile]
    _options: strawberry.Private[InquiryOptions]

    def _lead(self, profile: SubjectProfile, relation: Relation) -> DebtorProfile:
        return DebtorProfile.from_domain(profile, self._options, relation, self.subject)

    @staticmethod
    def from_domain(
        profile: SubjectProfile,
        options: InquiryOptions,
        relation: Relation = Relation.DEBTOR,
        related_to: Subject | None = None,
    ) -> DebtorProfile:
        records: dict[str, Any] = dict.fromkeys((name for name, _ in _FIELDS.values()), None)
        for result in profile.results:
            # each agency has its own record type: the type says whose records these are
            entry = _FIELDS.get(type(result.records))
            if entry is not None:
                name, convert = entry
                records[name] = convert(result.records)
        return DebtorProfile(
            subject=Subject.from_domain(profile.subject),
            relation=relation,
            related_to=related_to,
            case_number=profile.case_number.canonical,
            sources=[SourceResult.from_domain(r) for r in profile.results],
            summary=AssetSummary.from_domain(summarize(profile.results)),
            _profile=profile,
            _options=options,
            **records,
        )
