"""Synthetic data: deterministic, tiered consistently across agencies, realistic in form."""

from __future__ import annotations

import collections
import datetime
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from typing import Any

import pytest
from stdnum import luhn
from stdnum.cn import ric

from gateway.domain.cases import parse_case_number
from gateway.domain.subjects import normalize_resident_id, normalize_uscc, uscc_check_character
from mocks import bank, land, police
from mocks.bank.records import BankRecords
from mocks.land.records import LandRecords
from mocks.police.records import PoliceRecords
from mocks.registry import MOCK_AGENCIES, mock_spec
from mocks.synthetic import REFERENCE_DATE, Tier, example_subjects, rng_for, tier_of
from mocks.wire import JSONObject, SubjectKindName, SubjectRef
from tests.mocks.helpers import EXAMPLES, reading, walk

GENERATORS = [spec.records_for for spec in MOCK_AGENCIES.values()]
KINDS: tuple[SubjectKindName, ...] = ("natural", "legal")


police_records_for = reading(PoliceRecords, police.records_for)  # the JSON, read back
land_records_for = reading(LandRecords, land.records_for)
bank_records_for = reading(BankRecords, bank.records_for)


def serving(kind: SubjectKindName) -> list[str]:
    """The registered agencies that keep records on subjects of ``kind``."""
    return [agency for agency, spec in MOCK_AGENCIES.items() if kind in spec.subject_kinds]


def answers(ref: SubjectRef) -> dict[str, JSONObject | None]:
    """Every registered agency's JSON records for ``ref`` (None: it does not know the subject)."""
    return {agency: spec.records_for(ref) for agency, spec in MOCK_AGENCIES.items()}


def natural_ids(count: int, region: str = "320812") -> list[str]:
    """Valid resident IDs with varied birth dates and both genders."""
    ids = []
    for n in range(count):
        birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=n * 97 % 27000)
        first17 = f"{region}{birth:%Y%m%d}{n % 1000:03d}"
        ids.append(first17 + ric.calc_check_digit(first17 + "0"))
    return ids


def legal_ids(count: int) -> list[str]:
    return [(f := f"91320803MA{n:07d}") + uscc_check_character(f) for n in range(count)]


def test_examples_are_pinned_valid_and_of_their_tier() -> None:
    assert example_subjects() == {
        "natural": {
            Tier.UNKNOWN: "320802197805121022",
            Tier.EMPTY: "320802197805121102",
            Tier.ORDINARY: "320802197805121014",
            Tier.RICH: "320802197805121129",
        },
        "legal": {
            Tier.UNKNOWN: "91320812MA0002011B",
            Tier.EMPTY: "91320812MA0002015P",
            Tier.ORDINARY: "91320812MA0002001A",
            Tier.RICH: "91320812MA00020007",
        },
    }
    for tier, subject_id in EXAMPLES["natural"].items():
        assert normalize_resident_id(subject_id) == subject_id
        assert tier_of(subject_id) is tier
    for tier, subject_id in EXAMPLES["legal"].items():
        assert normalize_uscc(subject_id) == subject_id
        assert tier_of(subject_id) is tier


@pytest.mark.parametrize("generator", GENERATORS)
def test_same_subject_same_records(generator: Any) -> None:
    for kind in ("natural", "legal"):
        for subject_id in EXAMPLES[kind].values():
            ref = SubjectRef(kind=kind, id=subject_id)
            assert generator(ref) == generator(SubjectRef(kind=kind, id=subject_id))


def test_records_do_not_depend_on_the_process_hash_seed() -> None:
    subject_id = EXAMPLES["natural"][Tier.RICH]
    script = (
        "import json; from mocks.wire import SubjectRef; from mocks import land;"
        f"records = land.records_for(SubjectRef(kind='natural', id='{subject_id}'));"
        "print(json.dumps(records, sort_keys=True))"
    )
    outputs = [
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            check=True,
            text=True,
            timeout=60,
        ).stdout
        for seed in ("1", "2")
    ]
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["realEstate"]


def test_rng_for_is_seeded_per_agency_and_subject() -> None:
    assert rng_for("land", "x").random() == rng_for("land", "x").random()
    assert rng_for("land", "x").random() != rng_for("bank", "x").random()
    assert rng_for("land", "x").random() != rng_for("land", "y").random()


def test_tiers_come_in_the_intended_shares() -> None:
    counts = collections.Counter(tier_of(subject_id) for subject_id in natural_ids(5000))
    shares = {tier: counts[tier] / 5000 for tier in Tier}
    assert 0.07 < shares[Tier.UNKNOWN] < 0.13
    assert 0.07 < shares[Tier.EMPTY] < 0.13
    assert 0.16 < shares[Tier.RICH] < 0.24
    assert 0.54 < shares[Tier.ORDINARY] < 0.66


