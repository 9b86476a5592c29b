"""Helpers for the mock tests: a token, request bodies, in-process clients, many subjects."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import httpx
from starlette.applications import Starlette
from stdnum.cn import ric

from connectors.envelope import SubjectKindName, SubjectRef
from gateway.domain.subjects import uscc_check_character
from mocks.synthetic import Tier, example_subjects

RecordsT = TypeVar("RecordsT")

TOKEN = "mock-test-token-7f3a9c2e51d84b06"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EXAMPLES = example_subjects()


def subject(kind: SubjectKindName, tier: Tier, name: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"kind": kind, "id": EXAMPLES[kind][tier]}
    if name is not None:
        entry["name"] = name
    return entry


def inquiry(*subjects: dict[str, Any], request_id: str = "req-0001") -> dict[str, Any]:
    return {
        "requestId": request_id,
        "caseNumber": "(2025)苏0812执1号",
        "court": "淮安市清江浦区人民法院",
        "subjects": list(subjects) or [subject("natural", Tier.RICH)],
    }


def client_for(app: Starlette) -> httpx.AsyncClient:
    """An httpx client that calls ``app`` in process."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock")


def resident_ids(
    count: int,
    *,
    regions: Sequence[str] = ("320812",),
    first_birth: datetime.date = datetime.date(1950, 1, 1),
    step_days: int = 97,
    span_days: int = 27000,
) -> list[str]:
    """``count`` valid resident ID numbers (居民身份证号码), of both genders.

    The n-th is born ``n * step_days % span_days`` days after ``first_birth`` in
    ``regions[n % len(regions)]``; different steps give different, repeatable samples.
    """
    ids = []
    for n in range(count):
        birth = first_birth + datetime.timedelta(days=n * step_days % span_days)
        first17 = f"{regions[n % len(regions)]}{birth:%Y%m%d}{n % 1000:03d}"
        ids.append(first17 + ric.calc_check_digit(first17 + "0"))
    return ids


def uscc_ids(count: int, *, prefix: str = "91320804MA", first: int = 0) -> list[str]:
    """``count`` valid unified social credit codes (统一社会信用代码): ``prefix``, a number."""
    return [(f := f"{prefix}{n + first:07d}") + uscc_check_character(f) for n in range(count)]


def subject_refs(kind: SubjectKindName, ids: Iterable[str]) -> list[SubjectRef]:
    return [SubjectRef(kind=kind, id=i) for i in ids]


def known_records(
    records_for: Callable[[SubjectRef], RecordsT | None], refs: Iterable[SubjectRef]
) -> list[tuple[SubjectRef, RecordsT]]:
    """The subjects a mock knows, with their records (unknown ones are left out)."""
    found = []
    for ref in refs:
        records = records_for(ref)
        if records is not None:
            found.append((ref, records))
    return found
