"""The top of the GraphQL layers: the root ``Query`` and ``Mutation`` types, which bind the
resolvers to their fields, and ``build_schema``.

The layers run one way: ``domain`` <- ``store`` <- ``services`` <- ``schema`` (types, the
per-request context, extensions) <- ``resolvers`` <- this module <- ``http``, ``app``, ``cli``.
Who may use each root field: ``gateway.auth.policy``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, ParserCache, SchemaExtension, ValidationCache
from strawberry.types import ExecutionContext

from gateway.domain.errors import INTERNAL_ERROR_MESSAGE
from gateway.resolvers.cases import (
    record_performance,
    resolve_audit_log,
    resolve_case,
    resolve_cases,
    resolve_me,
    save_case,
    set_case_status,
)
from gateway.resolvers.controls import (
    apply_freeze_plan,
    approve_deduction,
    decline_deduction,
    deduct_asset,
    freeze_asset,
    release_control,
    renew_control,
    resolve_controls,
    resolve_expiring_controls,
    resolve_freeze_plan,
    resolve_freeze_register,
    seize_asset,
)
from gateway.resolvers.debtors import resolve_debtor, resolve_debtors
from gateway.schema.audit import AuditEntry
from gateway.schema.cases import Case, Me
from gateway.schema.controls import Control, FreezePlan, RegisterEntry
from gateway.schema.debtor import DebtorProfile
from gateway.schema.permissions import FieldPermissions


@strawberry.type(description="查询 / Queries")
class Query:
    debtor: DebtorProfile = strawberry.field(
        resolver=resolve_debtor,
        description=(
            "向各协作单位查询一名被执行人的财产，各单位并发询问。仅限本院执行中案件的被执行人，法官须"
            "为承办法官 / Ask every agency, concurrently, about one debtor's assets: only a debtor "
            "of an open case of the caller's court, and for a judge only in the cases assigned to "
            "them"
        ),
    )
    debtors: list[DebtorProfile] = strawberry.field(
        resolver=resolve_debtors,
        description=(
            "批量查询同一案件的多名被执行人：每个单位只调用一次 / Ask about many debtors of one "
            "case at once: one call per agency for the whole batch"
        ),
    )
    case: Case | None = strawberry.field(
        resolver=resolve_case,
        description="本院的一个案件；未登记时为 null / One case of the caller's court; null if "
        "not registered",
    )
    cases: list[Case] = strawberry.field(
        resolver=resolve_cases,
        description="本院的案件，最近登记的在前 / The caller's court's cases, newest first",
    )
    me: Me = strawberry.field(
        resolver=resolve_me,
        description="当前调用者（可用于检查令牌） / Who is calling (to check a token)",
    )
    audit_log: list[AuditEntry] = strawberry.field(
        resolver=resolve_audit_log,
        description="审计日志（仅管理员），新的在前 / The audit log (ADMIN only), newest first",
    )
    controls: list[Control] = strawberry.field(
        resolver=resolve_controls,
        description="本案的全部查控（含待审批、待核实的） / Every control of a case, whatever "
        "its state",
    )
    freeze_register: list[RegisterEntry] = strawberry.field(
        resolver=resolve_freeze_register,
        description="查控台账：本院有效的冻结和查封，先到期的在前 / The freeze register: the "
        "court's freezes and seizures in force, soonest end first",
    )
    expiring_controls: list[RegisterEntry] = strawberry.field(
        resolver=resolve_expiring_controls,
        description="即将到期、需续行的冻结和查封 / Freezes and seizures ending soon: the "
        "renewal list",
    )
    freeze_plan: FreezePlan = strawberry.field(
        resolver=resolve_freeze_plan,
        description="冻结方案：按最近一次查询，现金类优先、不超标的 / A freeze plan from the "
        "latest inquiry: cash-like first, never beyond the debt",
    )


@strawberry.type(description="变更 / Mutations")
class Mutation:
    save_case: Case = strawberry.field(
        resolver=save_case,
        description="登记或整体替换本院的一个案件（法院案件系统） / Register or replace a case of "
        "the caller's court (court systems)",
    )
    set_case_status: Case = strawberry.field(
        resolver=set_case_status,
        description="修改案件状态（法院案件系统） / Set a case's status (court systems)",
    )
    record_performance: Case = strawberry.field(
        resolver=record_performance,
        description="登记累计已履行金额（法院案件系统） / Record the total amount performed so "
        "far (court systems)",
    )
    freeze_asset: Control = strawberry.field(
        resolver=freeze_asset,
        description="冻结（存款、理财、公积金、股权、证券），恰好一次 / Freeze an asset, exactly "
        "once",
    )
    seize_asset: Control = strawberry.field(
        resolver=seize_asset,
        description="查封不动产、土地，恰好一次；已有查封时轮候 / Seize real estate or land, "
        "exactly once; queued behind an earlier seizure",
    )
    deduct_asset: Control = strawberry.field(
        resolver=deduct_asset,
        description="扣划本案已冻结的款项；超过设定金额须第二名法官审批 / Deduct from what this "
        "case froze; above the configured amount a second judge must approve",
    )
    release_control: Control = strawberry.field(
        resolver=release_control,
        description="解除本案对该财产的冻结或查封 / Release this case's freeze or seizure",
    )
    renew_control: Control = strawberry.field(
        resolver=renew_control,
        description="到期前续行冻结或查封 / Renew a freeze or seizure before it ends",
    )
    apply_freeze_plan: list[Control] = strawberry.field(
        resolver=apply_freeze_plan,
        description="按冻结方案一次办理，每项恰好一次 / Apply the freeze plan, each control "
        "exactly once",
    )
    approve_deduction: Control = strawberry.field(
        resolver=approve_deduction,
        description="审批他人申请的扣划并发送（需审批权限） / Approve another judge's deduction, "
        "which is then sent (approver permission)",
    )
    decline_deduction: Control = strawberry.field(
        resolver=decline_deduction,
        description="不予批准扣划（不会发送） / Decline a deduction (it is never sent)",
    )


def _should_mask(error: GraphQLError) -> bool:
    """Mask unexpected errors of resolvers; keep expected ones (they carry a code) and every
    error about the request itself: syntax, validation and variable coercion (these have no
    ``path``, as they happen before any field is resolved)."""
    if error.extensions and "code" in error.extensions:
        return False
    if not error.path:
        return False
    return not isinstance(error.original_error, GraphQLError | None)


class GatewaySchema(strawberry.Schema):
    """Strawberry's schema, logging only unexpected errors (expected ones are answers)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        unexpected = [e for e in errors if _should_mask(e)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def build_schema(
    extensions: Sequence[Callable[[], SchemaExtension]] = (),
) -> strawberry.Schema:
    """The gateway's schema.

    Court systems send the same few operations again and again with new variables: parsing and
    validating each of them once saves more than half of the CPU of a full-profile inquiry
    (``bench/fanout``). The caches are bounded LRUs, so literal-laden one-off queries only churn.

    ``extensions`` (factories, such as ``gateway.schema.limits.limit_extensions(...)``) run after
    the caches, so their validation hooks see the cached validation's result, and before
    ``MaskErrors``.
    """
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        extensions=[
            # factories: strawberry keeps one LRU per maxsize, shared by every request
            functools.partial(ParserCache, maxsize=256),
            functools.partial(ValidationCache, maxsize=256),
            FieldPermissions,  # before any limit: who may ask at all comes first
            *extensions,
            functools.partial(
                MaskErrors,
                should_mask_error=_should_mask,
                error_message=INTERNAL_ERROR_MESSAGE,
            ),
        ],
    )


__all__ = ["Mutation", "Query", "build_schema"]
