"""Who may do what: the one place where permissions are decided.

Two layers, both here:

* ``ROOT_FIELDS``: which roles may select each root field of the schema. It is checked before
  execution (``FieldPermissions``), so a refused operation runs no resolver. A root field that is
  not in the table is refused to everyone: a new operation must be added here to be reachable,
  and a test checks that every root field of the schema is listed.
* The scope rules that depend on data: a judge or court system sees only its own court's cases,
  a judge inquires only in cases assigned to them, only while the case is open, and only about
  its debtors (``check_inquiry``, ``check_case_read``, ``check_case_write``).

Every refusal is a ``PermissionDeniedError`` (403) or ``AuthenticationError`` (401) with a
stable code; the callers audit it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from gateway.auth.principal import APPROVE_DEDUCTIONS, Principal, Role
from gateway.domain.errors import AuthenticationError, PermissionDeniedError
from gateway.domain.subjects import Subject

if TYPE_CHECKING:
    from gateway.domain.register import Case

ANYONE = frozenset(Role)
AUTHENTICATED = frozenset(Role) - {Role.PUBLIC}
INQUIRERS = frozenset({Role.JUDGE, Role.COURT_SYSTEM})

LISTING_MUTATIONS = (
    "warnDebtor",
    "withdrawListingWarning",
    "decideListing",
    "publishListing",
    "notifyListingEmployer",
    "applyListingCorrection",
    "acceptListingCorrection",
    "rejectListingCorrection",
    "applyListingReconsideration",
    "upholdListing",
    "revokeListingOnReconsideration",
    "reportListingExit",
    "maskListing",
    "revokeListing",
    "expireListing",
    "liftListing",
    "relistDebtor",
)
JUDGES = frozenset({Role.JUDGE})

ROOT_FIELDS: Mapping[str, frozenset[Role]] = {
    # controls (查控): a judge assigned to the case (check_control); approvals by a second
    # judge of the court with the approve_deductions permission (check_approval)
    "Query.controls": INQUIRERS,
    "Query.freezeRegister": INQUIRERS,
    "Query.expiringControls": INQUIRERS,
    "Query.freezePlan": JUDGES,
    "Mutation.freezeAsset": JUDGES,
    "Mutation.seizeAsset": JUDGES,
    "Mutation.deductAsset": JUDGES,
    "Mutation.releaseControl": JUDGES,
    "Mutation.renewControl": JUDGES,
    "Mutation.applyFreezePlan": JUDGES,
    "Mutation.approveDeduction": JUDGES,
    "Mutation.declineDeduction": JUDGES,
    # asset inquiries: only for a case of the caller's court (see check_inquiry)
    "Query.debtor": INQUIRERS,
    "Query.debtors": INQUIRERS,
    # the case register: read by the court's judges and systems, written by its systems
    "Query.case": INQUIRERS,
    "Query.cases": INQUIRERS,
    "Mutation.saveCase": frozenset({Role.COURT_SYSTEM}),
    "Mutation.setCaseStatus": frozenset({Role.COURT_SYSTEM}),
    "Mutation.recordPerformance": frozenset({Role.COURT_SYSTEM}),
    # the dishonest-debtor list: the executing court's judges and systems (the higher court's
    # for reconsideration: check_listing_event); the public query is anyone's
    "Query.listingEntry": INQUIRERS,
    "Query.listingEntries": INQUIRERS,
    "Query.listingOverdue": INQUIRERS,
    "Query.listingAccountability": INQUIRERS,
    "Query.listingLeads": INQUIRERS,
    "Query.publicListing": ANYONE,
    **{f"Mutation.{name}": INQUIRERS for name in LISTING_MUTATIONS},
    # the audit log
    "Query.auditLog": frozenset({Role.ADMIN}),
    # who am I: anyone, so a caller can check a token
    "Query.me": ANYONE,
    # the schema itself, only to callers with a token
    "Query.__schema": AUTHENTICATED,
    "Query.__type": AUTHENTICATED,
    "Query.__typename": ANYONE,
    "Mutation.__typename": ANYONE,
}


def unauthenticated() -> AuthenticationError:
    return AuthenticationError(
        "需要登录：请在 Authorization 头中提供 Bearer 令牌",
        "authentication required: send a Bearer token in the Authorization header",
    )


def check_root_fields(principal: Principal, fields: Iterable[str]) -> None:
    """Refuse the operation if any of its root fields (``Query.debtor``) is not for this role."""
    for name in fields:
        allowed = ROOT_FIELDS.get(name, frozenset())
        if principal.role in allowed:
            continue
        if not principal.authenticated and allowed:
            raise unauthenticated()
        raise PermissionDeniedError(
            f"角色 {principal.role.value} 无权使用 {name}",
            f"the role {principal.role.value} may not use {name}",
            code="FORBIDDEN_OPERATION",
        )


def check_case_read(principal: Principal, case: Case) -> None:
    """Judges and systems read the cases of their own court."""
    if principal.role not in INQUIRERS or principal.court != case.court:
        raise PermissionDeniedError(
            "只能查看本院的案件",
            "only the cases of your own court are visible",
            code="FORBIDDEN_COURT",
        )


def check_case_write(principal: Principal, court: str) -> None:
    """A court's case system writes the cases of its court, and nothing else does."""
    if principal.role is not Role.COURT_SYSTEM or principal.court != court:
        raise PermissionDeniedError(
            "只能登记本院的案件",
            "only your own court's cases can be written",
            code="FORBIDDEN_COURT",
        )


