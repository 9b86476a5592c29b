"""Synthetic business-registry records: registrations, roles, equity, equity freezes, events.

An enterprise's own facts (founding date, registered capital, address, status and its basic
registration history) are drawn from its credit code alone (``enterprise``), so a person's view
of an enterprise and the enterprise's own registration agree. The rest is drawn from the
agency's stream for the subject:

* a natural person's enterprises are exactly ``mocks.synthetic.enterprises_of(subject)``, with
  roles and shares; a rich person controls the first one (法定代表人 or at least 50%); a
  share in a deregistered (注销) enterprise is no longer held, so it has no equity holding;
* a legal person gets its registration, shareholders whose ratios total 100.00% and whose
  subscribed capital adds up to the registered capital, branches (rich), and one or two
  subsidiaries it invests in (rich), which the agencies know too;
* equity freezes (mostly for rich subjects) freeze a holding the subject really has, by a
  Huai'an court, for at most three years, and are publicised within a week.
"""

from __future__ import annotations

import datetime
import functools
import random
from dataclasses import dataclass, replace
from decimal import Decimal

from gateway.domain.subjects import uscc_check_character
from mocks import huaian
from mocks.business.records import (
    Branch,
    BusinessRecords,
    EnterpriseRole,
    EquityFreeze,
    EquityHolding,
    Registration,
    RegistrationEvent,
    Shareholder,
)
from mocks.synthetic import (
    INDUSTRIES,
    REFERENCE_DATE,
    Company,
    Tier,
    add_years,
    asset_tag,
    company,
    date_between,
    draw,
    enterprises_of,
    person,
    person_name,
    rng_for,
    tier_of,
    years_ago,
)
from mocks.wire import SubjectRef, as_json

AGENCY = "business"

ACTIVE = ("存续", "存续", "在业")  # 登记状态 of a going concern
CLOSED_EVENTS = {"注销": "注销", "吊销": "吊销"}  # status -> the event that set it
FREEZE_YEARS = 3  # an equity freeze lasts at most three years (and may be continued)

CAPITALS_WAN = (10, 30, 50, 100, 100, 200, 300, 500, 1000)  # 注册资本, in 万元
RICH_CAPITALS_WAN = (500, 1000, 2000, 3000, 5000, 8000)
CITY_REGISTRY_FROM_WAN = 5000  # large enterprises register with the city bureau

SCOPE_SUFFIX = "（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
SCOPES = {
    "建筑工程": "房屋建筑工程、市政公用工程、建筑装修装饰工程施工；建筑材料销售",
    "商贸": "日用百货、五金交电、建筑材料、农副产品销售；货物及技术进出口",
    "物流": "普通货物道路运输；仓储服务（不含危险化学品）；国内货物运输代理；装卸搬运",
    "置业": "房地产开发经营；物业管理；住房租赁；非居住房地产租赁",
    "食品": "食品生产；食品销售；农副产品收购；初级农产品销售",
    "机械制造": "通用设备制造；农业机械制造、销售；机械零部件加工",
    "新材料": "新型建筑材料、高性能纤维及复合材料研发、生产、销售；技术开发、技术咨询",
    "纺织": "纺织品、针织品、服装制造、销售",
    "盐化": "盐化工产品（不含危险化学品）生产、销售；元明粉、工业盐销售",
}

# roles of a person in an enterprise they do not control, with a share range in basis points
# (None: not a shareholder); an ordinary person's enterprise is usually their own business
MINORITY_ROLES: tuple[tuple[tuple[str, ...], tuple[int, int] | None], ...] = (
    (("股东",), (500, 4900)),
    (("监事", "股东"), (500, 4900)),
    (("监事",), None),
    (("董事", "股东"), (1000, 4900)),
    (("经理",), None),
)
OWNER_ROLES = ("法定代表人", "执行董事", "经理", "股东")  # 执行董事兼总经理, majority holder

_CODE_BODY = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100 characters (no I, O, S, V, Z)
_DAY = datetime.timedelta(days=1)


def records(subject: SubjectRef) -> BusinessRecords | None:
    """What the business registry knows about ``subject``, or ``None`` if nothing."""
    start = draw(AGENCY, subject)
    if start is None:
        return None
    if start.empty:
        return BusinessRecords()
    if subject.kind == "legal":
        found = _legal_person(start.rng, subject, rich=start.rich)
    else:
        found = _natural_person(start.rng, subject, rich=start.rich)
    holdings = [replace(h, asset_id=asset_tag(subject.id, h.uscc)) for h in found.equity_holdings]
    return replace(found, equity_holdings=holdings)


