"""Deadlines as configuration, counted on China's official working-day calendar.

A ``Deadline`` is a value, a unit (calendar or working days) and its source (the rule that sets
it). ``WorkingCalendar.due`` counts it the way Chinese procedure does:

* the day the period starts from is not counted (《民事诉讼法》第八十五条: 期间开始的时和日，
  不计算在期间内);
* a period in calendar days whose last day is a rest day ends on the next working day
  (same article: 期间届满的最后一日是法定休假日的，以法定休假日后的第一日为期间届满的日期);
* a period in working days counts only working days: weekends are rest days unless the State
  Council swapped them into working days (调休), and public holidays are rest days.

Which days are working days comes from the maintained ``chinese-calendar`` package (the State
Council's yearly notices), then from the court's override file (``CalendarOverrides``) for days
the package does not know yet or gets wrong. A day of a year that neither knows is counted as a
plain weekday *with a warning* on the result: a deadline is never silently guessed.
"""

from __future__ import annotations

import datetime
import enum
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import chinese_calendar

from gateway.domain.errors import InvalidInputError


class DayUnit(enum.Enum):
    CALENDAR = "CALENDAR"  # 日（自然日）
    WORKING = "WORKING"  # 工作日


@dataclass(frozen=True, slots=True)
class Deadline:
    """A period: ``days`` of ``unit``, as ``source`` sets it."""

    days: int
    unit: DayUnit
    source: str

    def __post_init__(self) -> None:
        if not 0 <= self.days <= 3650:
            raise InvalidInputError(
                f"期限天数 {self.days} 无效", f"a deadline of {self.days} days is invalid"
            )

    @property
    def label(self) -> str:
        unit = "个工作日" if self.unit is DayUnit.WORKING else "日"
        return f"{self.days}{unit}"


@dataclass(frozen=True, slots=True)
class Due:
    """The last day of a period, and what the calendar could not vouch for."""

    on: datetime.date
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CalendarOverrides:
    """The court's corrections to the package: ``days`` (date -> is a working day) and the
    ``years`` the court declares complete (every other day of them is a plain weekday or
    weekend, without a warning).

    The file is JSON::

        {"years": [2027], "days": {"2027-02-06": "workday", "2027-02-11": "holiday"}}
    """

    days: Mapping[datetime.date, bool] = field(default_factory=dict)
    years: frozenset[int] = frozenset()

    @classmethod
    def load(cls, path: str | Path) -> CalendarOverrides:
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
            days = {
                datetime.date.fromisoformat(day): _kind(kind)
                for day, kind in dict(raw.get("days", {})).items()
            }
            years = frozenset(int(y) for y in raw.get("years", []))
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            raise InvalidInputError(
                f"工作日调整文件 {path} 无法读取：{exc}",
                f"the calendar override file {path} cannot be read: {exc}",
                code="CALENDAR_OVERRIDES_INVALID",
            ) from None
        return cls(days=days, years=years)


def _kind(value: object) -> bool:
    if value in ("workday", "工作日"):
        return True
    if value in ("holiday", "休息日", "节假日"):
        return False
    raise ValueError(f"unknown day kind {value!r} (workday or holiday)")


def _package_lookup(day: datetime.date) -> bool | None:
    """The package's answer, or ``None`` for a year it does not cover."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


class WorkingCalendar:
    """Working days: the package, corrected by the court's overrides."""

    def __init__(
        self,
        overrides: CalendarOverrides | None = None,
        lookup: Callable[[datetime.date], bool | None] = _package_lookup,
    ) -> None:
        self.overrides = overrides or CalendarOverrides()
        self._lookup = lookup

    def is_workday(self, day: datetime.date) -> tuple[bool, bool]:
        """(is a working day, the calendar knows it): an unknown day is a plain weekday."""
        if day in self.overrides.days:
            return self.overrides.days[day], True
        known = self._lookup(day)
        if known is not None:
            return known, True
        weekday = day.weekday() < 5
        return weekday, day.year in self.overrides.years

    def due(self, start: datetime.date, deadline: Deadline) -> Due:
        """The last day of ``deadline`` counted from ``start`` (which is not counted)."""
        unknown: set[int] = set()

        def workday(day: datetime.date) -> bool:
            works, known = self.is_workday(day)
            if not known:
                unknown.add(day.year)
            return works

        day = start
        if deadline.unit is DayUnit.CALENDAR:
            day = start + datetime.timedelta(days=deadline.days)
            while not workday(day):
                day += datetime.timedelta(days=1)
        else:
            left = deadline.days
            while left > 0:
                day += datetime.timedelta(days=1)
                if workday(day):
                    left -= 1
        return Due(day, _warnings(unknown))


def _warnings(years: set[int]) -> tuple[str, ...]:
    return tuple(
        f"{year}年的法定节假日尚未知（工作日调整文件亦未列出），按周一至周五计算，请核对 / the "
        f"official holidays of {year} are not known (nor in the override file): counted as "
        "Monday to Friday; check this date"
        for year in sorted(years)
    )
