"""人民银行（银行业金融机构）: the agency, declared once (see ``connectors.spec``)."""

from __future__ import annotations

from collections.abc import Iterator

from connectors.bank.records import BankRecords
from connectors.spec import AgencySpec, ExampleSubject
from gateway.domain.controls import Asset
from gateway.domain.subjects import SubjectKind
from gateway.domain.summary import AssetClass, Tallies

ASSET_CLASSES = (
    AssetClass("deposits", "bank", "存款 / bank deposits", rank=10),
    AssetClass("wealth_products", "bank", "银行理财 / bank wealth products", rank=20),
)


def tally(records: BankRecords, tallies: Tallies) -> None:
    deposits = tallies["deposits"]
    for deposit in records.deposits:
        deposits.count += 1
        deposits.add(deposit.amount, deposit.currency)
    deposits.encumbered += len({f.account_number for f in records.freezes})
    products = tallies["wealth_products"]
    for product in records.wealth_products:
        products.count += 1
        products.add(product.holding_value, product.currency)


def assets(records: BankRecords) -> Iterator[Asset]:
    """Deposits by account (a control names the account), wealth products by product code."""
    held: dict[str, list[str]] = {}
    for freeze in records.freezes:
        held.setdefault(freeze.account_number, []).append(freeze.case_number)
    by_account: dict[str, Asset] = {}
    for deposit in records.deposits:
        known = by_account.get(deposit.account_number)
        value = (
            deposit.amount if known is None or known.value is None else known.value + deposit.amount
        )
        by_account[deposit.account_number] = Asset(
            "bank",
            deposit.account_number,
            "deposits",
            value,
            deposit.currency,
            f"{deposit.bank} {deposit.deposit_type}",
            tuple(held.get(deposit.account_number, ())),
        )
    yield from by_account.values()
    for product in records.wealth_products:
        # a product code is shared by its holders: the agency's asset id names this holding
        asset_id = product.asset_id or product.product_code
        yield Asset(
            "bank",
            asset_id,
            "wealth_products",
            product.holding_value,
            product.currency,
            f"{product.bank} {product.product_name}",
            tuple(held.get(asset_id, ())),
        )


SPEC = AgencySpec(
    name="bank",
    name_zh="人民银行（银行业金融机构）",
    title_zh="人民银行 银行业金融机构存款与账户查询接口",
    title_en="Central bank branch: bank accounts, cards, deposits, wealth products and freezes",
    profile_doc="银行：账户、银行卡、存款、理财 / Banks: accounts, cards, deposits, products",
    records=BankRecords,
    subject_kinds=frozenset(SubjectKind),
    example_selection="""\
accounts { bank accountNumber accountType currency balance availableBalance status }
deposits { bank depositType currency amount maturesOn }
wealthProducts { bank productName holdingValue }
freezes { bank accountNumber court frozenAmount frozenUntil }
""",
    examples=(
        ExampleSubject(SubjectKind.NATURAL, "320802197805121129"),
        ExampleSubject(SubjectKind.LEGAL, "91320812MA00020007"),
    ),
    controls=frozenset({"freeze", "deduct", "release", "renew"}),
    asset_classes=ASSET_CLASSES,
    tally=tally,
    assets=assets,
)
