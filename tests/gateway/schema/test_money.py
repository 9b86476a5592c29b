"""Money inputs read as identifiers are: NFKC, then ASCII only (``gateway.schema.money``)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from strawberry.exceptions import StrawberryInputCoercionError

from gateway.auth.principal import Principal, Role
from gateway.schema.money import parse_amount
from tests.gateway.http.helpers import asgi_client, make_view, post

SAVE_CASE = (
    'mutation($o: Decimal!) { saveCase(case: {caseNumber: "x", judges: [], parties: [], '
    "obligation: $o}) { status } }"
)
COURT_SYSTEM = Principal(Role.COURT_SYSTEM, subject="case-system", court="苏0802")
REFUSED = ["١٠٠", "१०", "1_000", "๑๒", "10\u00a0000"]


@pytest.mark.parametrize(
    ("value", "amount"),
    [("10", "10"), ("１０.００", "10.00"), (" 100.5 ", "100.5"), (12, "12"), ("1e3", "1E+3")],
)
def test_ascii_and_full_width_digits_are_amounts(value: object, amount: str):
    assert parse_amount(value) == Decimal(amount)


@pytest.mark.parametrize("value", [*REFUSED, "abc", "", True])
def test_other_scripts_digits_and_underscores_are_not(value: object):
    with pytest.raises(StrawberryInputCoercionError, match="cannot represent a Decimal"):
        parse_amount(value)


@pytest.mark.parametrize("value", REFUSED)
async def test_a_request_with_one_is_refused_with_graphqls_bilingual_error(value: str):
    body = {"query": SAVE_CASE, "variables": {"o": value}}
    async with asgi_client(make_view(COURT_SYSTEM)) as client:
        response = await post(client, body)
    assert response.status_code == 400, response.text
    (error,) = response.json()["errors"]
    assert "不是 Decimal 类型" in error["extensions"]["messageZh"]
    assert "cannot represent a Decimal" in error["extensions"]["messageEn"]


async def test_a_full_width_amount_gets_past_the_scalar():
    body = {"query": SAVE_CASE, "variables": {"o": "１０.００"}}
    async with asgi_client(make_view(COURT_SYSTEM)) as client:
        response = await post(client, body)
    codes = [e["extensions"]["code"] for e in response.json()["errors"]]
    assert codes == ["INVALID_CASE_NUMBER"]  # the amount was read; the case number "x" was not