def check_inquiry(principal: Principal, case: Case | None, subjects: Sequence[Subject]) -> None:
    """An asset inquiry: the caller's court's open case, assigned to the judge, about its debtors.

    Information may be used only for the case it was requested for, and no measure may be
    taken against anyone who is not a debtor in that case: a creditor of the case is refused too.
    Of the case's parties only those among ``subjects`` are looked at, so ``case`` may carry
    just these (``Context.case_for_subjects`` reads no others).
    """
    if principal.role not in INQUIRERS:
        raise PermissionDeniedError(
            "该角色不能查询财产",
            "this role may not make asset inquiries",
            code="FORBIDDEN_OPERATION",
        )
    case = _case_in_scope(principal, case, "查询", "inquiry")
    if not case.is_open:
        raise PermissionDeniedError(
            f"案件状态为{case.status.label_zh}，不能查询",
            f"the case is {case.status.name}: no inquiry",
            code="CASE_NOT_OPEN",
        )
    _debtors_of(case, subjects, "查询对象", "subject")


def _case_in_scope(principal: Principal, case: Case | None, doing_zh: str, doing_en: str) -> Case:
    """The case, when it is registered, of the caller's court, and assigned to the judge."""
    if case is None:
        raise PermissionDeniedError(
            f"案件未在案件登记中，不能{doing_zh}；请先由本院案件系统登记",
            "the case is not in the case register: the court's case system must register it "
            f"before any {doing_en}",
            code="CASE_NOT_REGISTERED",
        )
    if principal.court != case.court:
        raise PermissionDeniedError(
            f"不能{doing_zh}其他法院的案件",
            "the case belongs to another court",
            code="FORBIDDEN_COURT",
        )
    if principal.role is Role.JUDGE and principal.judge not in case.judges:
        raise PermissionDeniedError(
            "您不是该案的承办法官", "you are not a judge assigned to this case", code="NOT_ASSIGNED"
        )
    return case


def _debtors_of(case: Case, subjects: Sequence[Subject], label_zh: str, label_en: str) -> None:
    """Is every one of ``subjects`` a debtor of ``case``? (``NOT_A_DEBTOR`` for the first not.)"""
    debtors = {party.subject.key for party in case.debtors()}
    for index, subject in enumerate(subjects):
        if subject.key not in debtors:
            batch = len(subjects) > 1
            where = f"{label_en}s[{index}]" if batch else label_en
            where_zh = f"第{index + 1}个{label_zh}" if batch else label_zh
            raise PermissionDeniedError(
                f"{where_zh}（{subject.masked_id}）不是本案的被执行人",
                f"{where} ({subject.masked_id}) is not a debtor of this case",
                code="NOT_A_DEBTOR",
            )


def check_listing_warning(
    principal: Principal, court: str, case: Case | None, subject: Subject
) -> None:
    """A risk warning, which opens a list entry: recorded by the executing court's judges and
    systems (``check_listing_event``), in a case of the register assigned to the judge, about
    a debtor of that case. No one else may be brought towards the list: not a creditor, not a
    stranger, not a debtor of a case the judge is not assigned to. ``court`` is the case
    number's."""
    check_listing_event(principal, court, None, by_higher_court=False)
    case = _case_in_scope(principal, case, "发出风险提示", "risk warning")
    _debtors_of(case, [subject], "被提示人", "subject")


def check_listing_read(principal: Principal, court: str, higher: str | None) -> None:
    """A list entry is read by its executing court, and by the court above it (which decides
    reconsideration)."""
    if principal.role not in INQUIRERS or principal.court not in {court, higher}:
        raise PermissionDeniedError(
            "只能查看本院（或下级法院）的名单条目",
            "only your own court's (or a lower court's) list entries are visible",
            code="FORBIDDEN_COURT",
        )


def check_listing_event(
    principal: Principal, court: str, higher: str | None, *, by_higher_court: bool
) -> None:
    """An event is recorded by the executing court's judges and systems; reconsideration (its
    application and its outcome) by the next-higher court's (淮安实施方案 四(一)3)."""
    if principal.role not in INQUIRERS:
        raise PermissionDeniedError(
            "该角色不能记录名单事件",
            "this role may not record list events",
            code="FORBIDDEN_OPERATION",
        )
    if by_higher_court and principal.court != higher:
        raise PermissionDeniedError(
            f"复议由上一级法院（{higher}）办理",
            f"reconsideration is for the next-higher court ({higher})",
            code="FORBIDDEN_COURT",
        )
    if not by_higher_court and principal.court != court:
        raise PermissionDeniedError(
            "只有执行法院可以记录该事件",
            "only the executing court may record this event",
            code="FORBIDDEN_COURT",
        )


def check_control(principal: Principal, case: Case | None) -> None:
    """A control: a judge assigned to an open case of their court (the debtor and the asset are
    the legal checks' to decide, ``gateway.domain.control_rules``)."""
    if principal.role is not Role.JUDGE:
        raise PermissionDeniedError(
            "只有承办法官可以查控",
            "only an assigned judge may make controls",
            code="FORBIDDEN_OPERATION",
        )
    check_inquiry(principal, case, ())


def check_approval(principal: Principal, court: str, requested_by: str) -> None:
    """Maker-checker: a second judge of the same court, holding ``approve_deductions``; the
    same judge with another token (another ``sub``) is the same person (``Principal.names``)."""
    if principal.role is not Role.JUDGE or principal.court != court:
        raise PermissionDeniedError(
            "只有本院法官可以审批扣划",
            "only a judge of the same court may approve a deduction",
            code="FORBIDDEN_COURT",
        )
    if requested_by in principal.names:
        raise PermissionDeniedError(
            "不能审批自己申请的扣划",
            "you cannot approve your own deduction request",
            code="SELF_APPROVAL",
        )
    if APPROVE_DEDUCTIONS not in principal.permissions:
        raise PermissionDeniedError(
            "您没有审批扣划的权限",
            "you do not hold the permission to approve deductions",
            code="NOT_AN_APPROVER",
        )
