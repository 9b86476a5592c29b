"""The ``Decimal`` scalar of money inputs, read as identifiers are: NFKC, then ASCII only.

strawberry's own ``Decimal`` is Python's ``Decimal(str)``, which reads any script's digits
(``"١٠٠"`` is 100, ``"१०"`` is 10) and underscores between digits (``"1_000"`` is 1000). A
judge types an amount; a court system sends one. Read like the identifiers, full-width digits
(``"１０.００"``) stay the same amount, while another script's digits or an underscore are refused
with strawberry's own coercion message, so the error is GraphQL's usual one (bilingual through
``gateway.http.graphql_messages``). The scalar keeps its name, description and output: the
schema does not change.
"""

from __future__ import annotations

import dataclasses
import decimal
import unicodedata

from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.schema.types.base_scalars import DecimalDefinition


def parse_amount(value: object) -> decimal.Decimal:
    """A money input: a string (or a number, as strawberry accepts one) whose NFKC form is ASCII
    without underscores and reads as a decimal."""
    text = value if isinstance(value, str) else str(value)
    folded = unicodedata.normalize("NFKC", text)
    if folded.isascii() and "_" not in folded:
        try:
            return decimal.Decimal(folded)
        except decimal.DecimalException:
            pass
    raise StrawberryInputCoercionError(f'Value cannot represent a Decimal: "{value}".')


# strawberry's own Decimal (its name, description and output) with this parser
MONEY = dataclasses.replace(DecimalDefinition, parse_value=parse_amount)

__all__ = ["MONEY", "parse_amount"]
