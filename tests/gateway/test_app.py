"""The list's settings as the app reads them: the profile, single deadlines, the calendar file."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from gateway.app import ConfigurationError, listing_rules
from gateway.domain.calendar import DayUnit
from gateway.domain.deadlines import DeadlineKind, ProfileName
from gateway.settings import Settings


def test_the_default_is_the_source_plan_and_the_national_profile_can_be_chosen():
    assert listing_rules(Settings().listing).profile.name is ProfileName.SOURCE_PLAN
    national = Settings(listing={"profile": "NATIONAL"}).listing
    assert listing_rules(national).profile.name is ProfileName.NATIONAL


def test_a_single_deadline_is_overridden_or_removed():
    settings = Settings(
        listing={
            "deadlines": {
                "review": {"days": 5, "unit": "WORKING", "source": "本院规定"},
                "CORRECTION_APPLICATION": None,
            }
        }
    ).listing
    profile = listing_rules(settings).profile
    review = profile.get(DeadlineKind.REVIEW)
    assert review is not None
    assert (review.days, review.unit, review.source) == (5, DayUnit.WORKING, "本院规定")
    assert profile.get(DeadlineKind.CORRECTION_APPLICATION) is None
    exit_ = profile.get(DeadlineKind.EXIT)
    assert exit_ is not None
    assert exit_.days == 3


def test_an_unknown_deadline_or_a_broken_calendar_file_fails_at_start(tmp_path: Path):
    with pytest.raises(ConfigurationError, match="unknown list deadline") as caught:
        listing_rules(Settings(listing={"deadlines": {"nope": {"days": 1}}}).listing)
    # said in both languages, as chakong serve prints every configuration error
    assert "未知的名单期限 'nope'" in str(caught.value)
    broken = tmp_path / "calendar.json"
    broken.write_text("{")
    with pytest.raises(ConfigurationError, match="calendar"):
        listing_rules(Settings(listing={"calendar_file": str(broken)}).listing)


def test_the_calendar_file_is_read(tmp_path: Path):
    path = tmp_path / "calendar.json"
    path.write_text(json.dumps({"days": {"2026-03-03": "holiday"}}))
    rules = listing_rules(Settings(listing={"calendar_file": str(path)}).listing)
    assert rules.calendar.is_workday(datetime.date(2026, 3, 3)) == (False, True)
