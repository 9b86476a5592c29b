"""The queries, variables and subjects of the benchmark, derived from ``gateway.examples``."""

from __future__ import annotations

import datetime
from typing import Any

from connectors.base import Inquiry
from connectors.envelope import SubjectRef
from connectors.http import inquiry_body
from gateway.domain.cases import parse_case_number
from gateway.domain.subjects import (
    SubjectKind,
    normalize_resident_id,
    normalize_uscc,
    parse_subject,
    uscc_check_character,
)
from gateway.examples import EXAMPLE_QUERY, EXAMPLE_VARIABLES
from mocks.synthetic import Tier, example_subjects, person, tier_of

_HEADER = "query DebtorAssets($subject: SubjectInput!, $caseNumber: String!)"
_FIELD = "debtor(subject: $subject, caseNumber: $caseNumber)"

# Fields that differ from one execution to the next; left out when results are compared.
VOLATILE_KEYS = frozenset({"latencyMs", "fetchedAt", "cached"})


def _replace_once(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise RuntimeError(
            f"gateway.examples.EXAMPLE_QUERY changed: expected {old!r} exactly once; "
            "update bench/fanout/queries.py"
        )
    return text.replace(old, new)


# The example query, asking the agencies afresh (the cache would hide the work).
PROFILE_QUERY = _replace_once(
    EXAMPLE_QUERY, _FIELD, "debtor(subject: $subject, caseNumber: $caseNumber, fresh: true)"
)

# The same selection for many debtors at once.
BATCH_QUERY = _replace_once(
    _replace_once(
        EXAMPLE_QUERY,
        _HEADER,
        "query DebtorBatch($subjects: [SubjectInput!]!, $caseNumber: String!)",
    ),
    _FIELD,
    "debtors(subjects: $subjects, caseNumber: $caseNumber, fresh: true)",
)

CASE_NUMBER = str(EXAMPLE_VARIABLES["caseNumber"])


def rich_subject() -> dict[str, str]:
    """The RICH natural person of ``mocks.synthetic.example_subjects()``, with their name."""
    subject_id = example_subjects()["natural"][Tier.RICH]
    name = person(SubjectRef(kind="natural", id=subject_id, name=None)).name
    return {"kind": "NATURAL", "id": subject_id, "name": name}


def profile_variables() -> dict[str, Any]:
    return {"subject": rich_subject(), "caseNumber": CASE_NUMBER}


_REGIONS = ("320802", "320803", "320804", "320812", "320813", "320826", "320830", "320831")
_RIC_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))


def _resident_id(region: str, birth: datetime.date, order: int) -> str:
    first17 = f"{region}{birth:%Y%m%d}{order:03d}"
    check = (12 - sum(int(c) * w for c, w in zip(first17, _RIC_WEIGHTS, strict=True)) % 11) % 11
    return first17 + ("X" if check == 10 else str(check))


def batch_subjects(count: int, legal_share: float = 0.25) -> list[dict[str, str]]:
    """``count`` distinct, valid, deterministic subjects: mostly natural persons, a quarter
    legal persons (unified social credit codes), with the RICH example person in the middle."""
    rich = rich_subject()
    legal = round((count - 1) * legal_share)
    subjects: list[dict[str, str]] = []
    for i in range(count - 1 - legal):
        birth = datetime.date(1955, 1, 1) + datetime.timedelta(days=113 * i)
        subject_id = normalize_resident_id(_resident_id(_REGIONS[i % 8], birth, 100 + i % 900))
        if subject_id != rich["id"]:
            subjects.append({"kind": "NATURAL", "id": subject_id})
    for i in range(legal):
        first17 = f"91320{_REGIONS[i % 8][3:]}MB{i + 5000:07d}"
        subjects.append(
            {"kind": "LEGAL", "id": normalize_uscc(first17 + uscc_check_character(first17))}
        )
    subjects.insert(len(subjects) // 2, rich)
    if len({s["id"] for s in subjects}) != count:
        raise RuntimeError("the benchmark's batch subjects are not distinct")
    return subjects


def batch_variables(count: int) -> dict[str, Any]:
    return {"subjects": batch_subjects(count), "caseNumber": CASE_NUMBER}


def agency_inquiry_body(request_id: str) -> bytes:
    """The body the gateway's connectors send about the RICH person (``POST /v1/inquiries``)."""
    case = parse_case_number(CASE_NUMBER)
    rich = rich_subject()
    subject = parse_subject(SubjectKind.NATURAL, rich["id"], rich["name"])
    return inquiry_body(Inquiry(request_id, case, case.court, (subject,)))


def tiers(subjects: list[dict[str, str]]) -> dict[str, int]:
    """How many subjects of each synthetic tier (what the mocks know about them)."""
    counts: dict[str, int] = {t.value: 0 for t in Tier}
    for subject in subjects:
        counts[tier_of(subject["id"]).value] += 1
    return counts


def strip_volatile(value: Any) -> Any:
    """``value`` without the fields that change between executions (latency, fetch time)."""
    if isinstance(value, dict):
        return {k: strip_volatile(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [strip_volatile(v) for v in value]
    return value
