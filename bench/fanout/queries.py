"""The queries, variables, subjects and case of the benchmark, derived from ``gateway.examples``.

Three operations, all asking the agencies afresh (``fresh: true``; the cache would hide the work):

- ``PROFILE_QUERY``: the example query without its two leads (``spouse``,
  ``controlledEnterprises``): the debtor's own full profile, every agency's fields, the summary
  and the sources. One round of agency calls: "one inquiry", figures (a) and (b).
- ``FULL_QUERY``: the example query as it is, leads included: a second round of agency calls
  (the spouse and the controlled enterprises) after the first.
- ``BATCH_QUERY``: ``PROFILE_QUERY``'s selection for many debtors at once, figure (c).

Each is derived from ``EXAMPLE_QUERY`` by exact edits that fail loudly if the example changes
shape, and checked with graphql-core's parser.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from graphql import FieldNode, FragmentDefinitionNode, FragmentSpreadNode, OperationDefinitionNode
from graphql import parse as parse_graphql

from connectors.base import Inquiry
from connectors.http import inquiry_body
from connectors.registry import AGENCIES
from gateway.domain.cases import parse_case_number
from gateway.domain.subjects import (
    SubjectKind,
    normalize_resident_id,
    normalize_uscc,
    parse_subject,
    uscc_check_character,
)
from gateway.examples import EXAMPLE_CASE_NUMBER, EXAMPLE_DEBTOR, EXAMPLE_QUERY
from mocks.synthetic import Tier, tier_of

_HEADER = "query DebtorAssets($subject: SubjectInput!, $caseNumber: String!)"
_FIELD = "debtor(subject: $subject, caseNumber: $caseNumber)"
_FRAGMENT = "Assets"
# the lines of the two leads, each `name { ...Assets }` on a line of its own
_LEADS = ("spouse", "controlledEnterprises")

# what the debtor's own profile must select: the sources, the summary, every agency's records
PROFILE_FIELDS = frozenset({"subject", "sources", "summary"} | set(AGENCIES.names()))

# Fields that differ from one execution to the next; left out when results are compared.
VOLATILE_KEYS = frozenset({"latencyMs", "fetchedAt", "cached"})

CASE_NUMBER = EXAMPLE_CASE_NUMBER  # the single inquiry's case: one debtor, as most cases have
BATCH_CASE_NUMBER = "(2026)苏0812执124号"  # the batch's case, whose debtors are the batch
COURT = parse_case_number(CASE_NUMBER).court
JUDGE = "J001"


class ExampleChangedError(RuntimeError):
    def __init__(self, what: str) -> None:
        super().__init__(
            f"gateway.examples.EXAMPLE_QUERY changed: {what}; update bench/fanout/queries.py"
        )


def _replace_once(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise ExampleChangedError(f"expected {old!r} exactly once")
    return text.replace(old, new)


def _drop_lead(text: str, name: str) -> str:
    """``text`` without the one line ``name { ...Assets }``."""
    pattern = re.compile(rf"^[ \t]*{name}[ \t]*\{{[ \t]*\.\.\.{_FRAGMENT}[ \t]*\}}[ \t]*\n", re.M)
    found = pattern.findall(text)
    if len(found) != 1:
        raise ExampleChangedError(f"expected one line `{name} {{ ...{_FRAGMENT} }}`")
    return pattern.sub("", text)


def _root_selection(query: str) -> tuple[FieldNode, dict[str, FragmentDefinitionNode]]:
    document = parse_graphql(query)
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    if len(operations) != 1 or len(operations[0].selection_set.selections) != 1:
        raise ExampleChangedError("expected one operation selecting one root field")
    (root,) = operations[0].selection_set.selections
    if not isinstance(root, FieldNode) or root.selection_set is None:
        raise ExampleChangedError("expected the root field to be a field with a selection")
    return root, fragments


def _check_profile_query(query: str, root_field: str) -> str:
    """``query`` selects, under ``root_field``, the fragment and nothing else, and the fragment
    selects the sources, the summary and every agency's records."""
    root, fragments = _root_selection(query)
    if root.name.value != root_field:
        raise ExampleChangedError(f"expected the root field {root_field!r}")
    assert root.selection_set is not None  # checked by _root_selection
    selections = root.selection_set.selections
    if not (
        len(selections) == 1
        and isinstance(selections[0], FragmentSpreadNode)
        and selections[0].name.value == _FRAGMENT
    ):
        raise ExampleChangedError(f"expected only `...{_FRAGMENT}` once the leads are dropped")
    fragment = fragments.get(_FRAGMENT)
    if fragment is None:
        raise ExampleChangedError(f"expected a fragment {_FRAGMENT}")
    selected = {s.name.value for s in fragment.selection_set.selections if isinstance(s, FieldNode)}
    missing = PROFILE_FIELDS - selected
    if missing:
        raise ExampleChangedError(f"the fragment no longer selects {sorted(missing)}")
    return query


def _check_full_query(query: str) -> str:
    root, _ = _root_selection(query)
    assert root.selection_set is not None
    names = {s.name.value for s in root.selection_set.selections if isinstance(s, FieldNode)}
    if names != set(_LEADS):
        raise ExampleChangedError(f"expected the leads {_LEADS} beside the fragment")
    return query


