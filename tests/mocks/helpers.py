"""Helpers for the mock tests: a token, request bodies, in-process clients, many subjects.

``reading(Records, records_for)`` reads a mock's plain JSON answer back, strictly, into the
mock's own records dataclasses, so the tests assert on what the JSON says.
"""

from __future__ import annotations

import dataclasses
import datetime
import types
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

import httpx
from starlette.applications import Starlette
from stdnum.cn import ric

from gateway.domain.subjects import uscc_check_character
from mocks.contract import CheckResult
from mocks.contract.schemas import describe, validator
from mocks.documents import contract_document
from mocks.synthetic import Tier, example_subjects
from mocks.wire import JSONObject, SubjectKindName, SubjectRef, camel

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


def parse(cls: type[RecordsT], data: Any) -> RecordsT:
    """``data``, a mock's JSON, read into ``cls``: each field's camelCase key present, in order,
    and nothing else; dates as ISO strings, amounts as decimal strings. AssertionError if not."""
    return _read(cls, data)  # type: ignore[no-any-return]


def _read(kind: Any, value: Any) -> Any:
    if get_origin(kind) in (Union, types.UnionType):
        options = [k for k in get_args(kind) if k is not type(None)]
        if value is None and len(options) < len(get_args(kind)):
            return None
        (kind,) = options
    if get_origin(kind) is list:
        assert isinstance(value, list), value
        (item,) = get_args(kind)
        return [_read(item, v) for v in value]
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        assert isinstance(value, dict), value
        fields = dataclasses.fields(kind)
        assert list(value) == [camel(f.name) for f in fields], list(value)
        hints = get_type_hints(kind)
        return kind(**{f.name: _read(hints[f.name], value[camel(f.name)]) for f in fields})
    if kind is datetime.date:
        assert isinstance(value, str), value
        return datetime.date.fromisoformat(value)
    if kind is Decimal:
        assert isinstance(value, str), value
        return Decimal(value)
    assert type(value) is kind, (kind, value)
    return value


def reading(
    cls: type[RecordsT], records_for: Callable[[SubjectRef], JSONObject | None]
) -> Callable[[SubjectRef], RecordsT | None]:
    """``records_for`` of a mock, its JSON answer read into ``cls`` (None stays None)."""

    def read(subject: SubjectRef) -> RecordsT | None:
        records = records_for(subject)
        return None if records is None else parse(cls, records)

    return read


def walk(value: Any) -> list[Any]:
    """``value`` and everything in it: records dataclasses, lists, their field values."""
    if dataclasses.is_dataclass(value):
        fields = dataclasses.fields(value)
        return [value, *(v for f in fields for v in walk(getattr(value, f.name)))]
    if isinstance(value, list):
        return [v for item in value for v in walk(item)]
    return [value]


def contract_errors(agency: str, schema: str, value: Any) -> list[str]:
    """Where ``value`` breaks ``schema`` of the agency's committed document (empty: it keeps it)."""
    return [describe(e) for e in validator(contract_document(agency), schema).iter_errors(value)]


def assert_problem(response: Any, status: int, agency: str) -> dict[str, Any]:
    """A problem document that keeps the agency's committed ``Problem`` schema."""
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert contract_errors(agency, "Problem", problem) == []
    assert problem["status"] == status
    assert problem["type"].startswith("urn:chakong:problem:")
    assert " / " in problem["title"]  # Chinese / English
    assert " / " in problem["detail"]
    return dict(problem)


def failures(results: list[CheckResult]) -> dict[str, str]:
    """Each failed check's detail, its English half: every detail says it in Chinese first
    (``中文 / English``), for agencies' IT teams."""
    english = {}
    for result in results:
        if not result.passed:
            zh, said, en = result.detail.partition(" / ")
            assert said, result.detail
            assert not zh.isascii(), result.detail
            english[result.name] = en
    return english