# --- an enterprise's own facts, the same in every view ------------------------------------


@dataclass(frozen=True, slots=True)
class Enterprise:
    """What the registry holds on an enterprise whoever asks: drawn from its code alone."""

    company: Company
    established_on: datetime.date
    registered_capital: Decimal  # whole 万元, so that any 0.5% share is a whole yuan
    address: str
    status: str
    closed_on: datetime.date | None  # date of the 注销 or 吊销
    history: tuple[RegistrationEvent, ...]  # 设立, capital and address changes, closure

    @property
    def last_active_day(self) -> datetime.date:
        """The last day on which shares could still change hands (a month before closure)."""
        return (self.closed_on or REFERENCE_DATE) - datetime.timedelta(days=30)


@functools.lru_cache(maxsize=4096)
def enterprise(uscc: str) -> Enterprise:
    """The enterprise behind a credit code: rich enterprises are going concerns."""
    rng = rng_for("business-enterprise", uscc)
    firm = company(uscc)
    rich = tier_of(uscc) is Tier.RICH
    established = date_between(rng, years_ago(20), years_ago(1))
    wan = rng.choice(RICH_CAPITALS_WAN if rich else CAPITALS_WAN)
    address = huaian.industrial_address(rng, firm.district)
    status, closed = rng.choice(ACTIVE), None
    roll = rng.random()
    if not rich and established < years_ago(6) and roll < 0.14:
        status = "吊销" if roll < 0.08 else "注销"
        closed = date_between(rng, add_years(established, 3), years_ago(0.2))
    end = (closed or REFERENCE_DATE) - datetime.timedelta(days=30)
    first_change = established + datetime.timedelta(days=180)

    history = [_event(firm, "设立", established)]
    if wan >= 20 and rng.random() < 0.4:
        before = max(1, wan // rng.choice((2, 4, 5, 10)))
        day = date_between(rng, first_change, end)
        history.append(_event(firm, "变更", day, "注册资本", _wan(before), _wan(wan)))
    if rng.random() < 0.3:
        previous = huaian.industrial_address(rng, firm.district)
        if previous != address:
            day = date_between(rng, first_change, end)
            history.append(_event(firm, "变更", day, "住所", previous, address))
    if closed is not None:
        history.append(_event(firm, CLOSED_EVENTS[status], closed))
    history.sort(key=lambda e: e.date)
    capital = Decimal(wan * 10_000 * 100).scaleb(-2)
    return Enterprise(firm, established, capital, address, status, closed, tuple(history))


def _event(
    firm: Company,
    kind: str,
    day: datetime.date,
    item: str | None = None,
    before: str | None = None,
    after: str | None = None,
) -> RegistrationEvent:
    return RegistrationEvent(
        uscc=firm.uscc,
        company=firm.name,
        event=kind,
        item=item,
        before=before,
        after=after,
        date=day,
    )


def _wan(amount: int) -> str:
    return f"{amount}万元人民币"


def _ratio(basis_points: int) -> Decimal:
    """A percentage with two places from basis points: 5100 -> 51.00."""
    return Decimal(basis_points).scaleb(-2)


def _share_in(rng: random.Random, low: int, high: int) -> int:
    """Basis points between ``low`` and ``high``, in steps of 0.5%."""
    return rng.randint(low // 50, high // 50) * 50


def _subscribed(capital: Decimal, ratio: Decimal) -> Decimal:
    return (capital * ratio / 100).quantize(Decimal("0.01"))


def _paid_in(rng: random.Random, subscribed: Decimal) -> Decimal:
    """Most shareholders paid everything, some part, some nothing yet (认缴制)."""
    percent = rng.choice((100, 100, 100, 50, 20, 0))
    return (subscribed * percent / 100).quantize(Decimal("0.01"))


def _credit_code(rng: random.Random, taken: set[str]) -> str:
    """A valid Huai'an credit code that the agencies know and that ``taken`` does not hold."""
    while True:
        district = rng.choice(huaian.DISTRICTS)
        first17 = f"91{district.region}MA{''.join(rng.choice(_CODE_BODY) for _ in range(7))}"
        code = first17 + uscc_check_character(first17)
        if code not in taken and tier_of(code) is not Tier.UNKNOWN:
            taken.add(code)
            return code


# --- a natural person ------------------------------------------------------------------------


def _natural_person(rng: random.Random, subject: SubjectRef, *, rich: bool) -> BusinessRecords:
    resident = person(subject)
    adult_from = add_years(resident.birth_date, 18) + 2 * _DAY  # the day after the 18th birthday
    infant_from = resident.birth_date + 30 * _DAY  # shares may be inherited or given
    roles: list[EnterpriseRole] = []
    holdings: list[EquityHolding] = []
    freezes: list[EquityFreeze] = []
    events: list[RegistrationEvent] = []
    for index, firm in enumerate(enterprises_of(subject)):
        core = enterprise(firm.uscc)
        controlling = rich and index == 0
        titles, basis_points = _roles(rng, controlling=controlling, rich=rich)
        earliest = infant_from if titles == ("股东",) else adult_from
        if earliest > core.last_active_day:  # too young to run it: a shareholder only
            titles, earliest = ("股东",), infant_from
            basis_points = _share_in(rng, 5000 if controlling else 500, 10_000)
        share = None if basis_points is None else _ratio(basis_points)
        roles.append(
            EnterpriseRole(
                uscc=firm.uscc,
                name=firm.name,
                roles=list(titles),
                share_ratio=share,
                enterprise_status=core.status,
            )
        )
        history = list(core.history)
        if earliest <= core.last_active_day:  # else closed before the subject was born
            founder = core.established_on >= earliest and rng.random() < 0.7
            joined = core.established_on
            if not founder:
                joined = date_between(rng, max(core.established_on, earliest), core.last_active_day)
                history += _joining_events(rng, core, titles, resident.name, joined)
            if share is not None and core.status != "注销":
                holding = _holding(rng, core, share, joined)
                holdings.append(holding)
                if rng.random() < (0.45 if rich else 0.04):
                    freezes += _freezes(rng, holding, resident.district)
        events += sorted(history, key=lambda e: e.date)
    return BusinessRecords(
        enterprises=roles, equity_holdings=holdings, equity_freezes=freezes, events=events
    )


def _roles(
    rng: random.Random, *, controlling: bool, rich: bool
) -> tuple[tuple[str, ...], int | None]:
    """The subject's roles in one enterprise and their share in basis points (None: none)."""
    if controlling or rng.random() < (0.3 if rich else 0.45):
        roll = rng.random()
        if roll < 0.6:
            return OWNER_ROLES, _share_in(rng, 5100, 10_000)
        if roll < 0.8:
            return ("法定代表人", "执行董事", "股东"), _share_in(rng, 1000, 4900)
        if roll < 0.9:
            return ("法定代表人", "执行董事"), None
        return ("股东",), _share_in(rng, 5000, 9000)
    titles, span = rng.choice(MINORITY_ROLES)
    return titles, None if span is None else _share_in(rng, *span)


def _joining_events(
    rng: random.Random,
    core: Enterprise,
    titles: tuple[str, ...],
    name: str,
    day: datetime.date,
) -> list[RegistrationEvent]:
    """The 变更 records that made a later-comer a shareholder, legal representative or officer."""
    items = []
    if "股东" in titles:
        items.append("股东")
    if "法定代表人" in titles:
        items.append("法定代表人")
    if not items:
        items.append("主要人员")  # 董事、监事、经理备案
    return [
        RegistrationEvent(
            uscc=core.company.uscc,
            company=core.company.name,
            event="变更",
            item=item,
            before=_other_name(rng, name),
            after=name,
            date=day,
        )
        for item in items
    ]


def _other_name(rng: random.Random, name: str) -> str:
    while True:
        other = person_name(rng)
        if other != name:
            return other


def _holding(
    rng: random.Random, core: Enterprise, share: Decimal, subscribed_on: datetime.date
) -> EquityHolding:
    subscribed = _subscribed(core.registered_capital, share)
    return EquityHolding(
        uscc=core.company.uscc,
        company=core.company.name,
        share_ratio=share,
        subscribed_capital=subscribed,
        paid_in_capital=_paid_in(rng, subscribed),
        subscribed_on=subscribed_on,
    )


def _freezes(
    rng: random.Random, holding: EquityHolding, district: huaian.District
) -> list[EquityFreeze]:
    """A freeze in force on a holding, sometimes behind an earlier one that was lifted."""
    freezes = []
    held_since = holding.subscribed_on
    roll = rng.random()
    if roll < 0.35:  # an earlier freeze, lifted (the case was settled)
        start = date_between(rng, max(held_since, years_ago(6)), years_ago(1))
        start = min(start, REFERENCE_DATE - 30 * _DAY)
        until = add_years(start, FREEZE_YEARS)
        released = date_between(rng, start + 30 * _DAY, min(until, REFERENCE_DATE))
        freezes.append(_freeze(rng, holding, district, start, "解除冻结", released))
    if roll > 0.15:  # a freeze in force
        start = date_between(rng, max(held_since, years_ago(2.5)), REFERENCE_DATE - 10 * _DAY)
        # a freeze continued at the end of its three years (续行冻结) began at least 3 years ago
        continued = add_years(start, -FREEZE_YEARS) >= held_since and rng.random() < 0.25
        freezes.append(_freeze(rng, holding, district, start, "续行冻结" if continued else "冻结"))
    return freezes


def _freeze(
    rng: random.Random,
    holding: EquityHolding,
    district: huaian.District,
    start: datetime.date,
    status: str,
    released: datetime.date | None = None,
) -> EquityFreeze:
    court, case_number = huaian.court_case(rng, district, start.year)
    percent = rng.choice((100, 100, 100, 50, 30))
    publicized = min(start + rng.randint(0, 7) * _DAY, REFERENCE_DATE)
    if released is not None:
        publicized = min(publicized, released)
    return EquityFreeze(
        uscc=holding.uscc,
        company=holding.company,
        frozen_amount=(holding.subscribed_capital * percent / 100).quantize(Decimal("0.01")),
        court=court,
        case_number=case_number,
        frozen_from=start,
        frozen_until=add_years(start, FREEZE_YEARS),
        status=status,
        publicized_on=publicized,
        released_on=released,
    )


# --- a legal person --------------------------------------------------------------------------


def _legal_person(rng: random.Random, subject: SubjectRef, *, rich: bool) -> BusinessRecords:
    core = enterprise(subject.id)
    taken = {subject.id}
    shareholders = _shareholders(rng, core, taken, rich=rich)
    naturals = [s.name for s in shareholders if s.kind == "自然人"]
    representative = naturals[0] if rng.random() < 0.8 else _other_name(rng, naturals[0])
    events = list(core.history)
    events += _ownership_changes(rng, core, representative, shareholders)
    events.sort(key=lambda e: e.date)
    registration = Registration(
        uscc=subject.id,
        name=core.company.name,
        enterprise_type=_enterprise_type(shareholders),
        legal_representative=representative,
        registered_capital=core.registered_capital,
        established_on=core.established_on,
        address=core.address,
        business_scope=_scope(core.company.name),
        registry=_registry(core),
        status=core.status,
        operating_until=(
            None if rng.random() < 0.7 else add_years(core.established_on, rng.choice((30, 50)))
        ),
        approved_on=max(e.date for e in events),
    )
    branches = _branches(rng, core, taken) if rich and core.closed_on is None else []
    roles: list[EnterpriseRole] = []
    holdings: list[EquityHolding] = []
    freezes: list[EquityFreeze] = []
    if rich and core.closed_on is None:
        for index in range(rng.randint(1, 2)):
            sub = _subsidiary(rng, taken)
            low = 5100 if index == 0 else 2000
            share = _ratio(_share_in(rng, low, 10_000))
            roles.append(
                EnterpriseRole(
                    uscc=sub.company.uscc,
                    name=sub.company.name,
                    roles=["股东"],
                    share_ratio=share,
                    enterprise_status=sub.status,
                )
            )
            since = max(sub.established_on, core.established_on)
            if since > sub.established_on:  # bought into an older enterprise
                since = date_between(rng, since, sub.last_active_day)
            holding = _holding(rng, sub, share, since)
            holdings.append(holding)
            if rng.random() < 0.3:
                freezes += _freezes(rng, holding, core.company.district)
    return BusinessRecords(
        registration=registration,
        shareholders=shareholders,
        branches=branches,
        enterprises=roles,
        equity_holdings=holdings,
        equity_freezes=freezes,
        events=events,
    )


def _shareholders(
    rng: random.Random, core: Enterprise, taken: set[str], *, rich: bool
) -> list[Shareholder]:
    """Natural persons (and sometimes an enterprise), largest first; ratios total 100.00."""
    names: list[str] = []
    while len(names) < rng.choice((1, 2, 2, 3, 3, 4)):
        name = person_name(rng)
        if name not in names:
            names.append(name)
    corporate = _credit_code(rng, taken) if rng.random() < (0.35 if rich else 0.1) else None
    parts = _partition(rng, len(names) + (corporate is not None))
    rng.shuffle(parts)
    holders: list[tuple[str, str, str | None]] = [(n, "自然人", None) for n in names]
    if corporate is not None:
        holders.append((company(corporate).name, "企业法人", corporate))
    shareholders = []
    for (name, kind, identifier), basis_points in zip(holders, parts, strict=True):
        share = _ratio(basis_points)
        subscribed = _subscribed(core.registered_capital, share)
        shareholders.append(
            Shareholder(
                name=name,
                kind=kind,
                identifier=identifier,
                share_ratio=share,
                subscribed_capital=subscribed,
                paid_in_capital=_paid_in(rng, subscribed),
            )
        )
    shareholders.sort(key=lambda s: s.share_ratio, reverse=True)
    return shareholders


def _partition(rng: random.Random, parts: int) -> list[int]:
    """10000 basis points in ``parts`` shares of at least 5%, in steps of 0.5%."""
    units = 200 - 10 * parts  # steps of 0.5% left after everyone's 5%
    weights = [rng.random() + (1.0 if i == 0 else 0.0) for i in range(parts)]
    shares = [int(units * w / sum(weights)) for w in weights]
    shares[0] += units - sum(shares)
    return [(10 + s) * 50 for s in shares]


def _enterprise_type(shareholders: list[Shareholder]) -> str:
    if len(shareholders) == 1:
        return "有限责任公司（自然人独资）"
    return "有限责任公司（自然人投资或控股）"


def _scope(name: str) -> str:
    industry = next((i for i in INDUSTRIES if i in name), None)
    scope = SCOPES.get(industry or "", "一般项目：企业管理咨询；信息咨询服务")
    return f"许可项目及一般项目：{scope}。{SCOPE_SUFFIX}"


def _registry(core: Enterprise) -> str:
    """登记机关: the city bureau for large enterprises, else the district or county bureau."""
    district = core.company.district
    wan = core.registered_capital / 10_000
    if wan >= CITY_REGISTRY_FROM_WAN:
        return f"{huaian.CITY}市场监督管理局"
    if district.registry == huaian.CITY:
        return f"{huaian.CITY}{district.name}市场监督管理局"
    return f"{district.name}市场监督管理局"


def _ownership_changes(
    rng: random.Random,
    core: Enterprise,
    representative: str,
    shareholders: list[Shareholder],
) -> list[RegistrationEvent]:
    """Earlier legal representatives and shareholders, replaced by today's."""
    if core.established_on > years_ago(2):
        return []
    first, last = core.established_on + 365 * _DAY, core.last_active_day
    changes = []
    if rng.random() < 0.35:
        changes.append(("法定代表人", _other_name(rng, representative), representative))
    if len(shareholders) > 1 and rng.random() < 0.35:
        newcomer = shareholders[-1].name
        changes.append(("股东", _other_name(rng, newcomer), newcomer))
    return [
        RegistrationEvent(
            uscc=core.company.uscc,
            company=core.company.name,
            event="变更",
            item=item,
            before=before,
            after=after,
            date=date_between(rng, first, last),
        )
        for item, before, after in changes
    ]


def _branches(rng: random.Random, core: Enterprise, taken: set[str]) -> list[Branch]:
    """分公司 in other districts and counties of Huai'an, each with its own credit code."""
    places = rng.sample(huaian.DISTRICTS, rng.randint(1, 3))
    branches = []
    for district in places:
        first17 = f"91{district.region}MA{''.join(rng.choice(_CODE_BODY) for _ in range(7))}"
        code = first17 + uscc_check_character(first17)
        taken.add(code)
        branches.append(
            Branch(
                uscc=code,
                name=f"{core.company.name}{district.branch}分公司",
                address=huaian.industrial_address(rng, district),
                status="注销" if rng.random() < 0.1 else "存续",
                principal=person_name(rng),
                established_on=date_between(
                    rng, core.established_on + 180 * _DAY, core.last_active_day
                ),
            )
        )
    return branches


def _subsidiary(rng: random.Random, taken: set[str]) -> Enterprise:
    """An enterprise in business that the agencies know, for a rich company to invest in."""
    while True:
        sub = enterprise(_credit_code(rng, taken))
        if sub.closed_on is None:
            return sub


records_for = as_json(records)  # the JSON the mock answers
