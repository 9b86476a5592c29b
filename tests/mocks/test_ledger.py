"""The mock agencies' ledger: the rules an agency applies to controls, and idempotency."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from mocks.ledger import (
    AssetKind,
    AssetSeed,
    ControlConflictError,
    ExistingHold,
    Ledger,
)
from mocks.wire import ControlBody

TODAY = datetime.date(2026, 3, 1)
CASE = "(2026)苏0812执1号"
OTHER = "(2026)苏0802执9号"
ACCOUNT = AssetSeed("6222000011112222", AssetKind.MONEY, Decimal("1000.00"), 1, deductible=True)
HOUSE = AssetSeed("320812001001GB00001F00010001", AssetKind.PROPERTY, Decimal(1), 3)
EQUITY = AssetSeed(
    "91320812MA0000001X-1a2b3c4d",
    AssetKind.UNITS,
    Decimal(500000),
    3,
    aliases=("91320812MA0000001X",),
)
_numbers = iter(range(1, 10_000))


def ledger(*seeds: AssetSeed) -> Ledger:
    made = Ledger("bank", today=TODAY)
    made.register(seeds or (ACCOUNT, HOUSE, EQUITY))
    return made


def body(action: str, asset: AssetSeed | str = ACCOUNT, **fields: Any) -> ControlBody:
    asset_id = asset if isinstance(asset, str) else asset.asset_id
    values: dict[str, Any] = {
        "requestId": f"req-{next(_numbers)}",
        "action": action,
        "caseNumber": CASE,
        "rulingNumber": "(2026)苏0812执1号之一",
        "noticeNumber": "(2026)苏0812执1号协字第1号",
        "assetId": asset_id,
    }
    values.update({("requestId" if k == "request_id" else k): v for k, v in fields.items()})
    return ControlBody.model_validate(values)


def run(book: Ledger, control: ControlBody) -> dict[str, Any]:
    answer, replayed = book.control(control)
    assert not replayed
    return answer


def until(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


def test_a_freeze_within_the_balance_freezes_the_amount_asked() -> None:
    book = ledger()
    answer = run(book, body("freeze", amount=Decimal("300.00"), until=until(100)))
    assert answer["status"] == "applied"
    assert answer["appliedAmount"] == "300.00"
    assert answer["reference"]
    assert book.assets[ACCOUNT.asset_id].available == Decimal("700.00")


def test_a_freeze_beyond_what_is_available_freezes_what_is_available() -> None:
    book = ledger()
    run(book, body("freeze", amount=Decimal("600.00"), until=until(100), caseNumber=OTHER))
    answer = run(book, body("freeze", amount=Decimal("900.00"), until=until(100)))
    assert (answer["status"], answer["appliedAmount"]) == ("applied", "400.00")
    nothing = run(book, body("freeze", amount=Decimal("1.00"), until=until(100)))
    assert nothing["status"] == "rejected"
    assert "nothing is available" in nothing["reason"]


def test_a_freeze_without_an_amount_freezes_all_that_is_available() -> None:
    book = ledger()
    assert run(book, body("freeze", until=until(30)))["appliedAmount"] == "1000.00"


@pytest.mark.parametrize(
    ("last_day", "reason"),
    [
        (None, "required"),
        (TODAY, "after today"),
        (datetime.date(2027, 3, 2), "legal maximum of 1 year"),
    ],
)
def test_a_freeze_needs_a_period_within_the_legal_maximum(
    last_day: datetime.date | None, reason: str
) -> None:
    answer = run(ledger(), body("freeze", amount=Decimal(1), until=last_day))
    assert answer["status"] == "rejected"
    assert reason in answer["reason"]


def test_the_longest_lawful_period_depends_on_the_asset() -> None:
    book = ledger()
    three_years = datetime.date(2029, 3, 1)
    assert run(book, body("freeze", ACCOUNT, until=three_years))["status"] == "rejected"
    assert run(book, body("freeze", EQUITY, until=three_years))["status"] == "applied"
    assert run(book, body("seize", HOUSE, until=three_years))["status"] == "applied"


def test_a_deduction_takes_only_from_what_this_case_froze() -> None:
    book = ledger()
    run(book, body("freeze", amount=Decimal("300.00"), until=until(100), caseNumber=OTHER))
    run(book, body("freeze", amount=Decimal("200.00"), until=until(100)))
    too_much = run(book, body("deduct", amount=Decimal("250.00")))
    assert too_much["status"] == "rejected"
    assert "200.00" in too_much["reason"]
    answer = run(book, body("deduct", amount=Decimal("150.00")))
    assert (answer["status"], answer["appliedAmount"]) == ("applied", "150.00")
    account = book.assets[ACCOUNT.asset_id]
    assert account.balance == Decimal("850.00")
    mine = account.active(CASE)
    assert [h.amount for h in mine] == [Decimal("50.00")]
    assert run(book, body("deduct", amount=Decimal("50.01")))["status"] == "rejected"


def test_a_deduction_is_refused_where_the_agency_does_not_deduct() -> None:
    book = ledger()
    run(book, body("freeze", EQUITY, amount=Decimal(1000), until=until(100)))
    answer = run(book, body("deduct", EQUITY, amount=Decimal(10)))
    assert answer["status"] == "rejected"


def test_a_release_frees_this_cases_holds_and_an_unknown_one_is_rejected() -> None:
    book = ledger()
    assert run(book, body("release"))["status"] == "rejected"
    run(book, body("freeze", amount=Decimal("300.00"), until=until(100)))
    run(book, body("freeze", amount=Decimal("100.00"), until=until(100), caseNumber=OTHER))
    answer = run(book, body("release"))
    assert (answer["status"], answer["appliedAmount"]) == ("applied", "300.00")
    assert book.assets[ACCOUNT.asset_id].available == Decimal("900.00")
    assert run(book, body("release"))["status"] == "rejected"  # nothing of this case is left


def test_a_renewal_happens_before_expiry_and_ends_later() -> None:
    book = ledger()
    run(book, body("freeze", amount=Decimal(10), until=until(10)))
    assert run(book, body("renew", until=until(5)))["status"] == "rejected"
    assert run(book, body("renew", until=until(200)))["status"] == "applied"
    assert book.assets[ACCOUNT.asset_id].active(CASE)[0].until == until(200)
    book.fixed_today = until(201)  # the renewed freeze has lapsed
    late = run(book, body("renew", until=until(300)))
    assert late["status"] == "rejected"
    assert "lapsed" in late["reason"]
    assert book.assets[ACCOUNT.asset_id].available == Decimal("1000.00")


def test_a_second_seizure_queues_and_takes_effect_when_the_first_is_released() -> None:
    book = ledger()
    first = run(book, body("seize", HOUSE, until=until(300), caseNumber=OTHER))
    second = run(book, body("seize", HOUSE, until=until(100)))
    third = run(book, body("seize", HOUSE, until=until(50), caseNumber="(2026)苏0803执5号"))
    assert "queuePosition" not in first
    assert (second["queuePosition"], third["queuePosition"]) == (1, 2)
    assert run(book, body("renew", HOUSE, until=until(400)))["status"] == "rejected"  # queued
    book.fixed_today = until(20)
    run(book, body("release", HOUSE, caseNumber=OTHER))
    house = book.assets[HOUSE.asset_id]
    (active,) = house.active()
    assert active.case_number == CASE
    assert active.starts_on == until(20)
    assert active.until == until(20 + 100)  # its period runs from when it took effect
    assert [h.case_number for h in house.queued()] == ["(2026)苏0803执5号"]


def test_a_queued_seizure_takes_effect_when_the_one_before_lapses() -> None:
    book = ledger()
    run(book, body("seize", HOUSE, until=until(30), caseNumber=OTHER))
    run(book, body("seize", HOUSE, until=until(100)))
    book.fixed_today = until(500)  # both have run out by now, one after the other
    house = book.asset(HOUSE.asset_id)
    assert house is not None
    states = [(h.case_number, h.state, h.starts_on) for h in house.holds]
    assert states == [(OTHER, "lapsed", TODAY), (CASE, "lapsed", until(31))]
    book2 = ledger()
    run(book2, body("seize", HOUSE, until=until(30), caseNumber=OTHER))
    run(book2, body("seize", HOUSE, until=until(100)))
    book2.fixed_today = until(60)  # earlier: the queued one is in effect
    (active,) = book2.asset(HOUSE.asset_id).active()  # type: ignore[union-attr]
    assert (active.case_number, active.starts_on, active.until) == (CASE, until(31), until(131))


def test_existing_holds_from_the_records_count() -> None:
    seed = AssetSeed(
        "6222000099990000",
        AssetKind.MONEY,
        Decimal("500.00"),
        1,
        (ExistingHold(OTHER, until(40), Decimal("450.00"), TODAY),),
    )
    house = AssetSeed(
        "320812001001GB00002F00010001",
        AssetKind.PROPERTY,
        Decimal(1),
        3,
        (ExistingHold(OTHER, until(40), starts_on=TODAY),),
    )
    book = ledger(seed, house)
    assert run(book, body("freeze", seed, until=until(10)))["appliedAmount"] == "50.00"
    assert run(book, body("seize", house, until=until(10)))["queuePosition"] == 1


def test_the_seizure_and_freeze_actions_belong_to_their_assets() -> None:
    book = ledger()
    assert run(book, body("freeze", HOUSE, until=until(10)))["status"] == "rejected"
    assert run(book, body("seize", ACCOUNT, until=until(10)))["status"] == "rejected"
    assert run(book, body("seize", HOUSE, until=until(10), amount=Decimal(5)))["status"] == (
        "rejected"
    )


def test_an_asset_the_agency_does_not_know_is_rejected() -> None:
    answer = run(ledger(), body("freeze", "6222999999999999", until=until(10)))
    assert answer == {
        "requestId": answer["requestId"],
        "status": "rejected",
        "reason": "查无此财产 / no such asset",
    }


def test_an_alias_names_the_asset_only_when_one_holder_has_it() -> None:
    book = ledger()
    assert run(book, body("freeze", "91320812MA0000001X", until=until(10)))["status"] == "applied"
    book.register([AssetSeed("91320812MA0000001X-ffffffff", AssetKind.UNITS, Decimal(1), 3,
                             aliases=("91320812MA0000001X",))])  # fmt: skip
    ambiguous = run(book, body("freeze", "91320812MA0000001X", until=until(10)))
    assert ambiguous["status"] == "rejected"


def test_a_repeat_returns_the_first_answer_and_changes_nothing() -> None:
    book = ledger()
    control = body("freeze", amount=Decimal("400.00"), until=until(10))
    first, replayed = book.control(control)
    assert not replayed
    again, replayed = book.control(control)
    assert replayed
    assert again == first
    assert book.assets[ACCOUNT.asset_id].available == Decimal("600.00")
    entry = book.snapshot()["controls"][control.request_id]
    assert (entry["deliveries"], entry["applications"]) == (2, 1)


def test_the_same_request_id_with_another_body_is_a_conflict() -> None:
    book = ledger()
    control = body("freeze", amount=Decimal("400.00"), until=until(10))
    book.control(control)
    with pytest.raises(ControlConflictError):
        book.control(control.model_copy(update={"amount": Decimal("401.00")}))
    # the same amount written otherwise is the same body
    assert book.control(control.model_copy(update={"amount": Decimal("400")}))[1]


def test_a_rejection_is_remembered_like_an_answer() -> None:
    book = ledger()
    control = body("release")
    rejected, _ = book.control(control)
    run(book, body("freeze", amount=Decimal(1), until=until(10)))
    again, replayed = book.control(control)  # it would apply now: the first answer stands
    assert replayed
    assert again == rejected
    assert book.status(control.request_id) == rejected
    assert book.status("never-sent") is None


def test_the_snapshot_lists_every_control_and_the_assets_they_named() -> None:
    book = ledger()
    applied = body("freeze", amount=Decimal(5), until=until(10))
    rejected = body("deduct", amount=Decimal(10))
    run(book, applied)
    run(book, rejected)
    snapshot = book.snapshot()
    assert snapshot["today"] == TODAY.isoformat()
    controls = snapshot["controls"]
    assert controls[applied.request_id]["applications"] == 1
    assert controls[rejected.request_id]["applications"] == 0
    assert list(snapshot["assets"]) == [ACCOUNT.asset_id]
    (hold,) = snapshot["assets"][ACCOUNT.asset_id]["holds"]
    assert (hold["requestId"], hold["amount"], hold["state"]) == (applied.request_id, "5", "active")


def test_amounts_are_answered_without_an_exponent() -> None:
    answer = run(ledger(), body("freeze", amount=Decimal("1E+2"), until=until(10)))
    assert answer["appliedAmount"] == "100"


def test_the_counts_would_show_a_lapse_of_idempotency() -> None:
    """The exactly-once check can fail: a ledger that forgot a requestId applies it again, and
    the snapshot says so."""
    book = ledger()
    control = body("freeze", amount=Decimal(5), until=until(10))
    run(book, control)
    book.received.clear()  # what a broken idempotency store would do
    run(book, control)
    entry = book.snapshot()["controls"][control.request_id]
    assert (entry["deliveries"], entry["applications"]) == (2, 2)
    assert book.assets[ACCOUNT.asset_id].available == Decimal(990)
