"""What a securities control can name: a holding (``<account>:<code>``, frozen by quantity) or
a cash account at a broker (frozen in yuan)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from mocks.ledger import AssetKind, AssetSeed, ExistingHold
from mocks.wire import JSONObject


def assets_for(records: JSONObject) -> list[AssetSeed]:
    holds: dict[str, list[ExistingHold]] = {}
    for holding in records["holdings"]:
        for freeze in records["freezes"]:
            whole_account = freeze.get("securityCode") is None
            if freeze["accountNumber"] != holding["accountNumber"] or not (
                whole_account or freeze["securityCode"] == holding["securityCode"]
            ):
                continue
            quantity = freeze.get("quantity")
            holds.setdefault(_holding_id(holding), []).append(
                ExistingHold(
                    freeze["caseNumber"],
                    datetime.date.fromisoformat(freeze["frozenUntil"]),
                    None if quantity is None else Decimal(quantity),
                    datetime.date.fromisoformat(freeze["frozenFrom"]),
                )
            )
    seeds = [
        AssetSeed(
            _holding_id(holding),
            AssetKind.UNITS,
            Decimal(holding["quantity"]),
            3,
            tuple(holds.get(_holding_id(holding), ())),
        )
        for holding in records["holdings"]
    ]
    seeds += [
        AssetSeed(cash["accountNumber"], AssetKind.MONEY, Decimal(cash["balance"]), 3)
        for cash in records["fundsAccounts"]
    ]
    return seeds


def _holding_id(holding: JSONObject) -> str:
    return f"{holding['accountNumber']}:{holding['securityCode']}"
