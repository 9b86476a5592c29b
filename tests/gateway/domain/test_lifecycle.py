"""The list's lifecycle: every transition, every refusal with its code, terms and minors."""

from __future__ import annotations

import datetime
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.domain.calendar import WorkingCalendar
from gateway.domain.deadlines import NATIONAL, SOURCE_PLAN
from gateway.domain.lifecycle import FROM, Action, ListingEvent, Rules, apply, warn
from gateway.domain.listing import (
    ExitCause,
    Gender,
    LegalGround,
    ListingEntry,
    ListingError,
    ListingState,
    Particulars,
    normalize_organisation_code,
    organisation_check_character,
    public_id,
)
from gateway.domain.subjects import Subject, SubjectKind
from tests.gateway.listing_samples import ADULT, COMPANY, decision, particulars, resident_id

D = datetime.date
E = ListingEvent
S = ListingState
TODAY = D(2026, 12, 1)
PLAN = Rules(SOURCE_PLAN, WorkingCalendar())
NATIONAL_RULES = Rules(NATIONAL, WorkingCalendar())


WARNED_ON = D(2026, 3, 2)
DECIDED_ON = D(2026, 3, 10)


def warned(subject: Subject = ADULT, on: datetime.date = WARNED_ON) -> ListingEntry:
    entry, _ = warn("e1", particulars(subject), on=on, document_number="风险提示1号", today=TODAY)
    return entry


def step(entry, event, on, rules=PLAN, **kw) -> ListingEntry:
    kw.setdefault("document_number", "文书1号")
    new: ListingEntry
    new, transition = apply(entry, Action(event, on, reason="r", **kw), rules, today=TODAY)
    assert transition.from_state is entry.state
    assert transition.to_state is new.state
    assert new.version == entry.version + 1
    return new


def listed(on: datetime.date = DECIDED_ON, **kw) -> ListingEntry:
    return step(
        warned(on=on - datetime.timedelta(days=7)), E.DECIDE, on, decision=decision(on, **kw)
    )


def published(on: datetime.date = DECIDED_ON) -> ListingEntry:
    return step(listed(on), E.PUBLISH, on)


def test_warn_decide_publish():
    entry = warned()
    assert (entry.state, entry.public) == (S.WARNED, False)
    entry = listed()
    assert (entry.state, entry.public) == (S.LISTED, False)
    assert entry.valid_until == D(2028, 3, 9)  # two years
    entry = step(entry, E.PUBLISH, D(2026, 3, 11))
    assert (entry.state, entry.public, entry.published_on) == (S.PUBLISHED, True, D(2026, 3, 11))
    assert entry.age == 45
    assert entry.gender is Gender.MALE


def test_a_withdrawn_warning():
    entry = step(warned(), E.WITHDRAW_WARNING, D(2026, 3, 5))
    assert (entry.state, entry.public) == (S.WITHDRAWN, False)


def test_terms_by_ground_and_extension():
    assert listed(ground=LegalGround.ABLE_BUT_REFUSES).valid_until is None
    assert listed(ground=LegalGround.OBSTRUCTS, extension_years=3).valid_until == D(2031, 3, 9)
    for ground, years in ((LegalGround.ABLE_BUT_REFUSES, 1), (LegalGround.OBSTRUCTS, 4)):
        with pytest.raises(ListingError) as caught:
            listed(ground=ground, extension_years=years)
        assert caught.value.code == "LISTING_EXTENSION_INVALID"


