"""Agency -> mock: its records generator, its records model, its titles. Unknown agencies fail.

Adding an agency's mock is one package ``mocks/<agency>/`` with ``records_for(subject)``
(see ``mocks/police/data.py``) and one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from connectors.bank.models import BankRecordsModel
from connectors.envelope import ContractModel, InquiryResponse, SubjectKindName, SubjectRef
from connectors.land.models import LandRecordsModel
from connectors.police.models import PoliceRecordsModel
from gateway.domain.agencies import Agency
from mocks import bank, land, police

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
