"""查控 / Controls: operations, the freeze register and the freeze plan, as GraphQL types."""

from __future__ import annotations

import datetime
from decimal import Decimal

import strawberry

from gateway.domain import controls as domain
from gateway.schema.common import AgencyEnum
from gateway.services import freezes

ControlAction = strawberry.enum(
    domain.ControlAction,
    name="ControlAction",
    description="查控措施：FREEZE 冻结，SEIZE 查封，DEDUCT 扣划，RELEASE 解除，RENEW 续行 / "
    "The measure: freeze, seize, deduct, release, renew",
)
ControlState = strawberry.enum(
    domain.OperationState,
    name="ControlState",
    description="查控状态：AWAITING_APPROVAL 待第二名法官审批，DECLINED 审批未通过（未发送），"
    "PENDING 已登记、发送中，APPLIED 已执行，REJECTED 协作单位拒绝，UNKNOWN 结果未知、待核实（不是"
    "失败，不要重新申请） / AWAITING_APPROVAL (a second judge must approve), DECLINED (never "
    "sent), PENDING (recorded, being sent), APPLIED, REJECTED by the agency, UNKNOWN (to be "
    "reconciled: not a failure, do not ask again)",
)


@strawberry.input(
    description="要查控的财产（须为本案查询返回的财产） / The asset, as an "
    "inquiry in this case returned it"
)
class AssetInput:
    agency: AgencyEnum = strawberry.field(description="协作单位 / The agency")
    asset_id: str = strawberry.field(
        description="财产标识（账号、不动产单元号、股权标识等） / The agency's asset id"
    )


@strawberry.type(description="一项查控 / One control, as the gateway recorded it")
class Control:
    id: str = strawberry.field(description="查控编号 / The control's id")
    request_id: str = strawberry.field(
        description="发给协作单位的请求编号（每次发送相同） / The requestId sent to the agency "
        "(the same on every attempt)"
    )
    case_number: str = strawberry.field(description="案号 / Case number")
    action: domain.ControlAction = strawberry.field(description="措施 / Measure")
    agency: AgencyEnum = strawberry.field(description="协作单位 / Agency")
    asset_id: str = strawberry.field(description="财产标识 / Asset id")
    asset_class: str = strawberry.field(description="财产类别 / Asset class")
    inquiry_audit_seq: int | None = strawberry.field(
        description="返回该财产的查询的审计序号 / The audit entry of the inquiry that returned "
        "the asset"
    )
    ruling_number: str = strawberry.field(description="执行裁定书文号 / Ruling number")
    notice_number: str = strawberry.field(description="协助执行通知书文号 / Notice number")
    amount: Decimal | None = strawberry.field(description="金额 / Amount asked")
    applied_amount: Decimal | None = strawberry.field(
        description="协作单位实际执行的金额 / What the agency applied"
    )
    starts_on: datetime.date | None = strawberry.field(description="起始日 / From")
    until: datetime.date | None = strawberry.field(description="截止日 / Until")
    target_id: str | None = strawberry.field(
        description="所针对的冻结或查封 / The freeze or seizure acted upon"
    )
    state: domain.OperationState = strawberry.field(description="状态 / State")
    requested_by: str = strawberry.field(
        description="申请法官（法院:法官编号） / Requested by (judge:court:judge id)"
    )
    approved_by: str | None = strawberry.field(
        description="审批法官（法院:法官编号） / Approved by (judge:court:judge id)"
    )
    attempts: int = strawberry.field(description="发送次数 / Attempts")
    reference: str | None = strawberry.field(description="协作单位回执号 / Agency reference")
    message: str | None = strawberry.field(description="说明 / What happened")
    excess_reason: str | None = strawberry.field(
        description="超出标的额的理由（不可分割财产） / Why beyond the debt (indivisible asset)"
    )
    queue_position: int | None = strawberry.field(
        description="轮候顺位（1 为下一顺位；空为已生效） / Place in the queue of seizures"
    )
    created_at: datetime.datetime = strawberry.field(description="登记时间 / Recorded at")
    updated_at: datetime.datetime = strawberry.field(description="更新时间 / Updated at")

    @staticmethod
    def from_domain(op: domain.ControlOperation) -> Control:
        return Control(
            id=op.id,
            request_id=op.request_id,
            case_number=op.case_number,
            action=op.action,
            agency=op.agency,  # type: ignore[arg-type]  # the enum serialises its value
            asset_id=op.asset_id,
            asset_class=op.asset_class,
            inquiry_audit_seq=op.inquiry_seq,
            ruling_number=op.ruling_number,
            notice_number=op.notice_number,
            amount=op.amount,
            applied_amount=op.applied_amount,
            starts_on=op.starts_on,
            until=op.until,
            target_id=op.target_id,
            state=op.state,
            requested_by=op.requested_by,
            approved_by=op.approved_by,
            attempts=op.attempts,
            reference=op.reference,
            message=op.message,
            excess_reason=op.excess_reason,
            queue_position=op.queue_position,
            created_at=op.created_at,
            updated_at=op.updated_at,
        )


