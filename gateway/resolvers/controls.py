"""Thin resolvers for controls: read the arguments, call the controls service, convert.

Who may act is decided in ``gateway.auth.policy`` (``check_control``, ``check_approval``), the
legal checks in ``gateway.domain.control_rules``; both run in the service, before any call.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry import Info

from gateway.auth.policy import check_case_read, check_control
from gateway.domain.cases import CaseNumber, parse_case_number
from gateway.domain.controls import ControlAction
from gateway.domain.errors import ChakongError
from gateway.resolvers.errors import expected_errors
from gateway.schema.context import Context
from gateway.schema.controls import AssetInput, Control, FreezePlan, RegisterEntry
from gateway.services.cases import CaseNotFoundError
from gateway.services.controls import ControlCommand, ControlService
from gateway.services.freezes import FreezeDesk

CaseArg = Annotated[str, strawberry.argument(description="执行案号 / Case number")]
RulingArg = Annotated[
    str, strawberry.argument(description="执行裁定书文号 / Enforcement ruling number")
]
NoticeArg = Annotated[
    str, strawberry.argument(description="协助执行通知书文号 / Assistance notice number")
]
AssetArg = Annotated[
    AssetInput, strawberry.argument(description="财产（须为本案查询返回的） / The asset")
]
UntilArg = Annotated[
    datetime.date,
    strawberry.argument(
        description="截止日（存款、理财不超过1年，其他不超过3年） / Last day (deposits and "
        "wealth products at most 1 year, others 3)"
    ),
]
KeyArg = Annotated[
    str,
    strawberry.argument(
        description="幂等键：相同键与相同输入返回原结果，不重复执行；相同键与不同输入被拒绝 / "
        "Idempotency key: the same key and input replays the result and changes nothing; the "
        "same key with another input is refused (IDEMPOTENCY_KEY_REUSED)"
    ),
]
ControlIdArg = Annotated[str, strawberry.argument(description="查控编号 / The control's id")]


def _service(context: Context) -> ControlService:
    if context.controls is None:
        raise ChakongError("查控不可用", "controls are not available", code="UNAVAILABLE")
    return context.controls


def _desk(context: Context) -> FreezeDesk:
    if context.freezes is None:
        raise ChakongError(
            "查控台账不可用", "the freeze register is not available", code="UNAVAILABLE"
        )
    return context.freezes


async def _one(
    info: Info[Context, None],
    action: ControlAction,
    case_number: str,
    ruling_number: str,
    notice_number: str,
    asset: AssetInput,
    idempotency_key: str,
    amount: Decimal | None = None,
    until: datetime.date | None = None,
) -> Control:
    context = info.context
    command = ControlCommand(
        action,
        parse_case_number(case_number),
        ruling_number,
        notice_number,
        asset.agency.value,
        asset.asset_id,
        amount,
        until,
    )
    (op,) = await _service(context).submit(
        context.principal, context.request_id, [command], idempotency_key
    )
    return Control.from_domain(op)


@expected_errors
async def freeze_asset(
    info: Info[Context, None],
    case_number: CaseArg,
    ruling_number: RulingArg,
    notice_number: NoticeArg,
    asset: AssetArg,
    until: UntilArg,
    idempotency_key: KeyArg,
    amount: Annotated[
        Decimal | None,
        strawberry.argument(description="冻结金额，省略为整项 / Amount; left out: all of it"),
    ] = None,
) -> Control:
    return await _one(
        info,
        ControlAction.FREEZE,
        case_number,
        ruling_number,
        notice_number,
        asset,
        idempotency_key,
        amount,
        until,
    )


@expected_errors
async def seize_asset(
    info: Info[Context, None],
    case_number: CaseArg,
    ruling_number: RulingArg,
    notice_number: NoticeArg,
    asset: AssetArg,
    until: UntilArg,
    idempotency_key: KeyArg,
) -> Control:
    return await _one(
        info,
        ControlAction.SEIZE,
        case_number,
        ruling_number,
        notice_number,
        asset,
        idempotency_key,
        None,
        until,
    )


@expected_errors
async def deduct_asset(
    info: Info[Context, None],
    case_number: CaseArg,
    ruling_number: RulingArg,
    notice_number: NoticeArg,
    asset: AssetArg,
    amount: Annotated[Decimal, strawberry.argument(description="扣划金额 / Amount to deduct")],
    idempotency_key: KeyArg,
) -> Control:
    return await _one(
        info,
        ControlAction.DEDUCT,
        case_number,
        ruling_number,
        notice_number,
        asset,
        idempotency_key,
        amount,
    )


@expected_errors
async def release_control(
    info: Info[Context, None],
    case_number: CaseArg,
    ruling_number: RulingArg,
    notice_number: NoticeArg,
    asset: AssetArg,
    idempotency_key: KeyArg,
) -> Control:
    return await _one(
        info,
        ControlAction.RELEASE,
        case_number,
        ruling_number,
        notice_number,
        asset,
        idempotency_key,
    )


@expected_errors
async def renew_control(
    info: Info[Context, None],
    case_number: CaseArg,
    ruling_number: RulingArg,
    notice_number: NoticeArg,
    asset: AssetArg,
    until: UntilArg,
    idempotency_key: KeyArg,
) -> Control:
    return await _one(
        info,
        ControlAction.RENEW,
        case_number,
        ruling_number,
        notice_number,
        asset,
        idempotency_key,
        None,
        until,
    )


@expected_errors
async def approve_deduction(info: Info[Context, None], control_id: ControlIdArg) -> Control:
    context = info.context
    op = await _service(context).approve(context.principal, context.request_id, control_id)
    return Control.from_domain(op)


@expected_errors
async def decline_deduction(info: Info[Context, None], control_id: ControlIdArg) -> Control:
    context = info.context
    op = await _service(context).decline(context.principal, context.request_id, control_id)
    return Control.from_domain(op)


@expected_errors
async def apply_freeze_plan(
    info: Info[Context, None],
    case_number: CaseArg,
    ruling_number: RulingArg,
    notice_number: NoticeArg,
    idempotency_key: KeyArg,
) -> list[Control]:
    context = info.context
    number = await _controllable(context, case_number, "control.plan")
    ops = await _desk(context).apply_plan(
        context.principal,
        context.request_id,
        number,
        ruling_number,
        notice_number,
        idempotency_key,
    )
    return [Control.from_domain(op) for op in ops]


@expected_errors
async def resolve_freeze_plan(info: Info[Context, None], case_number: CaseArg) -> FreezePlan:
    context = info.context
    number = await _controllable(context, case_number, "control.plan")
    return FreezePlan.from_domain(await _desk(context).plan(context.principal, number))


@expected_errors
async def resolve_controls(info: Info[Context, None], case_number: CaseArg) -> list[Control]:
    context = info.context
    number = await _readable(context, case_number)
    return [Control.from_domain(op) for op in await _service(context).for_case(number)]


@expected_errors
async def resolve_freeze_register(
    info: Info[Context, None],
    case_number: Annotated[
        str | None, strawberry.argument(description="只看该案 / Only this case")
    ] = None,
    mine: Annotated[
        bool, strawberry.argument(description="只看我申请的 / Only the ones I asked for")
    ] = False,
) -> list[RegisterEntry]:
    context = info.context
    number = None if case_number is None else await _readable(context, case_number)
    entries = await _desk(context).register(
        context.principal.court or "",
        case_number=number,
        requested_by=context.principal.names if mine else None,
    )
    return [RegisterEntry.from_domain(e) for e in entries]


@expected_errors
async def resolve_expiring_controls(
    info: Info[Context, None],
    within_days: Annotated[
        int, strawberry.argument(description="多少天内到期 / Ending within this many days")
    ],
    mine: Annotated[
        bool, strawberry.argument(description="只看我申请的 / Only the ones I asked for")
    ] = True,
) -> list[RegisterEntry]:
    context = info.context
    if not 0 <= within_days <= 3660:
        raise ChakongError(
            "withinDays 应在 0 至 3660 之间",
            "withinDays must be between 0 and 3660",
            code="INVALID_INPUT",
        )
    entries = await _desk(context).register(
        context.principal.court or "",
        requested_by=context.principal.names if mine else None,
        within_days=within_days,
    )
    return [RegisterEntry.from_domain(e) for e in entries]


async def _readable(context: Context, case_number: str) -> CaseNumber:
    """A case of the caller's court (its controls are read by its judges and systems)."""
    number = parse_case_number(case_number)
    case = await context.case(number)
    if case is None:
        raise CaseNotFoundError(number)
    await context.enforce(
        lambda: check_case_read(context.principal, case),
        action="control.read",
        case_number=number.canonical,
    )
    return number


async def _controllable(context: Context, case_number: str, action: str) -> CaseNumber:
    number = parse_case_number(case_number)
    case = await context.case(number)
    await context.enforce(
        lambda: check_control(context.principal, case), action=action, case_number=number.canonical
    )
    return number
