"""The list's inputs in the domain: a warning not before its case was filed, the debtor's name
kept in its normal form, and the circumstance capped like every other text of an entry."""

from __future__ import annotations

import datetime

import pytest

from gateway.domain.calendar import WorkingCalendar
from gateway.domain.deadlines import SOURCE_PLAN
from gateway.domain.lifecycle import Action, EarliestWarning, ListingEvent, Rules, apply, warn
from gateway.domain.listing import MAX_TEXT, ListingError, normal_name
from gateway.domain.subjects import Subject, SubjectKind
from tests.gateway.listing_samples import ADULT, decision, particulars

D = datetime.date
TODAY = D(2026, 12, 1)
PLAN = Rules(SOURCE_PLAN, WorkingCalendar())
FILED = EarliestWarning.of(2026, D(2026, 1, 5))


def test_a_warning_before_the_case_was_filed_is_refused_naming_the_earliest_day():
    with pytest.raises(ListingError) as caught:
        warn(
            "e1",
            particulars(),
            on=D(2024, 2, 1),
            document_number="提示",
            today=TODAY,
            earliest=FILED,
        )
    assert caught.value.code == "LISTING_DATE_INVALID"
    assert "2024-02-01" in caught.value.message_en
    assert "the case's filing date" in caught.value.message_en
    assert "earliest allowed day is 2026-01-05" in caught.value.message_en
    assert "立案日期" in caught.value.message_zh
    assert "最早为 2026-01-05" in caught.value.message_zh
    # the day before is refused, the filing day itself is allowed
    with pytest.raises(ListingError):
        warn(
            "e1",
            particulars(),
            on=D(2026, 1, 4),
            document_number="提示",
            today=TODAY,
            earliest=FILED,
        )
    entry, _ = warn(
        "e1", particulars(), on=D(2026, 1, 5), document_number="提示", today=TODAY, earliest=FILED
    )
    assert entry.warned_on == D(2026, 1, 5)


def test_without_a_registered_filing_date_the_case_numbers_year_is_the_floor():
    earliest = EarliestWarning.of(2026, None)
    assert earliest == EarliestWarning(D(2026, 1, 1), False)
    with pytest.raises(ListingError) as caught:
        warn(
            "e1",
            particulars(),
            on=D(2025, 12, 31),
            document_number="提示",
            today=TODAY,
            earliest=earliest,
        )
    assert caught.value.code == "LISTING_DATE_INVALID"
    assert "1 January of the case number's year" in caught.value.message_en
    assert "2026-01-01" in caught.value.message_en
    assert "案号年份的1月1日" in caught.value.message_zh
    assert "2026-01-01" in caught.value.message_zh
    # a filing date before the number's year (the register refuses one) does not lower it
    assert EarliestWarning.of(2026, D(2025, 6, 1)) == EarliestWarning(D(2026, 1, 1), False)


def test_every_later_event_follows_the_warning_so_none_precedes_the_filing():
    entry, _ = warn(
        "e1", particulars(), on=D(2026, 1, 5), document_number="提示", today=TODAY, earliest=FILED
    )
    on = D(2024, 2, 13)
    with pytest.raises(ListingError) as caught:
        apply(entry, Action(ListingEvent.DECIDE, on, decision=decision(on)), PLAN, today=TODAY)
    assert caught.value.code == "LISTING_DATE_INVALID"


def test_the_name_is_kept_in_its_normal_form():
    assert normal_name("测试１０") == "测试10"
    assert normal_name("  ＡＢＣ　 Co.,\tLtd. ") == "ABC Co., Ltd."
    subject = Subject(SubjectKind.NATURAL, ADULT.id, " 测试１０ ")
    entry, _ = warn(
        "e1", particulars(subject), on=D(2026, 3, 2), document_number="提示", today=TODAY
    )
    assert entry.subject.name == "测试10"
    assert entry.subject.key == ADULT.key


def test_the_circumstance_is_capped_like_the_other_texts():
    entry, _ = warn("e1", particulars(), on=D(2026, 3, 2), document_number="提示", today=TODAY)
    on = D(2026, 3, 10)
    for length in (MAX_TEXT + 1, 5000):
        long = decision(on, circumstance="情" * length)
        with pytest.raises(ListingError) as caught:
            apply(entry, Action(ListingEvent.DECIDE, on, decision=long), PLAN, today=TODAY)
        assert caught.value.code == "INVALID_INPUT"
        assert "the circumstance may not exceed 2000 characters" in caught.value.message_en
        assert "失信具体情形不能超过 2000 个字符" in caught.value.message_zh
    fits = decision(on, circumstance="情" * MAX_TEXT)
    listed, _ = apply(entry, Action(ListingEvent.DECIDE, on, decision=fits), PLAN, today=TODAY)
    assert listed.decision is not None
    assert len(listed.decision.circumstance) == MAX_TEXT
