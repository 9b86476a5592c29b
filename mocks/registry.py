"""Agency -> mock: its records generator, its records model, its titles. Unknown agencies fail.

Adding an agency's mock is one package ``mocks/<agency>/`` with ``records_for(subject)``
(see ``mocks/police/data.py``) and one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from connectors.bank.models import BankRecordsModel
from connectors.business.models import BusinessRecordsModel
from connectors.civil.models import CivilRecordsModel
from connectors.fund.models import FundRecordsModel
from connectors.insurance.models import InsuranceRecordsModel
from connectors.land.models import LandRecordsModel
from connectors.permits.models import PermitRecordsModel
from connectors.police.models import PoliceRecordsModel
from connectors.securities.models import SecuritiesRecordsModel
from connectors.tax.models import TaxRecordsModel
from gateway.domain.agencies import Agency

from connectors.envelope import ContractModel, InquiryResponse, SubjectKindName, SubjectRef
from mocks import bank, business, civil, fund, insurance, land, permits, police, securities, tax

RecordsT = TypeVar("RecordsT", bound=ContractModel)

BOTH_KINDS: frozenset[SubjectKindName] = frozenset(("natural", "legal"))


@dataclass(frozen=True, slots=True)
class MockSpec(Generic[RecordsT]):
    """One agency's mock: what it answers and how its contract document is titled."""

    agency: Agency
    records_model: type[RecordsT]
    records_for: Callable[[SubjectRef], RecordsT | None]  # None: the agency does not know them
    title_zh: str
    title_en: str
    subject_kinds: frozenset[SubjectKindName] = BOTH_KINDS  # whom the agency keeps records on

    @property
    def response_model(self) -> type[InquiryResponse[RecordsT]]:
        """``InquiryResponse[records_model]``: the answer the agency sends."""
        return InquiryResponse[self.records_model]  # type: ignore[name-defined]


MOCK_AGENCIES: dict[Agency, MockSpec[Any]] = {
    Agency.POLICE: MockSpec(
        Agency.POLICE,
        PoliceRecordsModel,
        police.records_for,
        "公安局 户籍、出入境证件与机动车查询接口",
        "Public security bureau: household registration, travel documents and vehicles",
    ),
    Agency.LAND: MockSpec(
        Agency.LAND,
        LandRecordsModel,
        land.records_for,
        "自然资源和规划局 不动产与土地查询接口",
        "Natural resources and planning bureau: real estate, land, mortgages and seizures",
    ),
    Agency.BANK: MockSpec(
        Agency.BANK,
        BankRecordsModel,
        bank.records_for,
        "人民银行 银行业金融机构存款与账户查询接口",
        "Central bank branch: bank accounts, cards, deposits, wealth products and freezes",
    ),
    Agency.BUSINESS: MockSpec(
        Agency.BUSINESS,
        BusinessRecordsModel,
        business.records_for,
        "市场监督管理局 企业登记、任职投资、股权与股权冻结查询接口",
        "Market regulation bureau: registrations, roles and investments, equity and its freezes",
    ),
    Agency.SECURITIES: MockSpec(
        Agency.SECURITIES,
        SecuritiesRecordsModel,
        securities.records_for,
        "中国证券登记结算公司及证券公司 证券账户、持仓与资金查询接口",
        "Securities depository and brokers: securities accounts, holdings, cash and freezes",
    ),
    Agency.INSURANCE: MockSpec(
        Agency.INSURANCE,
        InsuranceRecordsModel,
        insurance.records_for,
        "保险监管信息平台 保单、现金价值与保险理财产品查询接口",
        "Insurance regulator's platform: policies, cash values, wealth products and freezes",
    ),
    Agency.CIVIL: MockSpec(
        Agency.CIVIL,
        CivilRecordsModel,
        civil.records_for,
        "民政局 婚姻登记、配偶与社会救助查询接口",
        "Civil affairs bureau: marriage registrations, the spouse and social assistance",
        subject_kinds=frozenset({"natural"}),
    ),
    Agency.PERMITS: MockSpec(
        Agency.PERMITS,
        PermitRecordsModel,
        permits.records_for,
        "应急管理、药品监管与海关 安全生产许可、药品医疗器械注册与企业信用查询接口",
        "Work safety, drug regulator and customs: safety permits, drug and device "
        "registrations, customs credit",
        subject_kinds=frozenset({"legal"}),
    ),
    Agency.FUND: MockSpec(
        Agency.FUND,
        FundRecordsModel,
        fund.records_for,
        "住房公积金管理中心 公积金账户、公积金贷款与冻结查询接口",
        "Housing provident fund centre: fund accounts, fund loans and freezes",
        subject_kinds=frozenset({"natural"}),
    ),
    Agency.TAX: MockSpec(
        Agency.TAX,
        TaxRecordsModel,
        tax.records_for,
        "税务局 税务登记、缴税、欠税与税务处罚查询接口",
        "Tax bureau: tax registration, payments, arrears and penalties",
    ),
}


class UnknownMockError(LookupError):
    pass


def mock_spec(agency: Agency | str) -> MockSpec[Any]:
    """The mock of an agency, by enum or name (``"police"``); ``UnknownMockError`` if none."""
    try:
        key = agency if isinstance(agency, Agency) else Agency(agency.lower())
        return MOCK_AGENCIES[key]
    except (ValueError, KeyError, AttributeError):
        known = ", ".join(a.value for a in MOCK_AGENCIES)
        shown = agency.value if isinstance(agency, Agency) else agency
        raise UnknownMockError(f"no mock for agency {shown!r}; known: {known}") from None
