"""Deadlines on the official calendar: both profiles, the Spring Festival, a swapped Saturday,
the override file, and a year the package does not know (a warning, not a silent count)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from gateway.domain.calendar import CalendarOverrides, DayUnit, Deadline, WorkingCalendar
from gateway.domain.deadlines import NATIONAL, SOURCE_PLAN, DeadlineKind
from gateway.domain.errors import InvalidInputError

D = datetime.date
CAL = WorkingCalendar()
K = DeadlineKind


def due(start: datetime.date, days: int, unit: DayUnit) -> datetime.date:
    result = CAL.due(start, Deadline(days, unit, "test"))
    assert result.warnings == ()
    return result.on


def test_working_days_skip_the_spring_festival_and_count_the_swapped_saturday_before_it():
    # 2026: Sat 14 Feb is a working day (调休); 15-23 Feb are the holiday
    assert due(D(2026, 2, 12), 3, DayUnit.WORKING) == D(2026, 2, 24)
    assert due(D(2026, 2, 13), 1, DayUnit.WORKING) == D(2026, 2, 14)


def test_a_swapped_working_saturday_counts_as_a_working_day():
    # Sat 28 Feb 2026 is a working day; Sun 1 Mar is not
    assert due(D(2026, 2, 25), 3, DayUnit.WORKING) == D(2026, 2, 28)
    assert due(D(2026, 2, 26), 3, DayUnit.WORKING) == D(2026, 3, 2)


def test_calendar_days_ending_on_a_rest_day_end_on_the_next_working_day():
    assert due(D(2026, 2, 13), 3, DayUnit.CALENDAR) == D(2026, 2, 24)  # 16 Feb is a holiday
    assert due(D(2026, 2, 2), 3, DayUnit.CALENDAR) == D(2026, 2, 5)
    # a plain Sunday moves to Monday; the start day is not counted
    assert due(D(2026, 3, 5), 3, DayUnit.CALENDAR) == D(2026, 3, 9)
    assert due(D(2026, 3, 5), 0, DayUnit.CALENDAR) == D(2026, 3, 5)


# (kind, start, source-plan due, national due): every deadline of both profiles
CASES = [
    (K.CORRECTION_APPLICATION, D(2026, 3, 2), D(2026, 3, 12), None),
    (K.REVIEW, D(2026, 3, 2), D(2026, 3, 5), D(2026, 3, 17)),
    (K.REVIEW, D(2026, 2, 12), D(2026, 2, 24), D(2026, 2, 27)),
    (K.CORRECTION_EFFECT, D(2026, 2, 12), D(2026, 2, 24), D(2026, 2, 24)),
    (K.EXIT, D(2026, 2, 12), D(2026, 2, 24), D(2026, 2, 24)),
    (K.EXIT, D(2026, 3, 4), D(2026, 3, 9), D(2026, 3, 9)),
    (K.EXIT, D(2026, 3, 2), D(2026, 3, 5), D(2026, 3, 5)),
    (K.EXPIRY, D(2026, 9, 30), D(2026, 10, 10), D(2026, 10, 10)),  # Sat 10 Oct works
    (K.RECONSIDERATION_APPLICATION, D(2026, 3, 2), D(2026, 3, 12), D(2026, 3, 12)),
    (K.RECONSIDERATION_DECISION, D(2026, 3, 2), D(2026, 3, 17), D(2026, 3, 17)),
]


@pytest.mark.parametrize(("kind", "start", "plan", "national"), CASES)
def test_every_deadline_in_both_profiles(kind, start, plan, national):
    for profile, expected in ((SOURCE_PLAN, plan), (NATIONAL, national)):
        deadline = profile.get(kind)
        if expected is None:
            assert deadline is None, (profile.name, kind)
            continue
        assert deadline is not None
        assert deadline.source
        assert CAL.due(start, deadline).on == expected, (profile.name, kind)


def test_the_profiles_units_and_sources():
    plan_exit, national_exit = SOURCE_PLAN.get(K.EXIT), NATIONAL.get(K.EXIT)
    silent = SOURCE_PLAN.get(K.RECONSIDERATION_DECISION)
    assert plan_exit is not None
    assert national_exit is not None
    assert silent is not None
    assert (plan_exit.days, plan_exit.unit) == (3, DayUnit.CALENDAR)
    assert "四(一)4" in plan_exit.source
    assert (national_exit.days, national_exit.unit) == (3, DayUnit.WORKING)
    assert "第十条" in national_exit.source
    assert "全国规定" in silent.source  # the plan is silent: the national rule, said so


def test_a_year_the_package_does_not_know_is_a_warning_not_a_silent_count():
    result = CAL.due(D(2099, 1, 1), Deadline(3, DayUnit.WORKING, "test"))
    assert result.on == D(2099, 1, 6)  # Mon-Fri, but said so
    assert len(result.warnings) == 1
    assert "2099" in result.warnings[0]


def test_the_court_override_file(tmp_path: Path):
    path = tmp_path / "calendar.json"
    path.write_text(
        json.dumps({"years": [2099], "days": {"2099-01-02": "holiday", "2099-01-03": "workday"}})
    )
    calendar = WorkingCalendar(CalendarOverrides.load(path))
    result = calendar.due(D(2099, 1, 1), Deadline(3, DayUnit.WORKING, "test"))
    # Fri 2 Jan a holiday, Sat 3 Jan a working day; 2099 declared complete: no warning
    assert result == type(result)(D(2099, 1, 6), ())
    # an override also corrects a known year
    corrected = WorkingCalendar(CalendarOverrides({D(2026, 3, 3): False}))
    assert corrected.due(D(2026, 3, 2), Deadline(1, DayUnit.WORKING, "t")).on == D(2026, 3, 4)


@pytest.mark.parametrize(
    "content", ["not json", '{"days": {"2027-13-01": "holiday"}}', '{"days": {"2027-01-01": "x"}}']
)
def test_a_broken_override_file_is_a_coded_error(tmp_path: Path, content: str):
    path = tmp_path / "calendar.json"
    path.write_text(content)
    with pytest.raises(InvalidInputError) as caught:
        CalendarOverrides.load(path)
    assert caught.value.code == "CALENDAR_OVERRIDES_INVALID"
