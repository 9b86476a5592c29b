"""The root Query and Mutation types. Who may use each field: ``gateway.auth.policy``."""

from __future__ import annotations

import strawberry

from gateway.resolvers.cases import (
    record_performance,
    resolve_audit_log,
    resolve_case,
    resolve_cases,
    resolve_me,
    save_case,
    set_case_status,
)
from gateway.resolvers.debtors import resolve_debtor, resolve_debtors
from gateway.schema.audit import AuditEntry
from gateway.schema.cases import Case, Me
from gateway.schema.debtor import DebtorProfile


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
