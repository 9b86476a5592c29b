"""Fakes for the controls' tests: an agency's control side with a ledger and scripted faults,
and the records an inquiry returns (real record classes, so the specs' ``assets`` read them)."""

from __future__ import annotations

import asyncio
import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.bank.records import BankRecords, Deposit
from connectors.errors import SourceUnavailableError
from connectors.land.records import LandRecords, RealEstate
from gateway.auth.principal import APPROVE_DEDUCTIONS, Principal, Role
from gateway.domain.cases import CaseNumber, parse_case_number
from gateway.domain.controls import ControlAction, ControlOutcome, ControlRequest, ControlStatus
from gateway.domain.register import Case, Party, PartyRole, new_case
from gateway.domain.sources import SourceResult, SourceStatus
from gateway.domain.subjects import SubjectKind, parse_subject
from gateway.services.audit import AuditLog
from gateway.services.auditing import Auditor
from gateway.services.cases import CaseRegister
from gateway.services.controls import ControlCommand, ControlPolicy, ControlService
from gateway.services.fanout import SubjectProfile
from gateway.services.inquiry import InquiryKey, InquiryOptions
from gateway.store.unit import Store

CASE = "(2026)苏0812执100号"
NUMBER = parse_case_number(CASE)
DEBTOR = parse_subject(SubjectKind.NATURAL, "320802198001010014", "张三")
CREDITOR = parse_subject(SubjectKind.NATURAL, "110101199003074477", "李四")
SPOUSE = parse_subject(SubjectKind.NATURAL, "320802198202020024", "王五")
JUDGE = Principal(Role.JUDGE, subject="judge-zhou", court="苏0812", judge="judge-zhou")
APPROVER = Principal(
    Role.JUDGE,
    subject="judge-wu",
    court="苏0812",
    judge="judge-wu",
    permissions=frozenset({APPROVE_DEDUCTIONS}),
)
SYSTEM = Principal(Role.COURT_SYSTEM, subject="sys", court="苏0812")
ACCOUNT = "6222020000000001"
SPOUSE_ACCOUNT = "6222020000000002"
CREDITOR_ACCOUNT = "6222020000000003"
HOUSE = "320802001001GB00001F00010001"


def make_case(obligation: str = "100000.00", performed: str = "0") -> Case:
    return new_case(
        NUMBER,
        court="苏0812",
        judges=["judge-zhou"],
        parties=[Party(PartyRole.DEBTOR, DEBTOR), Party(PartyRole.CREDITOR, CREDITOR)],
        obligation=obligation,
        performed=performed,
    )


def bank_records(account: str, amount: str) -> BankRecords:
    deposit = Deposit(
        bank="工商银行",
        account_number=account,
        deposit_type="活期",
        currency="CNY",
        amount=Decimal(amount),
    )
    return BankRecords(deposits=(deposit,))


def land_records() -> LandRecords:
    house = RealEstate(
        unit_number=HOUSE,
        certificate_number="苏(2020)淮安市不动产权第0000001号",
        location="淮安市某路1号",
        usage="住宅",
        floor_area_m2=Decimal("120.5"),
        ownership="单独所有",
        registered_on=datetime.date(2020, 1, 1),
        status="正常",
    )
    return LandRecords(real_estate=(house,))


def profile(
    subject=DEBTOR, *results: SourceResult, number: CaseNumber = NUMBER, relation: str = "debtor"
) -> tuple[InquiryKey, SubjectProfile]:
    options = InquiryOptions(number, ("bank", "land"), 5000, False)
    related = None if relation == "debtor" else DEBTOR.key
    key = InquiryKey(subject, options, relation, related)
    return key, SubjectProfile(subject, number, tuple(results))


def ok(agency: str, records: object) -> SourceResult:
    return SourceResult(agency, SourceStatus.OK, records=records)  # type: ignore[arg-type]


