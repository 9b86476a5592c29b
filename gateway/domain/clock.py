"""The court's calendar day.

Courts work in China Standard Time (UTC+8, no daylight saving). A freeze made at 01:30 on
3 December in Huai'an starts on 3 December, though it is still 2 December in UTC; taking the
date of a UTC timestamp would start it, and end its legal period, a day early. Every date the
gateway decides (a control's start and end, a queue's moves, "today" for the list's deadlines
and for a birth date, the dates a report prints) is taken with ``court_date``.
"""

from __future__ import annotations

import datetime

CHINA = datetime.timezone(datetime.timedelta(hours=8), "CST")


def court_date(moment: datetime.datetime) -> datetime.date:
    """The date in China at ``moment`` (an aware datetime)."""
    return moment.astimezone(CHINA).date()


def court_today() -> datetime.date:
    """Today's date in China."""
    return court_date(datetime.datetime.now(datetime.UTC))