def test_not_publishable_entries_notify_the_employer_and_are_never_public():
    entry = listed(publication_allowed=False, employer="淮安市某局")
    with pytest.raises(ListingError) as caught:
        step(entry, E.PUBLISH, D(2026, 3, 11))
    assert caught.value.code == "LISTING_PUBLICATION_NOT_ALLOWED"
    entry = step(entry, E.NOTIFY_EMPLOYER, D(2026, 3, 11))
    assert (entry.state, entry.public) == (S.EMPLOYER_NOTIFIED, False)
    with pytest.raises(ListingError) as caught:
        step(listed(), E.NOTIFY_EMPLOYER, D(2026, 3, 11))
    assert caught.value.code == "LISTING_PUBLICATION_ALLOWED"
    with pytest.raises(ListingError) as caught:
        listed(publication_allowed=False)
    assert caught.value.code == "LISTING_EMPLOYER_REQUIRED"


def test_correction_accepted_revokes():
    entry = step(published(), E.APPLY_CORRECTION, D(2026, 3, 15))
    assert (entry.state, entry.public) == (S.UNDER_REVIEW, True)
    entry = step(entry, E.ACCEPT_CORRECTION, D(2026, 3, 16))
    assert (entry.state, entry.public, entry.revoked_on) == (S.REVOKED, False, D(2026, 3, 16))


def test_correction_rejected_then_reconsideration_upheld_or_revoked():
    entry = step(published(), E.APPLY_CORRECTION, D(2026, 3, 15))
    entry = step(entry, E.REJECT_CORRECTION, D(2026, 3, 17))
    assert (entry.state, entry.public) == (S.PUBLISHED, True)
    pending = step(entry, E.APPLY_RECONSIDERATION, D(2026, 3, 20))
    assert pending.state is S.UNDER_RECONSIDERATION
    upheld = step(pending, E.UPHOLD, D(2026, 4, 1))
    assert (upheld.state, upheld.public) == (S.PUBLISHED, True)
    with pytest.raises(ListingError) as caught:  # once only
        step(upheld, E.APPLY_RECONSIDERATION, D(2026, 4, 2))
    assert caught.value.code == "LISTING_NOT_REJECTED"
    revoked = step(pending, E.REVOKE_ON_RECONSIDERATION, D(2026, 4, 1))
    assert (revoked.state, revoked.public) == (S.REVOKED, False)


def test_reconsideration_needs_a_rejection():
    with pytest.raises(ListingError) as caught:
        step(published(), E.APPLY_RECONSIDERATION, D(2026, 3, 12))
    assert caught.value.code == "LISTING_NOT_REJECTED"


def test_late_applications_are_refused_per_profile():
    entry = published(D(2026, 3, 2))  # correction within 10 days: until 12 March (plan)
    step(entry, E.APPLY_CORRECTION, D(2026, 3, 12))
    with pytest.raises(ListingError) as caught:
        step(entry, E.APPLY_CORRECTION, D(2026, 3, 13))
    assert caught.value.code == "LISTING_APPLICATION_LATE"
    # the national rules set no limit on applying for correction
    step(entry, E.APPLY_CORRECTION, D(2026, 9, 1), rules=NATIONAL_RULES)
    applied = step(entry, E.APPLY_CORRECTION, D(2026, 3, 3))
    rejected = step(applied, E.REJECT_CORRECTION, D(2026, 3, 4))
    step(rejected, E.APPLY_RECONSIDERATION, D(2026, 3, 16))
    with pytest.raises(ListingError) as caught:
        step(rejected, E.APPLY_RECONSIDERATION, D(2026, 3, 17))  # 10 days: Sat 14 -> Mon 16
    assert caught.value.code == "LISTING_APPLICATION_LATE"


@pytest.mark.parametrize("cause", list(ExitCause))
@pytest.mark.parametrize("end", [E.MASK, E.REVOKE])
def test_exit_after_performance_settlement_or_termination(cause, end):
    entry = step(published(), E.REPORT_EXIT, D(2026, 5, 1), exit_cause=cause)
    assert (entry.state, entry.public, entry.exit_cause) == (S.EXIT_PENDING, True, cause)
    entry = step(entry, end, D(2026, 5, 2))
    assert entry.state is (S.MASKED if end is E.MASK else S.REVOKED)
    assert entry.public is False