@strawberry.type(description="查控台账中的一项（有效的冻结或查封） / A freeze or seizure in force")
class RegisterEntry:
    control: Control = strawberry.field(description="冻结或查封 / The freeze or seizure")
    starts_on: datetime.date | None = strawberry.field(description="起始日 / From")
    ends_on: datetime.date | None = strawberry.field(
        description="到期日（含续行） / Ends on, renewals included"
    )
    held: Decimal = strawberry.field(description="扣划后仍冻结的金额 / Still held after deductions")
    days_left: int | None = strawberry.field(description="剩余天数 / Days left")
    queue_position: int | None = strawberry.field(
        description="今日的轮候顺位（1 为下一顺位；空为已生效；轮候期间无起止日） / Place in the "
        "queue of seizures today (none: in force; a queued seizure has no dates yet)"
    )

    @staticmethod
    def from_domain(entry: freezes.RegisterEntry) -> RegisterEntry:
        return RegisterEntry(
            control=Control.from_domain(entry.control),
            starts_on=entry.starts_on,
            ends_on=entry.ends_on,
            held=entry.held,
            days_left=entry.days_left,
            queue_position=entry.queue_position,
        )


@strawberry.type(description="冻结方案中的一项 / One item of a freeze plan")
class PlanItem:
    agency: AgencyEnum = strawberry.field(description="协作单位 / Agency")
    asset_id: str = strawberry.field(description="财产标识 / Asset id")
    asset_class: str = strawberry.field(description="财产类别 / Asset class")
    label: str = strawberry.field(description="财产说明 / What it is")
    value: Decimal | None = strawberry.field(description="查询时的价值 / Value at the inquiry")
    action: domain.ControlAction = strawberry.field(description="措施 / Measure")
    amount: Decimal | None = strawberry.field(
        description="冻结金额（空为整项） / Amount (null: the whole asset)"
    )
    until: datetime.date = strawberry.field(description="截止日 / Until")
    reason: str = strawberry.field(description="理由 / Why")


@strawberry.type(description="冻结方案 / A freeze plan")
class FreezePlan:
    case_number: str = strawberry.field(description="案号 / Case number")
    unperformed: Decimal = strawberry.field(description="未履行金额 / Unperformed")
    fees: Decimal = strawberry.field(description="执行申请费 / Execution fees")
    already_held: Decimal = strawberry.field(description="本案已冻结 / Already held")
    items: list[PlanItem] = strawberry.field(description="建议查控的财产 / Proposed controls")
    shortfall: Decimal = strawberry.field(description="仍不足的金额 / Still uncovered")

    @staticmethod
    def from_domain(plan: freezes.FreezePlan) -> FreezePlan:
        return FreezePlan(
            case_number=plan.case_number,
            unperformed=plan.unperformed,
            fees=plan.fees,
            already_held=plan.already_held,
            items=[
                PlanItem(
                    agency=i.asset.agency,  # type: ignore[arg-type]
                    asset_id=i.asset.asset_id,
                    asset_class=i.asset.asset_class,
                    label=i.asset.label,
                    value=i.asset.value,
                    action=i.action,
                    amount=i.amount,
                    until=i.until,
                    reason=i.reason,
                )
                for i in plan.items
            ],
            shortfall=plan.shortfall,
        )
