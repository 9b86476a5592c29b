"""汇总 / The asset summary of a profile."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from gateway.domain import summary as domain
from gateway.domain.agencies import Agency

AssetClass = strawberry.enum(
    domain.AssetClass,
    name="AssetClass",
    description=(
        "财产类别：DEPOSITS 存款，WEALTH_PRODUCTS 银行理财，FUND_BALANCE 公积金余额，SECURITIES "
        "证券（持仓市值与资金余额），INSURANCE 保险（投保人保单现金价值与保险理财），REAL_ESTATE "
        "不动产单元，VEHICLES 机动车，EQUITY 股权（认缴出资额） / Asset class: DEPOSITS bank "
        "deposits, WEALTH_PRODUCTS bank wealth products, FUND_BALANCE provident fund balance, "
        "SECURITIES market value of holdings plus cash at brokers, INSURANCE cash value of "
        "policies the subject holds plus insurance wealth products, REAL_ESTATE units, VEHICLES, "
        "EQUITY subscribed capital of equity held"
    ),
)


@strawberry.type(description="金额 / An amount in a currency")
class Money:
    currency: str = strawberry.field(description="币种 / Currency (ISO 4217)")
    amount: Decimal = strawberry.field(description="金额 / Amount")


@strawberry.type(description="一类财产的汇总 / One asset class, summed up")
class AssetClassSummary:
    asset_class: domain.AssetClass = strawberry.field(description="财产类别 / Asset class")
    agency: Agency = strawberry.field(description="数据来源单位 / The agency it comes from")
    count: int = strawberry.field(description="项数 / Number of items")
    total: Decimal | None = strawberry.field(
        description="人民币合计（不动产、车辆不计价，为 null） / Total in CNY; null for classes "
        "that are counted, not valued (real estate, vehicles)"
    )
    other_currencies: list[Money] = strawberry.field(
        description="外币合计（不折算） / Totals in other currencies, not converted"
    )
    encumbered: int = strawberry.field(
        description="已被冻结、查封的项数 / Items already frozen or seized"
    )
    complete: bool = strawberry.field(
        description="该单位已反馈（OK 或 NOT_FOUND）；为 false 时数字可能不全，原因见 sources / "
        "The agency answered (OK or NOT_FOUND); when false the figures may be partial: see "
        "sources"
    )


@strawberry.type(description="财产汇总 / What is worth controlling, at a glance")
class AssetSummary:
    classes: list[AssetClassSummary] = strawberry.field(description="各类财产 / Each asset class")

    @staticmethod
    def from_domain(summary: domain.AssetSummary) -> AssetSummary:
        return AssetSummary(
            classes=[
                AssetClassSummary(
                    asset_class=c.asset_class,
                    agency=c.asset_class.agency,
                    count=c.count,
                    total=c.total,
                    other_currencies=[
                        Money(currency=m.currency, amount=m.amount) for m in c.other_currencies
                    ],
                    encumbered=c.encumbered,
                    complete=c.complete,
                )
                for c in summary.classes
            ]
        )