@dataclass
class FakeAgency:
    """An agency's control side: idempotent on requestId, with one scripted fault per POST.

    Faults (``script``, consumed in order, then ``ok``): ``ok``; ``reject``; ``lost`` (applied,
    the answer lost: UNKNOWN); ``before`` (not applied, UNKNOWN: a timeout before it arrived);
    ``hang`` (never answers). ``status_lag`` lookups answer "never seen" before the truth;
    ``status_unknown`` lookups answer that the agency cannot tell yet.
    """

    name: str = "bank"
    script: list[str] = field(default_factory=list)
    status_lag: int = 0
    status_fails: int = 0
    status_unknown: int = 0
    answers: dict[str, ControlOutcome] = field(default_factory=dict)
    bodies: dict[str, ControlRequest] = field(default_factory=dict)
    applications: Counter[str] = field(default_factory=Counter)
    posts: Counter[str] = field(default_factory=Counter)
    lookups: Counter[str] = field(default_factory=Counter)
    posted: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def agency(self) -> str:
        return self.name

    async def control(self, request: ControlRequest) -> ControlOutcome:
        self.posts[request.request_id] += 1
        self.posted.set()
        if request.request_id in self.answers:
            assert self.bodies[request.request_id] == request, "a resend changed the body"
            return self.answers[request.request_id]
        fault = self.script.pop(0) if self.script else "ok"
        if fault == "hang":
            await asyncio.Event().wait()
        if fault == "before":
            return ControlOutcome(ControlStatus.UNKNOWN, message_en="timed out")
        status = ControlStatus.REJECTED if fault == "reject" else ControlStatus.APPLIED
        answer = ControlOutcome(status, reference=f"ref-{request.request_id[-6:]}")
        self.answers[request.request_id] = answer
        self.bodies[request.request_id] = request
        if status is ControlStatus.APPLIED:
            self.applications[request.request_id] += 1
        if fault == "lost":
            return ControlOutcome(ControlStatus.UNKNOWN, message_en="connection dropped")
        return answer

    async def control_status(self, request_id: str) -> ControlOutcome | None:
        self.lookups[request_id] += 1
        if self.status_fails:
            self.status_fails -= 1
            raise SourceUnavailableError("暂不可用", "unavailable")
        if self.status_lag:
            self.status_lag -= 1
            return None
        if self.status_unknown:
            self.status_unknown -= 1
            return ControlOutcome(ControlStatus.UNKNOWN, message_en="still processing")
        return self.answers.get(request_id)


AUDIT_KEY = b"k" * 32
TODAY = datetime.date(2026, 6, 1)


class Clock:
    def __init__(self) -> None:
        self.now = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += datetime.timedelta(**delta)


class World:
    """A migrated database with one case, the inquiry that returned its assets, and agencies."""

    def __init__(self, engine: AsyncEngine, policy: ControlPolicy) -> None:
        self.clock = Clock()
        self.store = Store(engine)
        self.log = AuditLog(self.store, AUDIT_KEY, clock=self.clock)
        self.auditor = Auditor(self.log, self.store)
        self.cases = CaseRegister(self.store, self.auditor, clock=self.clock)
        self.bank = FakeAgency("bank")
        self.land = FakeAgency("land")
        connectors = {"bank": self.bank, "land": self.land}
        self.service = ControlService(
            self.store, self.auditor, connectors, policy, clock=self.clock
        )

    async def aclose(self) -> None:
        """Close the store (its PostgreSQL connection for audit groups among what it holds)."""
        await self.store.aclose()

    async def setup(self, obligation: str = "100000.00") -> None:
        await self.cases.save(make_case(obligation), principal=SYSTEM, request_id="setup")
        await self.auditor.inquiries(
            JUDGE,
            "inquiry-1",
            [
                profile(
                    DEBTOR,
                    ok("bank", bank_records(ACCOUNT, "300000.00")),
                    ok("land", land_records()),
                ),
                profile(
                    SPOUSE, ok("bank", bank_records(SPOUSE_ACCOUNT, "50000")), relation="spouse"
                ),
                profile(CREDITOR, ok("bank", bank_records(CREDITOR_ACCOUNT, "50000"))),
            ],
        )

    async def submit(self, *commands: ControlCommand, key: str = "k-1", who=JUDGE):
        return await self.service.submit(who, "req", list(commands), key)


def command(
    action: ControlAction = ControlAction.FREEZE,
    *,
    agency: str = "bank",
    asset: str = ACCOUNT,
    amount: str | None = "50000.00",
    until: datetime.date | None = datetime.date(2027, 5, 31),
    ruling: str = "(2026)苏0812执100号之一",
    notice: str = "(2026)苏0812执100号协助执行通知书",
) -> ControlCommand:
    return ControlCommand(
        action,
        NUMBER,
        ruling,
        notice,
        agency,
        asset,
        None if amount is None else Decimal(amount),
        until,
    )
