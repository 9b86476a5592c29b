"""The notary office's records: escrow deposits (提存) it holds for the subject."""

from __future__ import annotations

import datetime
from decimal import Decimal

from gateway.domain.records import doc, record


@record
class Escrow:
    """提存款 / Escrow deposit"""

    escrow_number: str = doc("提存编号 / Escrow number")
    amount: Decimal = doc("提存金额（元） / Amount, yuan")
    deposited_on: datetime.date = doc("提存日期 / Deposited on")


@record
class NotaryRecords:
    """公证处反馈 / What the notary office holds"""

    escrows: tuple[Escrow, ...] = doc("提存 / Escrow deposits", default=())

    def count(self) -> int:
        return len(self.escrows)
