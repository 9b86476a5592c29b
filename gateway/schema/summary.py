"""汇总 / The asset summary of a profile: its types read ``gateway.domain.summary`` directly."""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import TYPE_CHECKING

import strawberry

from connectors.registry import AGENCIES
from gateway.schema.common import AgencyEnum

# every agency's asset classes, in summary order: the plan every profile is summed up with
PLAN = AGENCIES.summary_plan()

if TYPE_CHECKING:
    AssetClassEnum = enum.Enum
else:
    AssetClassEnum = strawberry.enum(
        # each member's value is the domain's AssetClass: a summary's class serialises as is
        enum.Enum("AssetClass", [(c.key, c) for c in PLAN.classes]),
        name="AssetClass",
        description=(
            "财产类别："
            + "，".join(f"{c.key} {c.description.split(' / ')[0]}" for c in PLAN.classes)
            + " / Asset class: "
            + ", ".join(f"{c.key} {c.description.split(' / ', 1)[1]}" for c in PLAN.classes)
        ),
    )


@strawberry.type(description="金额 / An amount in a currency")
class Money:
    currency: str = strawberry.field(description="币种 / Currency (ISO 4217)")
    amount: Decimal = strawberry.field(description="金额 / Amount")


@strawberry.type(description="一类财产的汇总 / One asset class, summed up")
class AssetClassSummary:
    asset_class: AssetClassEnum = strawberry.field(description="财产类别 / Asset class")
    agency: AgencyEnum = strawberry.field(description="数据来源单位 / The agency it comes from")
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
        description="该单位已反馈（OK 或 NOT_FOUND）或不适用于该类主体（NOT_APPLICABLE）；为 false "
        "时数字可能不全，原因见 sources / The agency answered (OK or NOT_FOUND) or keeps nothing "
        "on this kind of subject (NOT_APPLICABLE); when false the figures may be partial: see "
        "sources"
    )


@strawberry.type(description="财产汇总 / What is worth controlling, at a glance")
class AssetSummary:
    classes: list[AssetClassSummary] = strawberry.field(description="各类财产 / Each asset class")
