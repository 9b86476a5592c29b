"""The court's date is China's, whatever the host's zone and the timestamp's."""

from __future__ import annotations

import datetime

from gateway.domain.clock import CHINA, court_date


def test_the_courts_date_turns_at_midnight_in_china():
    utc = datetime.UTC
    assert court_date(datetime.datetime(2026, 12, 2, 15, 59, tzinfo=utc)) == datetime.date(
        2026, 12, 2
    )
    assert court_date(datetime.datetime(2026, 12, 2, 16, 0, tzinfo=utc)) == datetime.date(
        2026, 12, 3
    )
    new_york = datetime.timezone(datetime.timedelta(hours=-5))
    assert court_date(datetime.datetime(2026, 12, 2, 12, 0, tzinfo=new_york)) == datetime.date(
        2026, 12, 3
    )
    assert CHINA.utcoffset(None) == datetime.timedelta(hours=8)
