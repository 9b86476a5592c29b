"""Generated list entries for the demo and the benchmark: deterministic (a seed), every state.

``plans(n, seed=..., today=...)`` yields what a court would record for ``n`` debtors: the
particulars, the risk warning, then the events that bring the entry to its target state (the
targets cycle through every ``ListingState``). The first plans are about the demo cases'
debtors. ``seed_demo_list`` records them through the list service, audited like any court's
events; ``build`` runs them through the domain alone (the benchmark stores its million rows in
bulk).
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from stdnum.cn import ric

from gateway.auth.principal import Principal, Role
from gateway.domain.lifecycle import Action, ListingEvent, Rules, Transition, apply, warn
from gateway.domain.listing import (
    Decision,
    DishonestyLevel,
    ExitCause,
    LegalGround,
    ListingEntry,
    ListingState,
    Particulars,
    Performance,
)
from gateway.domain.subjects import Subject, SubjectKind, uscc_check_character

if TYPE_CHECKING:
    from gateway.services.listing import ListingService

E = ListingEvent
S = ListingState
COURTS = ("苏0812", "苏0812", "苏0812", "苏0803", "苏0804", "苏0813", "苏0826", "苏0830")
REGIONS = ("320802", "320803", "320804", "320812", "320813", "320826", "320830", "320831")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红梅鑫斌波辉宇浩凯健俊帆"
TRADES = ("建材", "置业", "商贸", "物流", "食品", "化工", "电子", "纺织", "建设", "农业")
_USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"
DEMO_DEBTORS = (
    ("(2026)苏0812执123号", SubjectKind.NATURAL, "320812198203151256", "周坤"),
    ("(2026)苏0812执456号", SubjectKind.LEGAL, "91320812MA00020007", "淮安市洪泽湖置业有限公司"),
)
# the target states, in the order the plans cycle through them
TARGETS = tuple(ListingState)


@dataclass(frozen=True, slots=True)
class Plan:
    particulars: Particulars
    warned_on: datetime.date
    warning_document: str
    actions: tuple[Action, ...]
    target: ListingState


def plans(n: int, *, seed: int = 2017, today: datetime.date) -> Iterator[Plan]:
    rng = random.Random(seed)  # noqa: S311 - deterministic synthetic data is the point
    for index in range(n):
        court = rng.choice(COURTS)
        sequence = 1000 + index
        year = rng.choice((2024, 2025, 2026))
        case_number = f"({year}){court}执{sequence}号"
        if index < len(DEMO_DEBTORS) * 3:  # the demo cases' debtors, in a few states
            demo_case, kind, subject_id, name = DEMO_DEBTORS[index % len(DEMO_DEBTORS)]
            subject = Subject(kind, subject_id, name)
            court = "苏0812"
            # one entry in the demo case (a debtor has one standing entry in a case), the
            # others in other cases of the court
            case_number = (
                demo_case if index < len(DEMO_DEBTORS) else f"({year}){court}执{sequence}号"
            )
        else:
            subject = _subject(rng)
        target = TARGETS[index % len(TARGETS)]
        start = today - datetime.timedelta(days=rng.randint(70, 1000))
        legal = subject.kind is SubjectKind.LEGAL
        particulars = Particulars(
            case_number=case_number,
            court=court,
            subject=subject,
            basis_document_number=f"({start.year - 1}){court}民初{rng.randint(1, 9999)}号",
            basis_issuer="淮安市中级人民法院" if rng.random() < 0.2 else f"{court}人民法院",
            obligation=f"支付款项{rng.randint(1, 500) * 1000}元及利息",
            performance=rng.choice((Performance.NONE, Performance.PARTIAL)),
            performed_part="",
            unperformed_part="全部",
            legal_representative=_person_name(rng) if legal else None,
            filed_on=start - datetime.timedelta(days=rng.randint(30, 400)),
            judge=f"J00{rng.randint(1, 9)}",
        )
        document = f"{case_number}风险提示"
        yield Plan(particulars, start, document, _actions(rng, target, start, case_number), target)


def _actions(
    rng: random.Random, target: ListingState, start: datetime.date, case_number: str
) -> tuple[Action, ...]:
    def day(offset: int) -> datetime.date:
        return start + datetime.timedelta(days=offset)

    if target is S.WARNED:
        return ()
    if target is S.WITHDRAWN:
        return (Action(E.WITHDRAW_WARNING, day(5), "宽限期内履行", f"{case_number}不予纳入"),)
    hidden = target is S.EMPLOYER_NOTIFIED
    ground = rng.choice(tuple(LegalGround))
    decision = Decision(
        document_number=f"{case_number}之一",
        decided_on=day(7),
        ground=ground,
        circumstance=ground.label_zh,
        level=rng.choice(tuple(DishonestyLevel)),
        extension_years=rng.choice((0, 0, 0, 1, 2)) if ground.term_years else 0,
        publication_allowed=not hidden,
        employer="淮安市某事业单位" if hidden else None,
    )
    decide = Action(E.DECIDE, day(7), "符合纳入条件", decision=decision)
    if target is S.LISTED:
        return (decide,)
    if hidden:
        return (decide, Action(E.NOTIFY_EMPLOYER, day(8), "依法不宜公开"))
    steps = [decide, Action(E.PUBLISH, day(8), "公布")]
    doc = f"{case_number}之二"
    extra = {
        S.PUBLISHED: [],
        S.UNDER_REVIEW: [Action(E.APPLY_CORRECTION, day(10), "被执行人申请纠正")],
        S.UNDER_RECONSIDERATION: [
            Action(E.APPLY_CORRECTION, day(10), "被执行人申请纠正"),
            Action(E.REJECT_CORRECTION, day(11), "理由不成立", doc),
            Action(E.APPLY_RECONSIDERATION, day(13), "向上一级法院申请复议"),
        ],
        S.EXIT_PENDING: [
            Action(E.REPORT_EXIT, day(60), "履行完毕", exit_cause=rng.choice(tuple(ExitCause)))
        ],
        S.MASKED: [
            Action(E.REPORT_EXIT, day(60), "履行完毕", exit_cause=ExitCause.PERFORMED),
            Action(E.MASK, day(61), "屏蔽", doc),
        ],
        S.REVOKED: [
            Action(E.APPLY_CORRECTION, day(10), "被执行人申请纠正"),
            Action(E.ACCEPT_CORRECTION, day(11), "理由成立", doc),
        ],
        S.LIFTED: [Action(E.LIFT, day(30), "提供有效执行担保", doc)],
    }[target]
    return (*steps, *extra)


def build(
    plan: Plan, rules: Rules, *, today: datetime.date, entry_id: str | None = None
) -> tuple[ListingEntry, list[Transition]]:
    """The entry a plan ends in, through the domain's lifecycle, and its transitions."""
    entry, first = warn(
        entry_id or uuid.uuid4().hex,
        plan.particulars,
        on=plan.warned_on,
        document_number=plan.warning_document,
        today=today,
    )
    transitions = [first]
    for action in plan.actions:
        entry, transition = apply(entry, action, rules, today=today)
        transitions.append(transition)
    return entry, transitions


