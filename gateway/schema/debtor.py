"""The debtor profile: everything the agencies said about one debtor, for one case."""

from __future__ import annotations

import strawberry

from gateway.domain.bank import BankRecords as DomainBankRecords
from gateway.domain.land import LandRecords as DomainLandRecords
from gateway.domain.police import PoliceRecords as DomainPoliceRecords
from gateway.schema.bank import BankRecords
from gateway.schema.common import SourceResult, Subject
from gateway.schema.land import LandRecords
from gateway.schema.police import PoliceRecords
from gateway.services.fanout import SubjectProfile


@strawberry.type(
    description=(
        "被执行人财产查询结果。各单位的数据在其状态为 OK 时给出，否则为 null，原因见 sources / "
        "A debtor's assets as the agencies report them. An agency's data is present when its "
        "status is OK and null otherwise; `sources` says why"
    )
)
class DebtorProfile:
    subject: Subject = strawberry.field(description="被执行人 / The debtor")
    case_number: str = strawberry.field(description="规范化的案号 / The canonical case number")
    sources: list[SourceResult] = strawberry.field(
        description="每个被询问单位的反馈状态 / How each agency asked answered"
    )
    police: PoliceRecords | None = strawberry.field(
        description="公安：户籍、出入境证件、车辆 / Police: household, travel documents, vehicles"
    )
    land: LandRecords | None = strawberry.field(
        description="不动产登记：房产、土地、抵押、查封 / Land registry: property, land, mortgages"
    )
    bank: BankRecords | None = strawberry.field(
        description="银行：账户、银行卡、存款、理财 / Banks: accounts, cards, deposits, products"
    )

    @staticmethod
    def from_domain(profile: SubjectProfile) -> DebtorProfile:
        police = land = bank = None
        for result in profile.results:
            records = result.records
            # each agency has its own record type: the type says whose records these are
            if isinstance(records, DomainPoliceRecords):
                police = PoliceRecords.from_domain(records)
            elif isinstance(records, DomainLandRecords):
                land = LandRecords.from_domain(records)
            elif isinstance(records, DomainBankRecords):
                bank = BankRecords.from_domain(records)
        return DebtorProfile(
            subject=Subject.from_domain(profile.subject),
            case_number=profile.case_number.canonical,
            sources=[SourceResult.from_domain(r) for r in profile.results],
            police=police,
            land=land,
            bank=bank,
        )
