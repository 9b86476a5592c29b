"""What a business-registry control can name: one holder's equity in one company."""

from __future__ import annotations

import datetime
from decimal import Decimal

from mocks.ledger import AssetKind, AssetSeed, ExistingHold
from mocks.wire import JSONObject


def assets_for(records: JSONObject) -> list[AssetSeed]:
    holds: dict[str, list[ExistingHold]] = {}
    for freeze in records["equityFreezes"]:
        if freeze["status"] == "解除冻结":
            continue
        holds.setdefault(freeze["uscc"], []).append(
            ExistingHold(
                freeze["caseNumber"],
                datetime.date.fromisoformat(freeze["frozenUntil"]),
                Decimal(freeze["frozenAmount"]),
                datetime.date.fromisoformat(freeze["frozenFrom"]),
            )
        )
    return [
        AssetSeed(
            holding["assetId"],
            AssetKind.UNITS,  # yuan of subscribed contribution
            Decimal(holding["subscribedCapital"]),
            3,
            tuple(holds.get(holding["uscc"], ())),
            aliases=(holding["uscc"],),
        )
        for holding in records["equityHoldings"]
    ]
