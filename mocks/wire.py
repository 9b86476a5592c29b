"""What the mocks read and write on the wire, in their own terms (no connector code).

``InquiryRequest`` and ``ControlBody`` are the bodies of ``POST /v1/inquiries`` and
``POST /v1/controls`` as the mocks check them; each agency keeps its records in its own
dataclasses (``mocks/<agency>/records.py``) and ``plain`` turns them into the JSON it answers:
camelCase keys, dates as ISO strings, amounts as decimal strings.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gateway.domain.reasons import bilingual_error

SubjectKindName = Literal["natural", "legal"]
JSONObject = dict[str, Any]  # a JSON object, ready for json.dumps


# the contract's pattern of a control's amount (connectors/openapi_controls.py)
_AMOUNT = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?")


class _Wire(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)


class SubjectRef(_Wire):
    """One subject asked about: hashable, so a mock may cache its answer."""

    kind: SubjectKindName
    id: str = Field(min_length=1, max_length=32)
    name: str | None = Field(default=None, max_length=200)


class InquiryRequest(_Wire):
    request_id: str = Field(alias="requestId", min_length=1, max_length=64)
    case_number: str = Field(alias="caseNumber", min_length=1, max_length=64)
    court: str = Field(min_length=1, max_length=64)
    subjects: list[SubjectRef] = Field(min_length=1, max_length=1000)


ControlAction = Literal["freeze", "seize", "deduct", "release", "renew"]


class ControlBody(_Wire):
    """``POST /v1/controls`` as the mocks read it (their own model: no connector code)."""

    request_id: str = Field(alias="requestId", min_length=1, max_length=64)
    action: ControlAction
    case_number: str = Field(alias="caseNumber", min_length=1, max_length=64)
    ruling_number: str = Field(alias="rulingNumber", min_length=1, max_length=64)
    notice_number: str = Field(alias="noticeNumber", min_length=1, max_length=64)
    asset_id: str = Field(alias="assetId", min_length=1, max_length=64)
    amount: Decimal | None = Field(default=None, allow_inf_nan=False)
    until: datetime.date | None = None

    @field_validator("amount", mode="before")
    @classmethod
    def _amount_as_the_contract_writes_it(cls, value: object) -> object:
        """A decimal string of ASCII digits, as the contract's pattern says (``"12.50"``): not
        a JSON number, an exponent (``"1e999"`` froze a whole account), a sign or full-width
        digits, which Python's ``Decimal`` would read. A ``Decimal`` passes: Python's own
        callers (the ledger's tests) build the body directly."""
        if value is None or isinstance(value, Decimal):
            return value
        if isinstance(value, str) and _AMOUNT.fullmatch(value):
            return Decimal(value)
        raise bilingual_error(
            '金额应为十进制数字串，如 "12.50"（ASCII 数字）',
            'amount must be a decimal string such as "12.50" (ASCII digits)',
        )


def camel(name: str) -> str:
    """``floor_area_m2`` -> ``floorAreaM2``: a record field's key on the wire."""
    head, *rest = name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def plain(value: Any) -> Any:
    """A mock's records as JSON-ready values: dicts, lists, str, int, bool and None."""
    kind = type(value)
    if value is None or kind is str or kind is int or kind is bool:
        return value
    if kind is list or kind is tuple:
        return [plain(item) for item in value]
    if kind is Decimal:
        return str(value)
    if kind is datetime.date:
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {key: plain(getattr(value, name)) for name, key in _keys(kind)}
    raise TypeError(f"no JSON for a {kind.__name__} in a mock's records")


_KEYS: dict[type, tuple[tuple[str, str], ...]] = {}


def _keys(record: type) -> tuple[tuple[str, str], ...]:
    """(attribute, JSON key) of each field of a records dataclass, in declaration order."""
    if (keys := _KEYS.get(record)) is None:
        keys = _KEYS[record] = tuple((f.name, camel(f.name)) for f in dataclasses.fields(record))
    return keys


def as_json(
    build: Callable[[SubjectRef], object | None],
) -> Callable[[SubjectRef], JSONObject | None]:
    """``records_for``: what ``build`` finds about a subject, as JSON (None: not known)."""

    @functools.wraps(build)
    def records_for(subject: SubjectRef) -> JSONObject | None:
        records = build(subject)
        return None if records is None else plain(records)

    return records_for