async def seed_demo_list(listing: ListingService, n: int = 300) -> int:
    """Record ``n`` generated entries through the service, as each court's system would; 0
    when an earlier demo recorded them on this database (the list refuses a second standing
    entry of a debtor in a case, and the plans are the same each time)."""
    today = listing.today()
    planned = list(plans(n, today=today))
    if planned and await listing.of_subjects([planned[0].particulars.subject]):
        return 0
    for plan in planned:
        court = plan.particulars.court
        system = Principal(Role.COURT_SYSTEM, subject=f"demo:{court}", court=court)
        request = uuid.uuid4().hex
        entry = await listing.warn(
            plan.particulars,
            on=plan.warned_on,
            document_number=plan.warning_document,
            reason="demo",
            principal=system,
            request_id=request,
        )
        for action in plan.actions:
            actor = system
            if action.event.by_higher_court:
                higher = listing.higher_court(court) or court
                actor = Principal(Role.COURT_SYSTEM, subject=f"demo:{higher}", court=higher)
            entry = await listing.record(entry.id, action, principal=actor, request_id=request)
    return n


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _subject(rng: random.Random) -> Subject:
    if rng.random() < 0.2:
        first17 = "913208" + "".join(rng.choice("0123456789") for _ in range(2))
        first17 += "MA" + "".join(rng.choice(_USCC) for _ in range(7))
        name = f"淮安市{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{rng.choice(TRADES)}有限公司"
        return Subject(SubjectKind.LEGAL, first17 + uscc_check_character(first17), name)
    born = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randint(0, 365 * 50))
    first17 = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return Subject(
        SubjectKind.NATURAL, first17 + ric.calc_check_digit(first17 + "0"), _person_name(rng)
    )