def _without_leads(query: str) -> str:
    for name in _LEADS:
        query = _drop_lead(query, name)
    return query


_FRESH_FIELD = "debtor(subject: $subject, caseNumber: $caseNumber, fresh: true)"

# The example query as it is (the debtor and both leads), asking afresh.
FULL_QUERY = _check_full_query(_replace_once(EXAMPLE_QUERY, _FIELD, _FRESH_FIELD))

# The debtor's own full profile: one inquiry, one round of agency calls.
PROFILE_QUERY = _check_profile_query(_without_leads(FULL_QUERY), "debtor")

# The same selection for many debtors at once.
BATCH_QUERY = _check_profile_query(
    _replace_once(
        _replace_once(
            _without_leads(EXAMPLE_QUERY),
            _HEADER,
            "query DebtorBatch($subjects: [SubjectInput!]!, $caseNumber: String!)",
        ),
        _FIELD,
        "debtors(subjects: $subjects, caseNumber: $caseNumber, fresh: true)",
    ),
    "debtors",
)

# The case's registration (``saveCase``), as the court's case system.
SAVE_CASE = """\
mutation SaveCase($case: CaseInput!) { saveCase(case: $case) { caseNumber status } }
"""


def example_subject() -> dict[str, str]:
    """The example debtor (``gateway.examples.EXAMPLE_DEBTOR``): a RICH, married natural person
    who controls enterprises."""
    subject = {k: str(v) for k, v in EXAMPLE_DEBTOR.items()}
    if subject.get("kind") != "NATURAL" or tier_of(subject["id"]) is not Tier.RICH:
        raise RuntimeError(
            "gateway.examples.EXAMPLE_DEBTOR is no longer a RICH natural person; "
            "update bench/fanout/queries.py"
        )
    return subject


def profile_variables() -> dict[str, Any]:
    return {"subject": example_subject(), "caseNumber": CASE_NUMBER}


_REGIONS = ("320802", "320803", "320804", "320812", "320813", "320826", "320830", "320831")
_RIC_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))


def _resident_id(region: str, birth: datetime.date, order: int) -> str:
    first17 = f"{region}{birth:%Y%m%d}{order:03d}"
    check = (12 - sum(int(c) * w for c, w in zip(first17, _RIC_WEIGHTS, strict=True)) % 11) % 11
    return first17 + ("X" if check == 10 else str(check))


def batch_subjects(count: int, legal_share: float = 0.25) -> list[dict[str, str]]:
    """``count`` distinct, valid, deterministic subjects: mostly natural persons, a quarter
    legal persons (unified social credit codes), with the example debtor in the middle."""
    example = example_subject()
    legal = round((count - 1) * legal_share)
    subjects: list[dict[str, str]] = []
    i = 0
    while len(subjects) < count - 1 - legal:
        # every 200 subjects the birth dates start again (with other order numbers): a batch
        # of any size stays in the past
        birth = datetime.date(1955, 1, 1) + datetime.timedelta(days=113 * (i % 200))
        subject_id = normalize_resident_id(_resident_id(_REGIONS[i % 8], birth, 100 + i % 900))
        if subject_id != example["id"]:
            subjects.append({"kind": "NATURAL", "id": subject_id})
        i += 1
    for i in range(legal):
        first17 = f"91320{_REGIONS[i % 8][3:]}MB{i + 5000:07d}"
        subjects.append(
            {"kind": "LEGAL", "id": normalize_uscc(first17 + uscc_check_character(first17))}
        )
    subjects.insert(len(subjects) // 2, example)
    if len(subjects) != count or len({s["id"] for s in subjects}) != count:
        raise RuntimeError("the benchmark's batch subjects are not distinct")
    return subjects


def batch_variables(count: int) -> dict[str, Any]:
    return {"subjects": batch_subjects(count), "caseNumber": BATCH_CASE_NUMBER}


def case_variables(debtors: list[dict[str, str]], case_number: str) -> dict[str, Any]:
    """``saveCase``'s variables: the case, OPEN, judge J001, ``debtors`` as DEBTORs."""
    unique = list({d["id"]: d for d in debtors}.values())
    return {
        "case": {
            "caseNumber": case_number,
            "judges": [JUDGE],
            "parties": [{"role": "DEBTOR", "kind": d["kind"], "id": d["id"]} for d in unique],
            "obligation": "100000.00",
            "status": "OPEN",
        }
    }


def serving(kind: str) -> tuple[str, ...]:
    """The agencies whose connectors serve subjects of ``kind`` ("NATURAL" or "LEGAL"); the
    others answer NOT_APPLICABLE without a call."""
    subject_kind = SubjectKind[kind]
    return tuple(s.name for s in AGENCIES if subject_kind in s.subject_kinds)


def agency_inquiry_body(request_id: str) -> bytes:
    """The body the gateway's connectors send about the example debtor (``POST /v1/inquiries``)."""
    case = parse_case_number(CASE_NUMBER)
    example = example_subject()
    subject = parse_subject(SubjectKind.NATURAL, example["id"], example["name"])
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
