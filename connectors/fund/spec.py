"""住房公积金: the agency, declared once (see ``connectors.spec``)."""

from __future__ import annotations

from collections.abc import Iterator

from connectors.fund.records import FundRecords
from connectors.spec import AgencySpec, ExampleSubject
from gateway.domain.controls import Asset
from gateway.domain.subjects import SubjectKind
from gateway.domain.summary import AssetClass, Tallies

ASSET_CLASSES = (
    AssetClass("fund_balance", "fund", "公积金余额 / provident fund balance", rank=30),
)


def tally(records: FundRecords, tallies: Tallies) -> None:
    fund = tallies["fund_balance"]
    for account in records.accounts:
        if account.status != "销户":
            fund.count += 1
            fund.add(account.balance)
    fund.encumbered += len({f.account_number for f in records.freezes})


def assets(records: FundRecords) -> Iterator[Asset]:
    held: dict[str, list[str]] = {}
    for freeze in records.freezes:
        held.setdefault(freeze.account_number, []).append(freeze.case_number)
    for account in records.accounts:
        yield Asset(
            "fund",
            account.account_number,
            "fund_balance",
            account.balance,
            "CNY",
            account.centre,
            tuple(held.get(account.account_number, ())),
        )


SPEC = AgencySpec(
    name="fund",
    name_zh="住房公积金",
    title_zh="住房公积金管理中心 公积金账户、公积金贷款与冻结查询接口",
    title_en="Housing provident fund centre: fund accounts, fund loans and freezes",
    profile_doc="住房公积金：账户、贷款、冻结 / Provident fund: accounts, loans, freezes",
    records=FundRecords,
    subject_kinds=frozenset({SubjectKind.NATURAL}),
    example_selection=(
        "accounts { centre employer depositBase balance status } freezes { court frozenAmount }"
    ),
    examples=(ExampleSubject(SubjectKind.NATURAL, "320802197805121129"),),
    controls=frozenset({"freeze", "deduct", "release", "renew"}),
    asset_classes=ASSET_CLASSES,
    tally=tally,
    assets=assets,
)
