"""The chain's arithmetic, without a database: canonical JSON, keyed hashes, one entry's check."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import hmac
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.domain.audit import ChainProblem, StoredEntry
from gateway.services.audit_chain import (
    HASHED,
    AuditChain,
    canonical_bytes,
    canonical_id,
    canonical_json,
    chain_message,
    hashed_fields,
)
from gateway.store.tables import AUDIT_GENESIS_HASH
from tests.gateway.services.audit_samples import KEY, OLD_FORM, START, SUBJECT, prepared

CHAIN = AuditChain(KEY)


def stored() -> list[StoredEntry]:
    entries = CHAIN.link(1, AUDIT_GENESIS_HASH, START, [prepared(n) for n in range(1, 4)])
    return [StoredEntry(e.seq, e.prev_hash, e.hash, e) for e in entries]


def test_canonical_json_is_sorted_compact_utf8_with_utc_microseconds():
    shanghai = datetime.timezone(datetime.timedelta(hours=8))
    at = datetime.datetime(2026, 5, 1, 16, 0, tzinfo=shanghai)
    assert canonical_json({"b": "张", "a": at, "c": [1]}) == (
        '{"a":"2026-05-01T08:00:00.000000+00:00","b":"张","c":[1]}'
    )
    with pytest.raises(ValueError, match="timezone-aware"):
        canonical_json({"at": datetime.datetime(2026, 5, 1)})
    with pytest.raises(TypeError, match="set"):
        canonical_json({"x": {1}})


# what an entry is made of (no floats: see ``canonical_bytes``), with integers past 64 bits, every
# character but lone surrogates, and times in several offsets, naive ones too
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text()
    | st.datetimes(timezones=st.none() | st.timezones())
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(), inner, max_size=4)
    ),
    max_leaves=12,
)


def _written(write: Any, fields: Any) -> bytes | tuple[type[BaseException], str]:
    try:
        written = write(fields)
    except (TypeError, ValueError) as exc:
        return type(exc), str(exc)
    return written if isinstance(written, bytes) else written.encode()


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.text(), _VALUES, max_size=6))
def test_canonical_bytes_are_the_canonical_json_or_its_error(fields):
    assert _written(canonical_bytes, fields) == _written(canonical_json, fields)


def test_canonical_bytes_of_what_only_one_writer_takes_fall_back_to_the_standard_library():
    assert canonical_bytes({"n": 2**70}) == b'{"n":1180591620717411303424}'
    int_keyed: Any = {1: "a"}  # json writes the key as text; orjson refuses it
    assert canonical_bytes(int_keyed) == b'{"1":"a"}'
    with pytest.raises(TypeError, match="cannot hash a set"):
        canonical_bytes({"x": {1}})
    with pytest.raises(ValueError, match="timezone-aware"):
        canonical_bytes({"at": datetime.datetime(2026, 5, 1)})
    with pytest.raises(TypeError, match="cannot hash a StoredEntry"):
        canonical_bytes({"entry": stored()[0]})  # a dataclass, which orjson alone would write


def test_an_entry_hash_is_the_keyed_hmac_of_the_previous_hash_and_the_fields():
    fields = {"seq": 1, "at": START, **prepared(1)}
    expected = hmac.new(KEY, chain_message("0" * 64, fields), hashlib.sha256).hexdigest()
    assert CHAIN.entry_hash("0" * 64, fields) == expected
    assert chain_message("ab", {"x": 1}) == b'ab{"x":1}'
    assert AuditChain(b"another key").entry_hash("0" * 64, fields) != expected


def test_link_numbers_and_chains_a_batch():
    entries = CHAIN.link(7, "f" * 64, START, [prepared(1), prepared(2)])
    assert [e.seq for e in entries] == [7, 8]
    assert entries[0].prev_hash == "f" * 64
    assert entries[1].prev_hash == entries[0].hash
    assert {e.at for e in entries} == {START}
    assert set(hashed_fields(entries[0])) == set(HASHED)
    assert CHAIN.entry_hash("f" * 64, hashed_fields(entries[0])) == entries[0].hash


def test_the_check_of_one_entry():
    first, second, third = stored()
    assert CHAIN.check(first, 1, AUDIT_GENESIS_HASH) is None
    assert CHAIN.check(second, 2, first.hash) is None
    assert CHAIN.check(third, 2, first.hash) is ChainProblem.MISSING
    assert CHAIN.check(first, 2, first.hash) is ChainProblem.REORDERED
    assert CHAIN.check(second, 2, "0" * 64) is ChainProblem.REORDERED
    assert CHAIN.check(dataclasses.replace(second, entry=None), 2, first.hash) is (
        ChainProblem.EDITED
    )
    assert second.entry is not None
    edited = dataclasses.replace(second, entry=dataclasses.replace(second.entry, actor="x"))
    assert CHAIN.check(edited, 2, first.hash) is ChainProblem.EDITED


def test_subject_digests_use_the_canonical_id():
    assert canonical_id(OLD_FORM) == SUBJECT.id
    assert canonical_id(" 3208-0219800101 0014 ") == SUBJECT.id
    assert canonical_id("not an id") == "NOTANID"
    assert CHAIN.subject_digest(SUBJECT) == CHAIN.subject_digest(OLD_FORM)
    assert CHAIN.subject_digest(SUBJECT) != hashlib.sha256(SUBJECT.id.encode()).hexdigest()


def test_an_empty_key_is_refused():
    with pytest.raises(ValueError, match="empty"):
        AuditChain(b"")
