"""Bank JSON -> domain records."""

from __future__ import annotations

from connectors.bank.models import BankRecordsModel
from gateway.domain.bank import (
    AccountFreeze,
    BankAccount,
    BankCard,
    BankRecords,
    Deposit,
    WealthProduct,
)


def to_domain(model: BankRecordsModel) -> BankRecords:
    return BankRecords(
        accounts=tuple(
            BankAccount(
                bank=a.bank,
                branch=a.branch,
                account_number=a.account_number,
                account_type=a.account_type,
                currency=a.currency,
                balance=a.balance,
                available_balance=a.available_balance,
                opened_on=a.opened_on,
                status=a.status,
            )
            for a in model.accounts
        ),
        cards=tuple(
            BankCard(
                bank=c.bank,
                card_number=c.card_number,
                card_type=c.card_type,
                account_number=c.account_number,
                status=c.status,
            )
            for c in model.cards
        ),
        deposits=tuple(
            Deposit(
                bank=d.bank,
                account_number=d.account_number,
                deposit_type=d.deposit_type,
                currency=d.currency,
                amount=d.amount,
                matures_on=d.matures_on,
            )
            for d in model.deposits
        ),
        wealth_products=tuple(
            WealthProduct(
                bank=w.bank,
                product_code=w.product_code,
                product_name=w.product_name,
                currency=w.currency,
                holding_value=w.holding_value,
                matures_on=w.matures_on,
            )
            for w in model.wealth_products
        ),
        freezes=tuple(
            AccountFreeze(
                bank=f.bank,
                account_number=f.account_number,
                court=f.court,
                case_number=f.case_number,
                frozen_amount=f.frozen_amount,
                frozen_from=f.frozen_from,
                frozen_until=f.frozen_until,
            )
            for f in model.freezes
        ),
    )
