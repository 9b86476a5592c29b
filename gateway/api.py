"""The top of the GraphQL layers: the root ``Query`` and ``Mutation`` types, which bind the
resolvers to their fields, and ``build_schema``.

The layers run one way: ``domain`` <- ``store`` <- ``services`` <- ``schema`` (types, the
per-request context, extensions) <- ``resolvers`` <- this module <- ``http``, ``app``, ``cli``.
Who may use each root field: ``gateway.auth.policy``.
"""

from __future__ import annotations

import decimal
import functools
from collections.abc import Callable, Sequence

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, ParserCache, SchemaExtension
from strawberry.types import ExecutionContext

from gateway.domain.errors import INTERNAL_ERROR_EN, INTERNAL_ERROR_MESSAGE, INTERNAL_ERROR_ZH
from gateway.resolvers import listing as listing_resolvers
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
from gateway.schema.inputs import TextInputs
from gateway.schema.listing import (
    AccountabilityRow,
    ListingEntry,
    ListingLead,
    OverdueItem,
    PublicListingEntry,
)
from gateway.schema.money import MONEY
from gateway.schema.permissions import FieldPermissions
from gateway.schema.plain_fields import PlainFieldsExecutionContext, read_plain_fields_directly
from gateway.schema.validation import ValidationCache, ValidationsByText


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
    listing_entry: ListingEntry | None = strawberry.field(
        resolver=listing_resolvers.resolve_listing_entry,
        description="一个名单条目及其全部事件（执行法院及其上一级法院） / One list entry and its "
        "history (the executing court and the court above it)",
    )
    listing_entries: list[ListingEntry] = strawberry.field(
        resolver=listing_resolvers.resolve_listing_entries,
        description="本院的名单条目（上一级法院另见下级法院复议中的条目），新的在前 / The "
        "caller's court's list entries (a higher court's also those of the courts below it under "
        "reconsideration), newest first",
    )
    listing_overdue: list[OverdueItem] = strawberry.field(
        resolver=listing_resolvers.resolve_listing_overdue,
        description="本院逾期未办的名单事项（责任追究） / What the caller's court has not done "
        "in time (accountability)",
    )
    listing_leads: list[ListingLead] = strawberry.field(
        resolver=listing_resolvers.resolve_listing_leads,
        description="纳入线索：执行中、长期未履行且无名单条目的被执行人，附本案查询发现的财产；"
        "财产足以清偿者在前（仅供判断，不自动纳入） / Leads: debtors of open cases long "
        "unperformed with no entry, with what the inquiries in the case found; those whose "
        "assets cover the debt first (never listed automatically)",
    )
    listing_accountability: list[AccountabilityRow] = strawberry.field(
        resolver=listing_resolvers.resolve_listing_accountability,
        description="按法官统计的逾期事项 / Overdue items counted per judge",
    )
    public_listing: list[PublicListingEntry] = strawberry.field(
        resolver=listing_resolvers.resolve_public_listing,
        description="公开查询（无需登录）：姓名加证件号码片段；只含已公布、未屏蔽的条目，证件号码"
        "隐去出生月日，从不含未成年人 / The public query (no token): a name and a fragment of "
        "the ID number; only published, unmasked entries, the birth month and day hidden, never "
        "a minor",
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
    warn_debtor: ListingEntry = strawberry.field(
        resolver=listing_resolvers.warn_debtor,
        description="风险提示：为本院已登记案件的被执行人建立名单条目（法官须为承办法官；"
        "同一案件每名被执行人仅一个有效条目） / Risk warning: open an entry for a debtor of a "
        "registered case of the caller's court (a judge must be assigned to it; one standing "
        "entry per debtor and case)",
    )
    withdraw_listing_warning: ListingEntry = strawberry.field(
        resolver=listing_resolvers.withdraw_warning,
        description="风险提示后不予纳入 / Withdraw a warning (not listed)",
    )
    decide_listing: ListingEntry = strawberry.field(
        resolver=listing_resolvers.decide,
        description="决定纳入失信名单 / Decide to list",
    )
    publish_listing: ListingEntry = strawberry.field(
        resolver=listing_resolvers.publish,
        description="向社会公布 / Publish",
    )
    notify_listing_employer: ListingEntry = strawberry.field(
        resolver=listing_resolvers.notify_employer,
        description="不宜公开的，通报所在单位 / Notify the employer instead of publishing",
    )
    apply_listing_correction: ListingEntry = strawberry.field(
        resolver=listing_resolvers.apply_correction,
        description="登记纠正申请 / Record a correction application",
    )
    accept_listing_correction: ListingEntry = strawberry.field(
        resolver=listing_resolvers.accept_correction,
        description="纠正理由成立，撤销 / Correction accepted: revoke",
    )
    reject_listing_correction: ListingEntry = strawberry.field(
        resolver=listing_resolvers.reject_correction,
        description="纠正理由不成立，驳回 / Correction rejected",
    )
    apply_listing_reconsideration: ListingEntry = strawberry.field(
        resolver=listing_resolvers.apply_reconsideration,
        description="登记复议申请（上一级法院） / Record a reconsideration application (the "
        "higher court)",
    )
    uphold_listing: ListingEntry = strawberry.field(
        resolver=listing_resolvers.uphold,
        description="复议维持（上一级法院） / Reconsideration: upheld (the higher court)",
    )
    revoke_listing_on_reconsideration: ListingEntry = strawberry.field(
        resolver=listing_resolvers.revoke_on_reconsideration,
        description="复议撤销（上一级法院） / Reconsideration: revoked (the higher court)",
    )
    report_listing_exit: ListingEntry = strawberry.field(
        resolver=listing_resolvers.report_exit,
        description="全部履行、和解履行完毕或终结执行 / Performed, settlement performed, or "
        "terminated",
    )
    mask_listing: ListingEntry = strawberry.field(
        resolver=listing_resolvers.mask,
        description="屏蔽 / Mask (hide from the public; history stays)",
    )
    revoke_listing: ListingEntry = strawberry.field(
        resolver=listing_resolvers.revoke,
        description="撤销 / Revoke",
    )
    expire_listing: ListingEntry = strawberry.field(
        resolver=listing_resolvers.expire,
        description="有效期届满，屏蔽 / Validity ended: mask",
    )
    lift_listing: ListingEntry = strawberry.field(
        resolver=listing_resolvers.lift,
        description="提供有效担保，解除惩戒 / A valid guarantee: lift the punishment",
    )
    relist_debtor: ListingEntry = strawberry.field(
        resolver=listing_resolvers.relist,
        description="重新纳入 / Re-list with a new decision",
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


class CodedMaskErrors(MaskErrors):
    """strawberry's masking, the masked error coded as every other (``INTERNAL_ERROR``, with
    its message in each language), not bare text: a client tells errors apart by code."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {
            "code": "INTERNAL_ERROR",
            "messageZh": INTERNAL_ERROR_ZH,
            "messageEn": INTERNAL_ERROR_EN,
        }
        return masked


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

    Plain attribute fields resolve with one ``getattr`` instead of strawberry's wrapper around it,
    and those of a scalar or enum type are completed in one step (``gateway.schema.plain_fields``):
    the same answers, less CPU per field of a large batch. An execution is freed by reference
    counting once its answer is built, not left for the garbage collector
    (``gateway.schema.execution``).
    """
    schema = GatewaySchema(
        query=Query,
        mutation=Mutation,
        execution_context_class=PlainFieldsExecutionContext,
        scalar_overrides={decimal.Decimal: MONEY},  # amounts in ASCII digits (NFKC)
        extensions=[
            # factories, an instance per request; the caches behind them are shared by every
            # request: strawberry keeps one parse LRU per maxsize, and the validations (keyed on
            # the query's text, not its parsed document: gateway.schema.validation) are this
            # schema's own
            functools.partial(ParserCache, maxsize=256),
            functools.partial(ValidationCache, ValidationsByText(maxsize=256)),
            FieldPermissions,  # before any limit: who may ask at all comes first
            TextInputs,  # no text with a control character or lone surrogate gets further
            *extensions,
            functools.partial(
                CodedMaskErrors,
                should_mask_error=_should_mask,
                error_message=INTERNAL_ERROR_MESSAGE,
            ),
        ],
    )
    read_plain_fields_directly(schema)
    return schema


__all__ = ["Mutation", "Query", "build_schema"]
