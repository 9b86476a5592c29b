"""Following the leads without GraphQL (``gateway.services.leads``): a fake loader answers."""

from __future__ import annotations

from collections.abc import Iterable

from connectors.business.records import BusinessRecords, EnterpriseRole
from connectors.civil.records import CivilRecords, Spouse
from gateway.domain.cases import parse_case_number
from gateway.domain.sources import SourceResult, SourceStatus
from gateway.domain.subjects import Subject, SubjectKind
from gateway.services import leads
from gateway.services.fanout import SubjectProfile
from gateway.services.inquiry import InquiryKey, InquiryOptions

CASE = parse_case_number("(2026)苏0812执123号")
DEBTOR = Subject(SubjectKind.NATURAL, "320802197805121014")
SPOUSE_ID = "320802197805121129"
COMPANY = "91320812MA00020007"


def profile(subject: Subject, *results: SourceResult) -> SubjectProfile:
    return SubjectProfile(subject=subject, case_number=CASE, results=tuple(results))


class Loader:
    """Records what is asked; answers each lead with an empty profile."""

    def __init__(self, debtor: SubjectProfile) -> None:
        self.debtor = debtor
        self.asked: list[InquiryKey] = []

    async def load(self, key: InquiryKey) -> SubjectProfile:
        self.asked.append(key)
        return self.debtor if key.subject == self.debtor.subject else profile(key.subject)

    async def load_many(self, keys: Iterable[InquiryKey]) -> list[SubjectProfile]:
        return [await self.load(k) for k in keys]


def civil(spouse_id: str | None, name: str = "王芳") -> SourceResult:
    spouse = None if spouse_id is None else Spouse(name=name, id_number=spouse_id)
    return SourceResult("civil", SourceStatus.OK, records=CivilRecords(current_spouse=spouse))


def business(*roles: EnterpriseRole) -> SourceResult:
    return SourceResult("business", SourceStatus.OK, records=BusinessRecords(enterprises=roles))


def role(uscc: str, *titles: str) -> EnterpriseRole:
    return EnterpriseRole(
        uscc=uscc, name="淮安某公司", roles=titles, share_ratio=None, enterprise_status="存续"
    )


async def test_the_spouse_is_asked_of_the_same_agencies_as_a_lead():
    options = InquiryOptions(CASE, ("civil", "bank"), 5000, fresh=False)
    debtor = profile(DEBTOR, civil(SPOUSE_ID))
    loader = Loader(debtor)
    found = await leads.spouse(loader, debtor, options)
    assert found is not None
    assert found.subject.id == SPOUSE_ID
    (key,) = loader.asked
    assert (key.relation, key.related_to, key.options) == (leads.SPOUSE, DEBTOR.key, options)


async def test_no_spouse_and_a_bad_spouse_id_are_no_lead():
    options = InquiryOptions(CASE, ("civil",), 5000, fresh=False)
    for spouse_id in (None, "not-an-id"):
        debtor = profile(DEBTOR, civil(spouse_id))
        loader = Loader(debtor)
        assert await leads.spouse(loader, debtor, options) is None
        assert loader.asked == []


async def test_a_spouse_named_beyond_the_contract_is_asked_about_by_number_alone():
    options = InquiryOptions(CASE, ("civil",), 5000, fresh=False)
    for name, asked_as in (("王" * 201, None), ("王" * 200, "王" * 200)):
        debtor = profile(DEBTOR, civil(SPOUSE_ID, name))
        loader = Loader(debtor)
        found = await leads.spouse(loader, debtor, options)
        assert found is not None
        (key,) = loader.asked
        assert (key.subject.id, key.subject.name) == (SPOUSE_ID, asked_as)


async def test_controlled_enterprises_are_leads_and_the_business_registry_is_asked_first():
    options = InquiryOptions(CASE, ("bank",), 5000, fresh=False)  # business left out
    debtor = profile(DEBTOR, business(role(COMPANY, "法定代表人"), role("x", "监事")))
    loader = Loader(debtor)
    found = await leads.controlled_enterprises(loader, debtor, options)
    first, lead = loader.asked
    assert first.options.agencies == ("business",)  # the debtor, asked of the registry first
    assert [p.subject.id for p in found] == [COMPANY] == [lead.subject.id]
    assert lead.relation == leads.CONTROLLED_ENTERPRISE
