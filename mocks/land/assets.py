"""What a land-registry control can name: a real-estate unit or a land parcel, seized whole."""

from __future__ import annotations

import datetime
from decimal import Decimal

from mocks.ledger import AssetKind, AssetSeed, ExistingHold
from mocks.wire import JSONObject


def assets_for(records: JSONObject) -> list[AssetSeed]:
    holds: dict[str, list[ExistingHold]] = {}
    # in effect first, then the queue in the order it formed
    ordered = sorted(records["seizures"], key=lambda s: (s["waiting"], s["seizedFrom"]))
    for seizure in ordered:
        holds.setdefault(seizure["unitNumber"], []).append(
            ExistingHold(
                seizure["caseNumber"],
                datetime.date.fromisoformat(seizure["seizedUntil"]),
                starts_on=datetime.date.fromisoformat(seizure["seizedFrom"]),
                waiting=seizure["waiting"],
            )
        )
    ids = [unit["unitNumber"] for unit in records["realEstate"]]
    ids += [parcel["parcelNumber"] for parcel in records["land"]]
    return [
        AssetSeed(asset_id, AssetKind.PROPERTY, Decimal(1), 3, tuple(holds.get(asset_id, ())))
        for asset_id in ids
    ]