def test_exit_needs_its_cause():
    with pytest.raises(ListingError) as caught:
        step(published(), E.REPORT_EXIT, D(2026, 5, 1))
    assert caught.value.code == "INVALID_INPUT"


def test_expiry_masks_only_after_the_validity_period():
    entry = published(D(2024, 3, 10))  # valid until 9 March 2026
    with pytest.raises(ListingError) as caught:
        step(entry, E.EXPIRE, D(2026, 3, 9))
    assert caught.value.code == "LISTING_NOT_EXPIRED"
    expired = step(entry, E.EXPIRE, D(2026, 3, 10))
    assert (expired.state, expired.public) == (S.MASKED, False)
    with pytest.raises(ListingError):
        step(listed(ground=LegalGround.ABLE_BUT_REFUSES), E.EXPIRE, D(2026, 11, 1))


def test_a_guarantee_lifts_and_a_new_decision_relists():
    lifted = step(published(), E.LIFT, D(2026, 4, 1))
    assert (lifted.state, lifted.public) == (S.LIFTED, False)
    again = step(lifted, E.RELIST, D(2026, 6, 1), decision=decision(D(2026, 6, 1)))
    assert (again.state, again.public, again.valid_until) == (S.LISTED, False, D(2028, 5, 31))
    assert again.lifted_on is None
    with pytest.raises(ListingError) as caught:
        step(lifted, E.RELIST, D(2026, 6, 1))
    assert caught.value.code == "LISTING_DOCUMENT_REQUIRED"


def _reach(state: ListingState) -> ListingEntry:
    """An entry in ``state``, through the lifecycle."""
    pub = published()
    paths = {
        S.WARNED: warned(),
        S.WITHDRAWN: step(warned(), E.WITHDRAW_WARNING, D(2026, 3, 5)),
        S.LISTED: listed(),
        S.PUBLISHED: pub,
        S.EMPLOYER_NOTIFIED: step(
            listed(publication_allowed=False, employer="某单位"), E.NOTIFY_EMPLOYER, D(2026, 3, 10)
        ),
        S.UNDER_REVIEW: step(pub, E.APPLY_CORRECTION, D(2026, 3, 11)),
        S.EXIT_PENDING: step(pub, E.REPORT_EXIT, D(2026, 3, 11), exit_cause=ExitCause.PERFORMED),
        S.LIFTED: step(pub, E.LIFT, D(2026, 3, 11)),
        S.REVOKED: step(pub, E.REVOKE, D(2026, 3, 11)),
    }
    paths[S.UNDER_RECONSIDERATION] = step(
        step(paths[S.UNDER_REVIEW], E.REJECT_CORRECTION, D(2026, 3, 12)),
        E.APPLY_RECONSIDERATION,
        D(2026, 3, 13),
    )
    paths[S.MASKED] = step(paths[S.EXIT_PENDING], E.MASK, D(2026, 3, 12))
    return paths[state]


@pytest.mark.parametrize(
    ("state", "event"),
    [
        (s, e)
        for s, e in itertools.product(ListingState, ListingEvent)
        if e is E.WARN or s not in FROM[e]
    ],
)
def test_every_invalid_transition_is_refused_with_a_stable_code(state, event):
    entry = _reach(state)
    assert entry.state is state
    with pytest.raises(ListingError) as caught:
        step(entry, event, D(2026, 3, 20), decision=decision(D(2026, 3, 20)))
    assert caught.value.code == "LISTING_INVALID_TRANSITION"


def test_dates_go_forward_and_not_past_today():
    for on, named in ((D(2026, 3, 1), "2026-03-10"), (TODAY + datetime.timedelta(days=1), "today")):
        with pytest.raises(ListingError) as caught:
            step(published(D(2026, 3, 10)), E.LIFT, on)
        assert caught.value.code == "LISTING_DATE_INVALID"
        assert named in caught.value.message_en  # the rule it broke, and no other


