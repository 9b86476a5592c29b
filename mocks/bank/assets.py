"""What a bank control can name: an account (all its deposits) or one holder's wealth product."""

from __future__ import annotations

import datetime
from decimal import Decimal

from mocks.ledger import AssetKind, AssetSeed, ExistingHold
from mocks.wire import JSONObject


def assets_for(records: JSONObject) -> list[AssetSeed]:
    balances: dict[str, Decimal] = {}
    for deposit in records["deposits"]:
        number = deposit["accountNumber"]
        balances[number] = balances.get(number, Decimal(0)) + Decimal(deposit["amount"])
    holds: dict[str, list[ExistingHold]] = {}
    for freeze in records["freezes"]:
        holds.setdefault(freeze["accountNumber"], []).append(
            ExistingHold(
                freeze["caseNumber"],
                datetime.date.fromisoformat(freeze["frozenUntil"]),
                Decimal(freeze["frozenAmount"]),
                datetime.date.fromisoformat(freeze["frozenFrom"]),
            )
        )
    seeds = [
        AssetSeed(number, AssetKind.MONEY, balance, 1, tuple(holds.get(number, ())),
                  deductible=True)
        for number, balance in balances.items()
    ]  # fmt: skip
    seeds += [
        AssetSeed(
            product["assetId"],
            AssetKind.MONEY,
            Decimal(product["holdingValue"]),
            1,
            aliases=(product["productCode"],),
            deductible=True,
        )
        for product in records["wealthProducts"]
    ]
    return seeds
