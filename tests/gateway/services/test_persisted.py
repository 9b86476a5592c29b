"""Persisted (allow-listed) operations: by hash, by documentId, and enforced for court systems."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from gateway.auth.principal import Principal, Role
from gateway.services.persisted import (
    OperationNotAllowedError,
    PersistedOperations,
    PersistedQueryInvalidError,
    PersistedQueryNotFoundError,
    operation_hash,
)
from gateway.settings import LimitSettings
from tests.gateway.http.helpers import GR, JUDGE, asgi_client, make_view

LISTED = "query Listed { __typename }"
UNLISTED = "query Other { __typename }"
COURT_SYSTEM = Principal(Role.COURT_SYSTEM, subject="case-system", court="苏0802")


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def allow_file(tmp_path: Path) -> Path:
    path = tmp_path / "persisted.json"
    path.write_text(json.dumps({sha(LISTED): LISTED}), encoding="utf-8")
    return path


# --- the store ------------------------------------------------------------------------------


def test_from_file_checks_and_looks_up_by_hash(allow_file: Path):
    store = PersistedOperations.from_file(allow_file)
    assert len(store) == 1
    assert operation_hash(LISTED) == sha(LISTED)
    assert store.get(sha(LISTED)) == LISTED
    assert store.get(sha(LISTED).upper()) == LISTED
    assert store.get(sha(UNLISTED)) is None
    assert store.allows(LISTED)
    assert not store.allows(UNLISTED)


@pytest.mark.parametrize(
    "content",
    [
        {sha(UNLISTED): LISTED},  # the key is not the text's hash
        {"abc": LISTED},
        {sha(LISTED): 5},
        [LISTED],
    ],
)
def test_a_bad_allow_list_fails_loudly(tmp_path: Path, content):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.json"):
        PersistedOperations.from_file(path)


def apq(digest: str) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


def test_resolve():
    store = PersistedOperations.from_queries([LISTED])
    assert store.resolve(None, apq(sha(LISTED))) == LISTED
    assert store.resolve(None, None, f"sha256:{sha(LISTED)}") == LISTED
    assert store.resolve(None, None, sha(LISTED)) == LISTED
    assert store.resolve(UNLISTED) == UNLISTED  # unrestricted callers send any query
    assert store.resolve(LISTED, restricted=True) == LISTED
    assert store.resolve(LISTED, apq(sha(LISTED)), restricted=True) == LISTED
    assert store.resolve(None) is None
    with pytest.raises(PersistedQueryNotFoundError):
        store.resolve(None, apq(sha(UNLISTED)))
    with pytest.raises(OperationNotAllowedError):
        store.resolve(UNLISTED, restricted=True)
    with pytest.raises(OperationNotAllowedError):
        store.resolve(UNLISTED, apq(sha(UNLISTED)), restricted=True)
    with pytest.raises(PersistedQueryInvalidError):
        store.resolve(UNLISTED, apq(sha(LISTED)))  # text and hash disagree
    for version in (2, True, 1.0, "1"):  # version 1, the number: not true, 1.0 or "1"
        with pytest.raises(PersistedQueryInvalidError):
            store.resolve(None, {"persistedQuery": {"version": version, "sha256Hash": sha(LISTED)}})
    with pytest.raises(PersistedQueryInvalidError):
        store.resolve(None, apq("not-a-hash"))
    with pytest.raises(PersistedQueryInvalidError):
        store.resolve(None, apq(sha(LISTED)), f"sha256:{sha(UNLISTED)}")


# --- over HTTP --------------------------------------------------------------------------


def view_for(principal: Principal, allow_file: Path, persisted_only: bool = True):
    limits = LimitSettings(persisted_only=persisted_only, persisted_file=str(allow_file))
    return make_view(principal, limits=limits)


@pytest.mark.parametrize(
    "body",
    [
        {"extensions": apq(sha(LISTED))},
        {"documentId": f"sha256:{sha(LISTED)}"},
        {"query": LISTED},
    ],
    ids=["apollo", "document-id", "full-text"],
)
async def test_a_court_system_runs_listed_operations(allow_file: Path, body):
    async with asgi_client(view_for(COURT_SYSTEM, allow_file)) as c:
        response = await c.post("/graphql", json=body, headers={"accept": GR})
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_listed_operation_by_get(allow_file: Path):
    params = {"extensions": json.dumps(apq(sha(LISTED)))}
    async with asgi_client(view_for(COURT_SYSTEM, allow_file)) as c:
        response = await c.get("/graphql", params=params, headers={"accept": GR})
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_court_system_may_not_send_other_operations(allow_file: Path):
    async with asgi_client(view_for(COURT_SYSTEM, allow_file)) as c:
        response = await c.post("/graphql", json={"query": UNLISTED}, headers={"accept": GR})
    assert response.status_code == 403
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "OPERATION_NOT_ALLOWED"


@pytest.mark.parametrize("accept", [GR, "application/json"])
async def test_an_unknown_hash_is_400(allow_file: Path, accept):
    async with asgi_client(view_for(JUDGE, allow_file)) as c:
        body = {"extensions": apq(sha(UNLISTED))}
        response = await c.post("/graphql", json=body, headers={"accept": accept})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_other_roles_and_an_unenforced_list_allow_any_operation(allow_file: Path):
    for view in (view_for(JUDGE, allow_file), view_for(COURT_SYSTEM, allow_file, False)):
        async with asgi_client(view) as c:
            response = await c.post("/graphql", json={"query": UNLISTED}, headers={"accept": GR})
        assert response.status_code == 200
        assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_mismatched_hash_is_400(allow_file: Path):
    body = {"query": UNLISTED, "extensions": apq(sha(LISTED))}
    async with asgi_client(view_for(JUDGE, allow_file)) as c:
        response = await c.post("/graphql", json=body, headers={"accept": GR})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_INVALID"