def test_a_warning_dated_before_any_case_is_a_date_error_not_a_minor():
    # year 1 is before the debtor's birth too: the date is what is wrong
    with pytest.raises(ListingError) as caught:
        warned(on=D(1, 1, 1))
    assert caught.value.code == "LISTING_DATE_INVALID"
    assert "1990-01-01" in caught.value.message_en


def test_a_warning_dated_after_today_says_so():
    # the first event: there is no event before it to name
    with pytest.raises(ListingError) as caught:
        warned(on=TODAY + datetime.timedelta(days=1))
    assert caught.value.code == "LISTING_DATE_INVALID"
    assert "today (2026-12-01)" in caught.value.message_en
    assert "今天（2026-12-01）" in caught.value.message_zh
    assert "None" not in str(caught.value)


def test_a_decision_needs_the_circumstance_the_public_entry_shows():
    for blank in ("", "  "):
        with pytest.raises(ListingError) as caught:
            listed(circumstance=blank)
        assert caught.value.code == "INVALID_INPUT"
        assert "circumstance" in caught.value.message_en


def test_document_numbers_are_required_where_the_law_needs_a_document():
    with pytest.raises(ListingError) as caught:
        step(published(), E.LIFT, D(2026, 4, 1), document_number=" ")
    assert caught.value.code == "LISTING_DOCUMENT_REQUIRED"


def test_legal_persons_need_their_representative_and_show_the_whole_credit_code():
    entry = warned(COMPANY)
    assert (entry.age, entry.gender) == (None, None)
    assert public_id(COMPANY) == COMPANY.id
    assert public_id(ADULT) == ADULT.id[:10] + "****" + ADULT.id[14:]
    nobody = Particulars(**{**_fields(particulars(COMPANY)), "legal_representative": None})
    with pytest.raises(ListingError) as caught:
        warn("e2", nobody, on=D(2026, 3, 1), document_number="d", today=TODAY)
    assert caught.value.code == "INVALID_INPUT"


def _fields(value: Particulars) -> dict:
    return {name: getattr(value, name) for name in Particulars.__dataclass_fields__}


@given(
    born=st.dates(min_value=D(1974, 1, 1), max_value=D(2026, 11, 30)),  # warned from 1990
    serial=st.integers(min_value=0, max_value=999),
    warned_days=st.integers(min_value=0, max_value=400),
    decided_days=st.integers(min_value=0, max_value=400),
)
def test_no_minor_is_ever_listed(born, serial, warned_days, decided_days):
    """Whatever the ID and the dates, an entry reaches LISTED only for an adult on the
    decision's date; a minor is refused with LISTING_MINOR at the warning or the decision."""
    subject = Subject(SubjectKind.NATURAL, resident_id(born, f"{serial:03d}"), "某")
    warned_on = min(TODAY, born + datetime.timedelta(days=365 * 17 + warned_days))
    decided_on = min(TODAY, warned_on + datetime.timedelta(days=decided_days))
    minor = entry_age(born, warned_on) < 18 or entry_age(born, decided_on) < 18
    if minor:
        with pytest.raises(ListingError) as caught:
            _warn_and_decide(subject, warned_on, decided_on)
        assert caught.value.code == "LISTING_MINOR"
        return
    entry = _warn_and_decide(subject, warned_on, decided_on)
    assert entry.state is S.LISTED
    assert entry.age is not None
    assert entry.age >= 18


def _warn_and_decide(
    subject: Subject, warned_on: datetime.date, decided_on: datetime.date
) -> ListingEntry:
    entry = warned(subject, warned_on)
    return step(entry, E.DECIDE, decided_on, decision=decision(decided_on))


def entry_age(born: datetime.date, on: datetime.date) -> int:
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years


