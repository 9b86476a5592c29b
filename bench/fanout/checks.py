"""Whether an answer counts: every agency answered as expected, else the run is void."""

from __future__ import annotations

from typing import Any

from bench.fanout import queries
from connectors.registry import AGENCIES


def check_profile(profile: dict[str, Any], *, require_ok: bool) -> None:
    """Every agency that serves the subject's kind answered (OK, or NOT_FOUND where allowed), the
    others are NOT_APPLICABLE (asked nothing); else the run is void."""
    allowed = {"OK"} if require_ok else {"OK", "NOT_FOUND"}
    serving = {a.upper() for a in queries.serving(profile["subject"]["kind"])}
    statuses = {s["agency"]: s["status"] for s in profile["sources"]}
    bad = {
        spec.key: statuses.get(spec.key)
        for spec in AGENCIES
        if statuses.get(spec.key) not in (allowed if spec.key in serving else {"NOT_APPLICABLE"})
    }
    if bad:
        raise RuntimeError(f"agencies did not answer as expected: {bad}")


def check_leads(profile: dict[str, Any]) -> int:
    """The example debtor's leads were followed: the spouse and at least one controlled
    enterprise, each a whole profile. Returns the number of leads."""
    check_profile(profile, require_ok=True)
    spouse, enterprises = profile.get("spouse"), profile.get("controlledEnterprises") or []
    if spouse is None or not enterprises:
        raise RuntimeError("the example debtor's leads were not followed (no spouse or enterprise)")
    for lead in [spouse, *enterprises]:
        check_profile(lead, require_ok=False)
    return 1 + len(enterprises)


def expected_batch_calls(subjects: list[dict[str, str]]) -> dict[str, int]:
    """One call for each agency that serves at least one of ``subjects``, zero for the others."""
    served = {a for s in subjects for a in queries.serving(s["kind"])}
    return {name: int(name in served) for name in AGENCIES.names()}
