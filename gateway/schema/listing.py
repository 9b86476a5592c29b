"""失信被执行人名单 / The dishonest-debtor list: the court's entries and their history, the
overdue view, and the public's masked entries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import strawberry
from strawberry import Info

from gateway.domain import calendar as calendar_domain
from gateway.domain import lifecycle
from gateway.domain import listing as domain
from gateway.domain.listing import public_id
from gateway.domain.subjects import mask_ids_in_prose
from gateway.schema.common import Subject, SubjectInput
from gateway.schema.context import Context
from gateway.services import listing as service
from gateway.store.listing import HistoryItem, LeadRow

ListingState = strawberry.enum(
    domain.ListingState,
    name="ListingState",
    description="名单条目状态：WARNED 已风险提示，WITHDRAWN 提示后未纳入，LISTED 已决定纳入，"
    "PUBLISHED 已公布，EMPLOYER_NOTIFIED 不宜公开已通报单位，UNDER_REVIEW 纠正审查中，"
    "UNDER_RECONSIDERATION 复议中，EXIT_PENDING 待屏蔽或撤销，MASKED 已屏蔽，REVOKED 已撤销，"
    "LIFTED 已解除惩戒 / The entry's state (see docs/list.md)",
)
ListingEvent = strawberry.enum(
    lifecycle.ListingEvent,
    name="ListingEvent",
    description="名单事件（各有法律依据，见 docs/list.md） / A lifecycle event, each with its "
    "legal basis (docs/list.md)",
)
LegalGround = strawberry.enum(
    domain.LegalGround,
    name="LegalGround",
    description="纳入情形（法释〔2017〕7号 第一条六项）：ABLE_BUT_REFUSES 有履行能力而拒不履行"
    "（不设期限），OBSTRUCTS 妨碍、抗拒执行，EVADES 规避执行，ASSET_REPORT 违反财产报告制度，"
    "CONSUMPTION_ORDER 违反限制消费令，SETTLEMENT 拒不履行和解协议（均为二年，可延长一至三年）"
    " / The six national grounds: no term for ABLE_BUT_REFUSES, two years for the others, "
    "extendable by one to three",
)
DishonestyLevel = strawberry.enum(
    domain.DishonestyLevel,
    name="DishonestyLevel",
    description="失信等级：GENERAL 一般，SERIOUS 较重，GRAVE 严重 / Dishonesty level",
)
Performance = strawberry.enum(
    domain.Performance,
    name="Performance",
    description="履行情况：NONE 全部未履行，PARTIAL 部分履行，FULL 全部履行 / Performance status",
)
ExitCause = strawberry.enum(
    domain.ExitCause,
    name="ExitCause",
    description="退出原因：PERFORMED 全部履行，SETTLEMENT 和解履行完毕，TERMINATED 终结执行 / "
    "Why the entry leaves the list",
)
Gender = strawberry.enum(domain.Gender, name="Gender", description="性别 / Gender")
OverdueKind = strawberry.enum(
    service.OverdueKind,
    name="OverdueKind",
    description="逾期类型：REVIEW 纠正申请未按期审查，RECONSIDERATION 复议未按期决定，EXIT "
    "履行完毕等后未按期屏蔽或撤销，EXPIRED_STILL_PUBLIC 有效期届满仍公开，PERFORMED_STILL_PUBLIC "
    "案件已全部履行（自全部履行之日起算）仍公开、未按期屏蔽或撤销 / What is overdue; "
    "PERFORMED_STILL_PUBLIC: the case register shows the case fully performed, the entry is "
    "still public past the mask-or-revoke deadline counted from that day",
)
DayUnit = strawberry.enum(
    calendar_domain.DayUnit,
    name="DayUnit",
    description="CALENDAR 日，WORKING 工作日 / Calendar or working days",
)


@strawberry.type(description="一个事件的记录 / One recorded event")
class ListingHistoryItem:
    seq: int = strawberry.field(description="序号 / Sequence number")
    event: lifecycle.ListingEvent = strawberry.field(description="事件 / Event")
    basis: str = strawberry.field(description="法律依据 / Legal basis")
    from_state: domain.ListingState | None = strawberry.field(description="原状态 / From")
    to_state: domain.ListingState = strawberry.field(description="新状态 / To")
    occurred_on: datetime.date = strawberry.field(description="事件日期 / Date of the event")
    document_number: str | None = strawberry.field(description="文书文号 / Document number")
    reason: str = strawberry.field(description="理由 / Why")
    actor: str = strawberry.field(description="记录人 / Who recorded it")
    role: str = strawberry.field(description="角色 / Role")
    court: str | None = strawberry.field(description="法院 / Court")
    judge: str | None = strawberry.field(description="法官 / Judge")
    at: datetime.datetime = strawberry.field(description="记录时间 / Recorded at")

    @staticmethod
    def from_domain(item: HistoryItem) -> ListingHistoryItem:
        return ListingHistoryItem(
            seq=item.seq,
            event=item.event,
            basis=item.event.basis,
            from_state=item.from_state,
            to_state=item.to_state,
            occurred_on=item.occurred_on,
            document_number=item.document_number,
            reason=item.reason,
            actor=item.actor,
            role=item.role,
            court=item.court,
            judge=item.judge,
            at=item.at,
        )


async def _history(root: ListingEntry, info: Info[Context, None]) -> list[ListingHistoryItem]:
    listing = info.context.listing
    if listing is None:
        return []
    return [ListingHistoryItem.from_domain(h) for h in await listing.history(root.id)]


@strawberry.type(
    description="名单条目（法院视图，证件号码完整） / A list entry, as the court sees it"
)
class ListingEntry:
    id: str = strawberry.field(description="条目编号 / Entry id")
    state: domain.ListingState = strawberry.field(description="状态 / State")
    public: bool = strawberry.field(description="当前是否向社会公开 / Shown to the public now")
    case_number: str = strawberry.field(description="案号 / Case number")
    court: str = strawberry.field(description="执行法院 / Executing court")
    judge: str | None = strawberry.field(description="承办法官 / Judge answerable")
    subject: Subject = strawberry.field(description="被执行人 / The debtor")
    gender: domain.Gender | None = strawberry.field(description="性别 / Gender")
    age: int | None = strawberry.field(description="年龄（决定日） / Age on the decision's date")
    legal_representative: str | None = strawberry.field(
        description="法定代表人 / Legal representative"
    )
    organisation_code: str | None = strawberry.field(
        description="组织机构代码（旧代码，仅单位被执行人，可无；9位，无连字符） / The old "
        "organisation code (legal persons only, optional; 9 characters, no dash)"
    )
    basis_document_number: str = strawberry.field(description="执行依据文号 / Basis document")
    basis_issuer: str = strawberry.field(description="作出执行依据单位 / Its issuer")
    obligation: str = strawberry.field(description="生效法律文书确定的义务 / Obligation")
    performance: domain.Performance = strawberry.field(description="履行情况 / Performance")
    performed_part: str = strawberry.field(description="已履行部分 / Performed part")
    unperformed_part: str = strawberry.field(description="未履行部分 / Unperformed part")
    circumstance: str | None = strawberry.field(description="失信具体情形 / Circumstance")
    ground: domain.LegalGround | None = strawberry.field(description="纳入情形 / Legal ground")
    level: domain.DishonestyLevel | None = strawberry.field(description="失信等级 / Level")
    decision_document_number: str | None = strawberry.field(
        description="纳入决定书文号 / Decision's document number"
    )
    decided_on: datetime.date | None = strawberry.field(description="决定日期 / Decided on")
    valid_until: datetime.date | None = strawberry.field(
        description="有效期至（含；不设期限为 null） / Valid until, inclusive (null: no term)"
    )
    extension_years: int = strawberry.field(description="延长年数 / Years of extension")
    publication_allowed: bool | None = strawberry.field(
        description="是否可以公开 / Whether it may be published"
    )
    employer: str | None = strawberry.field(description="应通报的所在单位 / Employer to notify")
    filed_on: datetime.date | None = strawberry.field(description="立案时间 / Case filed on")
    warned_on: datetime.date = strawberry.field(description="风险提示日期 / Warned on")
    published_on: datetime.date | None = strawberry.field(description="发布时间 / Published on")
    revoked_on: datetime.date | None = strawberry.field(description="撤销时间 / Revoked on")
    masked_on: datetime.date | None = strawberry.field(description="屏蔽时间 / Masked on")
    exit_cause: domain.ExitCause | None = strawberry.field(description="退出原因 / Exit cause")
    version: int = strawberry.field(description="版本 / Version")
    history: list[ListingHistoryItem] = strawberry.field(
        resolver=_history, description="全部事件记录 / Every recorded event"
    )

    @staticmethod
    def from_domain(entry: domain.ListingEntry) -> ListingEntry:
        p, d = entry.particulars, entry.decision
        return ListingEntry(
            id=entry.id,
            state=entry.state,
            public=entry.public,
            case_number=p.case_number,
            court=p.court,
            judge=p.judge,
            subject=Subject.from_domain(p.subject),
            gender=entry.gender,
            age=entry.age,
            legal_representative=p.legal_representative,
            organisation_code=p.organisation_code,
            basis_document_number=p.basis_document_number,
            basis_issuer=p.basis_issuer,
            obligation=p.obligation,
            performance=p.performance,
            performed_part=p.performed_part,
            unperformed_part=p.unperformed_part,
            circumstance=d.circumstance if d else None,
            ground=d.ground if d else None,
            level=d.level if d else None,
            decision_document_number=d.document_number if d else None,
            decided_on=d.decided_on if d else None,
            valid_until=entry.valid_until,
            extension_years=d.extension_years if d else 0,
            publication_allowed=d.publication_allowed if d else None,
            employer=d.employer if d else None,
            filed_on=p.filed_on,
            warned_on=entry.warned_on,
            published_on=entry.published_on,
            revoked_on=entry.revoked_on,
            masked_on=entry.masked_on,
            exit_cause=entry.exit_cause,
            version=entry.version,
        )


@strawberry.type(
    description="公开的名单条目：身份证号码隐去出生月日 / A published entry, as the public sees "
    "it: the ID number's birth month and day hidden"
)
class PublicListingEntry:
    case_number: str = strawberry.field(description="案号 / Case number")
    name: str = strawberry.field(description="被执行人姓名或名称 / Name")
    id_number: str = strawberry.field(
        description="身份证号码（隐去出生月日）或统一社会信用代码 / ID number (birth month and "
        "day hidden) or credit code"
    )
    gender: domain.Gender | None = strawberry.field(description="性别 / Gender")
    age: int | None = strawberry.field(description="年龄 / Age")
    legal_representative: str | None = strawberry.field(
        description="法定代表人 / Legal representative"
    )
    organisation_code: str | None = strawberry.field(
        description="组织机构代码（旧代码，仅单位被执行人，可无；9位，无连字符） / The old "
        "organisation code (legal persons only, optional; 9 characters, no dash)"
    )
    court: str = strawberry.field(description="执行法院 / Executing court")
    basis_document_number: str = strawberry.field(description="执行依据文号 / Basis document")
    basis_issuer: str = strawberry.field(description="作出执行依据单位 / Its issuer")
    obligation: str = strawberry.field(description="生效法律文书确定的义务 / Obligation")
    performance: domain.Performance = strawberry.field(description="履行情况 / Performance")
    circumstance: str = strawberry.field(description="失信具体情形 / Circumstance")
    published_on: datetime.date | None = strawberry.field(description="发布时间 / Published on")
    filed_on: datetime.date | None = strawberry.field(description="立案时间 / Case filed on")
    performed_part: str = strawberry.field(description="已履行部分 / Performed part")
    unperformed_part: str = strawberry.field(description="未履行部分 / Unperformed part")
    level: domain.DishonestyLevel | None = strawberry.field(description="失信等级 / Level")
    valid_until: datetime.date | None = strawberry.field(description="有效期至 / Valid until")

    @staticmethod
    def from_domain(entry: domain.ListingEntry) -> PublicListingEntry:
        p, d = entry.particulars, entry.decision
        # the texts a court wrote: an ID number in them (the debtor's, a third party's) is
        # masked, as the answer's own idNumber is never shown whole
        shown = mask_ids_in_prose
        return PublicListingEntry(
            case_number=p.case_number,
            name=p.subject.name or "",
            id_number=public_id(p.subject),
            gender=entry.gender,
            age=entry.age,
            legal_representative=(
                None if p.legal_representative is None else shown(p.legal_representative)
            ),
            organisation_code=p.organisation_code,
            court=p.court,
            basis_document_number=shown(p.basis_document_number),
            basis_issuer=shown(p.basis_issuer),
            obligation=shown(p.obligation),
            performance=p.performance,
            circumstance=shown(d.circumstance) if d else "",
            published_on=entry.published_on,
            filed_on=p.filed_on,
            performed_part=shown(p.performed_part),
            unperformed_part=shown(p.unperformed_part),
            level=d.level if d else None,
            valid_until=entry.valid_until,
        )


@strawberry.type(description="名单状态（债务人画像用） / A subject's list status")
class ListingStatus:
    entry_id: str = strawberry.field(description="条目编号 / Entry id")
    state: domain.ListingState = strawberry.field(description="状态 / State")
    public: bool = strawberry.field(description="是否公开 / Public")
    court: str = strawberry.field(description="执行法院 / Executing court")
    case_number: str = strawberry.field(description="案号 / Case number")
    valid_until: datetime.date | None = strawberry.field(description="有效期至 / Valid until")

    @staticmethod
    def from_domain(entry: domain.ListingEntry) -> ListingStatus:
        return ListingStatus(
            entry_id=entry.id,
            state=entry.state,
            public=entry.public,
            court=entry.particulars.court,
            case_number=entry.particulars.case_number,
            valid_until=entry.valid_until,
        )


@strawberry.type(description="逾期事项 / An overdue item")
class OverdueItem:
    entry: ListingEntry = strawberry.field(description="条目 / The entry")
    court: str = strawberry.field(
        description="应办理的法院：执行法院；复议中的条目为上一级法院 / The court that must act: "
        "the executing court, or the next-higher court for an entry under reconsideration"
    )
    kind: service.OverdueKind = strawberry.field(description="逾期类型 / What is overdue")
    since: datetime.date = strawberry.field(description="期间起算日 / Period started on")
    due_on: datetime.date = strawberry.field(description="期限届满日 / Last day")
    days_overdue: int = strawberry.field(description="逾期天数 / Days overdue")
    deadline_days: int = strawberry.field(description="期限 / Deadline's value")
    deadline_unit: calendar_domain.DayUnit = strawberry.field(description="单位 / Unit")
    deadline_source: str = strawberry.field(description="期限依据 / Deadline's source")
    warnings: list[str] = strawberry.field(
        description="日历无法确认的日期 / Days the calendar could not vouch for"
    )

    @staticmethod
    def from_domain(item: service.OverdueItem) -> OverdueItem:
        return OverdueItem(
            entry=ListingEntry.from_domain(item.entry),
            court=item.court,
            kind=item.kind,
            since=item.since,
            due_on=item.due.on,
            days_overdue=item.days_overdue,
            deadline_days=item.deadline.days,
            deadline_unit=item.deadline.unit,
            deadline_source=item.deadline.source,
            warnings=list(item.due.warnings),
        )


@strawberry.type(description="责任追究：按法院、法官统计的逾期 / Overdue items per court and judge")
class AccountabilityRow:
    court: str = strawberry.field(
        description="应办理的法院（复议中的条目为上一级法院） / The court that must act (the "
        "next-higher court for an entry under reconsideration)"
    )
    judge: str | None = strawberry.field(
        description="法官（复议中的条目为记录复议申请的上一级法院法官） / Judge (for an entry "
        "under reconsideration, the higher court's judge who recorded the application)"
    )
    kind: service.OverdueKind = strawberry.field(description="逾期类型 / Kind")
    count: int = strawberry.field(description="件数 / Count")
    oldest_due: datetime.date = strawberry.field(description="最早届满日 / Oldest last day")

    @staticmethod
    def from_domain(row: service.AccountabilityRow) -> AccountabilityRow:
        return AccountabilityRow(
            court=row.court,
            judge=row.judge,
            kind=row.kind,
            count=row.count,
            oldest_due=row.oldest_due,
        )


@strawberry.type(
    description="纳入线索（仅供法官判断，从不自动纳入） / A lead for the judge, never an "
    "automatic listing: a debtor of an open case left unperformed, with no entry in it"
)
class ListingLead:
    case_number: str = strawberry.field(description="案号 / Case number")
    court: str = strawberry.field(description="法院 / Court")
    judge: str | None = strawberry.field(description="承办法官 / Judge")
    subject: Subject = strawberry.field(description="被执行人 / The debtor")
    filed_on: datetime.date = strawberry.field(description="立案日期 / Filed on")
    unperformed: Decimal = strawberry.field(description="未履行金额 / Unperformed amount")
    assets_found: Decimal | None = strawberry.field(
        description="本案查询发现的可供履行财产合计（元；存款、理财、公积金余额、证券市值，仅人民币；"
        "各机构最近一次答复之和；从未查询为空） / What the inquiries in this case found (CNY: "
        "deposits, wealth products, provident-fund balances, securities at market value; the "
        "latest answer of each agency summed; null when never inquired about)"
    )
    last_inquired_at: datetime.datetime | None = strawberry.field(
        description="本案对该被执行人最近一次查询答复时间（从未查询为空） / When the latest "
        "inquiry answer about the debtor in this case came (null when never inquired about)"
    )
    assets_cover_debt: bool = strawberry.field(
        description="查询发现的财产足以清偿未履行金额（有履行能力而拒不履行的迹象，仅供判断，"
        "排在前面） / The assets found cover the unperformed amount: the sign of being able "
        "but refusing to perform, for the judge to weigh (such leads come first)"
    )

    @staticmethod
    def from_domain(lead: LeadRow) -> ListingLead:
        return ListingLead(
            case_number=lead.case_number,
            court=lead.court,
            judge=lead.judge,
            subject=Subject.from_domain(lead.subject),
            filed_on=lead.filed_on,
            unperformed=lead.unperformed,
            assets_found=lead.found_value,
            last_inquired_at=lead.inquired_at,
            assets_cover_debt=lead.assets_cover_debt,
        )


@strawberry.input(description="风险提示：被执行人及案件信息 / The risk warning: debtor and case")
class ListingWarnInput:
    case_number: str = strawberry.field(description="案号 / Case number")
    subject: SubjectInput = strawberry.field(description="被执行人 / The debtor")
    legal_representative: str | None = strawberry.field(
        default=None, description="法定代表人（单位必填） / Legal representative (organisations)"
    )
    organisation_code: str | None = strawberry.field(
        default=None,
        description="组织机构代码（旧代码，仅单位，可选；9位，校验码前可有连字符，全角亦可） / The "
        "old organisation code (legal persons only, optional; 9 characters, a dash allowed before "
        "the check character, full-width accepted)",
    )
    basis_document_number: str = strawberry.field(description="执行依据文号 / Basis document")
    basis_issuer: str = strawberry.field(description="作出执行依据单位 / Its issuer")
    obligation: str = strawberry.field(description="生效法律文书确定的义务 / Obligation")
    performance: domain.Performance = strawberry.field(
        default=domain.Performance.NONE, description="履行情况 / Performance"
    )
    performed_part: str = strawberry.field(default="", description="已履行部分 / Performed")
    unperformed_part: str = strawberry.field(default="", description="未履行部分 / Unperformed")
    filed_on: datetime.date | None = strawberry.field(
        default=None, description="立案时间 / Case filed on"
    )
    judge: str | None = strawberry.field(
        default=None, description="承办法官（法官调用时为本人） / Judge (the caller, for a judge)"
    )
    warned_on: datetime.date = strawberry.field(description="风险提示日期 / Warned on")
    document_number: str = strawberry.field(description="风险提示通知文号 / Notice's number")
    reason: str = strawberry.field(default="", description="理由 / Why")


@strawberry.input(description="纳入决定 / The decision to list")
class DecisionInput:
    document_number: str = strawberry.field(description="决定书文号 / Decision's number")
    ground: domain.LegalGround = strawberry.field(description="纳入情形 / Legal ground")
    circumstance: str = strawberry.field(description="失信具体情形 / Circumstance")
    level: domain.DishonestyLevel = strawberry.field(
        default=domain.DishonestyLevel.GENERAL, description="失信等级 / Level"
    )
    extension_years: int = strawberry.field(
        default=0, description="延长年数（1-3） / Extension in years (1-3)"
    )
    publication_allowed: bool = strawberry.field(
        default=True, description="是否可以公开 / May be published"
    )
    employer: str | None = strawberry.field(
        default=None, description="不宜公开时应通报的单位 / Employer to notify instead"
    )

    def to_domain(self, on: datetime.date) -> domain.Decision:
        return domain.Decision(
            document_number=self.document_number.strip(),
            decided_on=on,
            ground=self.ground,
            circumstance=self.circumstance.strip(),
            level=self.level,
            extension_years=self.extension_years,
            publication_allowed=self.publication_allowed,
            employer=(self.employer or "").strip() or None,
        )
