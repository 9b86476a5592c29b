"""What a provident fund control can name: a fund account."""

from __future__ import annotations

import datetime
from decimal import Decimal

from mocks.ledger import AssetKind, AssetSeed, ExistingHold
from mocks.wire import JSONObject


def assets_for(records: JSONObject) -> list[AssetSeed]:
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
    return [
        AssetSeed(
            account["accountNumber"],
            AssetKind.MONEY,
            Decimal(account["balance"]),
            3,
            tuple(holds.get(account["accountNumber"], ())),
            deductible=True,
        )
        for account in records["accounts"]
    ]