def test_every_agency_agrees_on_who_is_unknown() -> None:
    subjects: list[tuple[SubjectKindName, str]] = [("natural", i) for i in natural_ids(300)]
    subjects += [("legal", i) for i in legal_ids(300)]
    unknown = 0
    for kind, subject_id in subjects:
        ref = SubjectRef(kind=kind, id=subject_id)
        known = {a for a, r in answers(ref).items() if r is not None}
        if tier_of(subject_id) is Tier.UNKNOWN:
            assert known == set()
            unknown += 1
        else:  # known to every agency that keeps records on the kind, and to no other
            assert known == set(serving(kind))
    assert 0 < unknown < len(subjects) / 4


def test_each_kind_is_served_by_some_agency_and_not_every_agency_serves_both() -> None:
    assert serving("natural")
    assert serving("legal")
    for kind in KINDS:
        ref = SubjectRef(kind=kind, id=EXAMPLES[kind][Tier.RICH])
        for agency, records in answers(ref).items():
            assert (records is not None) == (kind in MOCK_AGENCIES[agency].subject_kinds), agency


@pytest.mark.parametrize(
    "ref",
    [
        SubjectRef(kind="natural", id=EXAMPLES["natural"][Tier.RICH][:-1] + "0"),  # check digit
        SubjectRef(kind="natural", id=EXAMPLES["legal"][Tier.RICH]),  # kind mismatch
        SubjectRef(kind="legal", id=EXAMPLES["natural"][Tier.RICH]),
        SubjectRef(kind="legal", id=EXAMPLES["legal"][Tier.RICH].lower()),  # not canonical
        SubjectRef(kind="natural", id="x"),
    ],
)
def test_invalid_or_non_canonical_ids_are_unknown(ref: SubjectRef) -> None:
    assert answers(ref) == dict.fromkeys(MOCK_AGENCIES)


def test_people_born_after_the_reference_date_are_unknown() -> None:
    first17 = f"320812{REFERENCE_DATE + datetime.timedelta(days=1):%Y%m%d}001"
    subject_id = first17 + ric.calc_check_digit(first17 + "0")
    born_later = SubjectRef(kind="natural", id=subject_id)
    assert answers(born_later) == dict.fromkeys(MOCK_AGENCIES)
    # born on the reference date itself, a person of a known tier is known: the date counts
    ids = [f"320812{REFERENCE_DATE:%Y%m%d}{n:03d}" for n in range(1, 20)]
    ids = [first17 + ric.calc_check_digit(first17 + "0") for first17 in ids]
    born_that_day = next(i for i in ids if tier_of(i) is not Tier.UNKNOWN)
    known = answers(SubjectRef(kind="natural", id=born_that_day))
    assert {a for a, r in known.items() if r is not None} == set(serving("natural"))


def test_household_matches_the_id_number() -> None:
    checked = 0
    for subject_id in natural_ids(400):
        records = police_records_for(SubjectRef(kind="natural", id=subject_id))
        if records is None:
            continue
        assert records.household is not None
        assert records.household.birth_date == datetime.date(
            int(subject_id[6:10]), int(subject_id[10:12]), int(subject_id[12:14])
        )
        assert records.household.gender == ("男" if int(subject_id[16]) % 2 else "女")
        checked += 1
    assert checked > 300


def test_household_uses_the_name_the_request_gives() -> None:
    subject_id = EXAMPLES["natural"][Tier.ORDINARY]
    named = police_records_for(SubjectRef(kind="natural", id=subject_id, name="张三"))
    unnamed = police_records_for(SubjectRef(kind="natural", id=subject_id))
    assert named is not None
    assert unnamed is not None
    assert named.household is not None
    assert unnamed.household is not None
    assert named.household.name == "张三"
    assert unnamed.household.name != "张三"
    assert re.fullmatch(r"[\u4e00-\u9fff]{2,3}", unnamed.household.name)


def test_legal_persons_get_vehicles_only_from_the_police() -> None:
    vehicles = 0
    for subject_id in legal_ids(200):
        records = police_records_for(SubjectRef(kind="legal", id=subject_id))
        if records is None:
            continue
        assert records.household is None
        assert records.travel_documents == []
        vehicles += len(records.vehicles)
    assert vehicles > 50


def test_empty_tier_is_known_but_has_no_assets() -> None:
    for kind in KINDS:
        ref = SubjectRef(kind=kind, id=EXAMPLES[kind][Tier.EMPTY])
        known = {agency for agency, records in answers(ref).items() if records is not None}
        assert known == set(serving(kind))
        if "police" in known:
            police_records = police_records_for(ref)
            assert police_records is not None
            assert police_records.vehicles == []
            assert police_records.travel_documents == []
            assert (police_records.household is not None) == (kind == "natural")


