"""The root Query type."""

from __future__ import annotations

import strawberry

from gateway.resolvers.debtors import resolve_debtor, resolve_debtors
from gateway.schema.debtor import DebtorProfile


@strawberry.type(description="查询 / Queries")
class Query:
    debtor: DebtorProfile = strawberry.field(
        resolver=resolve_debtor,
        description=(
            "向各协作单位查询一名被执行人的财产，各单位并发询问 / Ask every agency, concurrently, "
            "about one debtor's assets"
        ),
    )
    debtors: list[DebtorProfile] = strawberry.field(
        resolver=resolve_debtors,
        description=(
            "批量查询多名被执行人：每个单位只调用一次 / Ask about many debtors at once: one call "
            "per agency for the whole batch"
        ),
    )