def test_texts_longer_than_their_columns_are_refused():
    with pytest.raises(ListingError) as caught:
        step(published(), E.LIFT, D(2026, 4, 1), document_number="号" * 129)
    assert caught.value.code == "INVALID_INPUT"
    with pytest.raises(ListingError) as caught:
        listed(document_number="号" * 129)
    assert caught.value.code == "INVALID_INPUT"


@pytest.mark.parametrize("state", [S.MASKED, S.REVOKED, S.LIFTED])
def test_relisting_from_every_state_that_ended_the_punishment(state):
    ended = _reach(state)
    again = step(ended, E.RELIST, D(2026, 6, 1), decision=decision(D(2026, 6, 1)))
    assert (again.state, again.public, again.previous_state) == (S.LISTED, False, None)
    assert again.decision is not None
    assert again.decision.decided_on == D(2026, 6, 1)
    assert (again.masked_on, again.revoked_on, again.exit_cause) == (None, None, None)


# 腾讯 (统一社会信用代码 9144030071526726XG): its organisation code is the credit code's 9th to
# 17th characters, 71526726-X (sum 199, 11 - 199 mod 11 = 10, written X)
ORGANISATION_CODE = "71526726X"


@pytest.mark.parametrize(
    "spelling",
    ["71526726X", "71526726-X", "71526726x", " 7152 6726－Ｘ ", "７１５２６７２６-ｘ"],
)
def test_an_organisation_code_is_read_as_every_identifier_and_its_check_verified(spelling: str):
    assert normalize_organisation_code(spelling) == ORGANISATION_CODE


def test_the_organisation_check_character_follows_gb_11714():
    assert organisation_check_character("71526726") == "X"
    # every remainder: 11 is written 0, 10 is X, the others are their digit
    checks = {organisation_check_character(f"{n:08d}") for n in range(0, 200)}
    assert checks == set("0123456789X")
    # letters count 10 (A) to 35 (Z): M22*3 + A10*7 + 1*9 + A10*10 + B11*5 + C12*8 + D13*4
    # + E14*2 = 476, 476 mod 11 = 3, 11 - 3 = 8
    assert organisation_check_character("MA1ABCDE") == "8"
    assert normalize_organisation_code("ma1abcde-8") == "MA1ABCDE8"


@pytest.mark.parametrize(
    "bad",
    [
        "715267260",  # wrong check character
        "71526726",  # too short
        "71526726XX",  # too long
        "7152-6726X",  # a dash elsewhere than before the check character
        "71526726--X",
        "7152672_X",  # not a digit or letter
        "٧١٥٢٦٧٢٦X",  # Arabic-Indic digits: not ASCII after NFKC
        "",
    ],
)
def test_a_bad_organisation_code_is_refused_with_its_code(bad: str):
    with pytest.raises(ListingError) as refused:
        normalize_organisation_code(bad)
    assert refused.value.code == "LISTING_ORGANISATION_CODE_INVALID"
    assert "组织机构代码" in refused.value.message_zh
    assert "organisation code" in refused.value.message_en


def test_an_organisation_code_is_a_legal_persons_field_only():
    entry, _ = warn(
        "e1",
        particulars(COMPANY, organisation_code=ORGANISATION_CODE),
        on=WARNED_ON,
        document_number="风险提示1号",
        today=TODAY,
    )
    assert entry.particulars.organisation_code == ORGANISATION_CODE
    assert warned(COMPANY).particulars.organisation_code is None  # optional
    for subject, code, expected in (
        (ADULT, ORGANISATION_CODE, "LISTING_ORGANISATION_CODE_NATURAL_PERSON"),
        (COMPANY, "71526726-X", "LISTING_ORGANISATION_CODE_INVALID"),  # not in normal form
        (COMPANY, "715267260", "LISTING_ORGANISATION_CODE_INVALID"),
    ):
        with pytest.raises(ListingError) as refused:
            warn(
                "e2",
                particulars(subject, organisation_code=code),
                on=WARNED_ON,
                document_number="风险提示1号",
                today=TODAY,
            )
        assert refused.value.code == expected