def test_rich_subjects_have_many_records_and_existing_seizures() -> None:
    rich = [i for i in natural_ids(200) + legal_ids(200) if tier_of(i) is Tier.RICH]
    seizures = freezes = 0
    for subject_id in rich:
        ref = SubjectRef(kind="natural" if subject_id[0] != "9" else "legal", id=subject_id)
        land_records, bank_records = land_records_for(ref), bank_records_for(ref)
        assert land_records is not None
        assert bank_records is not None
        assert 3 <= len(land_records.real_estate) <= 6
        assert 5 <= len(bank_records.accounts) <= 10
        seizures += len(land_records.seizures)
        freezes += len(bank_records.freezes)
    assert seizures > len(rich) / 2
    assert freezes > len(rich) / 2


def test_values_have_the_formats_of_real_records() -> None:
    refs = [SubjectRef(kind="natural", id=i) for i in natural_ids(150)]
    refs += [SubjectRef(kind="legal", id=i) for i in legal_ids(150)]
    for ref in refs:
        police_records, land_records, bank_records = (
            police_records_for(ref),
            land_records_for(ref),
            bank_records_for(ref),
        )
        for value in walk([police_records, land_records, bank_records]):
            if isinstance(value, Decimal):
                assert value.as_tuple().exponent == -2
            if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
                assert value.year >= 1940
        if police_records is None or land_records is None or bank_records is None:
            continue
        if ref.kind == "natural":
            birth = datetime.date(int(ref.id[6:10]), int(ref.id[10:12]), int(ref.id[12:14]))
            dates = [d.issued_on for d in police_records.travel_documents]
            dates += [v.registered_on for v in police_records.vehicles]
            dates += [e.registered_on for e in land_records.real_estate]
            dates += [a.opened_on for a in bank_records.accounts]
            assert all(birth < day <= REFERENCE_DATE for day in dates)
        for vehicle in police_records.vehicles:
            assert re.fullmatch(r"苏H·[A-HJ-NP-Z][A-HJ-NP-Z0-9]{4}", vehicle.plate)
            assert re.fullmatch(r"L[A-HJ-NPR-Z0-9]{16}", vehicle.vin)
            assert vehicle.registered_on <= REFERENCE_DATE
        for estate in land_records.real_estate:
            assert re.fullmatch(
                r"苏\(\d{4}\)(淮安市|涟水县|盱眙县|金湖县)不动产权第\d{7}号",
                estate.certificate_number,
            )
            assert re.fullmatch(r"3208\d{8}GB\d{5}F\d{8}", estate.unit_number)
            assert estate.location.startswith("淮安市")
        units = {estate.unit_number for estate in land_records.real_estate}
        for seizure in land_records.seizures:
            assert seizure.unit_number in units
            parse_case_number(seizure.case_number, today=REFERENCE_DATE)
            assert seizure.seized_from <= REFERENCE_DATE < seizure.seized_until
            assert seizure.seized_until <= seizure.seized_from + datetime.timedelta(days=3 * 366)
        for parcel in land_records.land:
            if parcel.grant_price is not None:
                assert parcel.grant_paid is not None
                assert parcel.grant_paid <= parcel.grant_price
        for freeze in bank_records.freezes:
            parse_case_number(freeze.case_number, today=REFERENCE_DATE)
            assert freeze.frozen_from <= REFERENCE_DATE < freeze.frozen_until
            assert freeze.frozen_until <= freeze.frozen_from + datetime.timedelta(days=366)
        frozen = {f.account_number for f in bank_records.freezes}
        for account in bank_records.accounts:
            assert account.available_balance <= account.balance
            assert (account.status == "冻结") == (account.account_number in frozen)
            kinds = {"natural": {"I类户", "II类户"}, "legal": {"基本存款账户", "一般存款账户"}}
            assert account.account_type in kinds[ref.kind]
        for card in bank_records.cards:
            assert luhn.is_valid(card.card_number)
        if ref.kind == "legal" and bank_records.accounts:
            basic = [a for a in bank_records.accounts if a.account_type == "基本存款账户"]
            assert len(basic) == 1


def test_agency_names_are_the_registry_keys() -> None:
    assert MOCK_AGENCIES
    for agency, spec in MOCK_AGENCIES.items():
        assert spec.agency == agency
        assert mock_spec(agency) is spec
        assert mock_spec(agency.upper()) is spec
        assert spec.subject_kinds
        assert spec.subject_kinds <= set(KINDS)
