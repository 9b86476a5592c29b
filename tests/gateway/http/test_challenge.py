"""Every 401 carries a Bearer challenge, and every refusal of the router is coded: the whole
application in process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import jwt
import pytest

from gateway.app import create_app
from gateway.auth.principal import Role
from gateway.auth.tokens import TokenService, demo_auth
from gateway.domain.errors import RateLimitedError
from gateway.http.challenge import refusal_headers, www_authenticate
from gateway.settings import DEMO_KEY_ID, DEMO_SECRET, Settings
from tests.gateway.http.helpers import GR

CASES = "{ cases { caseNumber } }"
SCHEMA = "{ __schema { queryType { name } } }"
NO_TOKEN = 'Bearer realm="chakong"'


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'g.db'}", demo=True))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://gateway") as c,
    ):
        yield c


def nan_token() -> str:
    payload = {"iss": "chakong", "sub": "x", "role": "ADMIN", "iat": 0, "exp": "nan"}
    secret = DEMO_SECRET.get_secret_value()
    return jwt.encode(payload, secret, algorithm="HS256", headers={"kid": DEMO_KEY_ID})


EXPIRED = TokenService(demo_auth()).issue(Role.ADMIN, subject="x", ttl_s=-120)


def surrogate_court_token() -> str:
    """Signed with the real key, its court a lone surrogate: no database could store it in the
    audit entry of whatever the request did."""
    payload: dict[str, object] = {"iss": "chakong", "sub": "x", "role": "JUDGE"}
    payload |= {"court": "\udc00", "judge": "J1", "iat": 0, "exp": 2**40}
    secret = DEMO_SECRET.get_secret_value()
    return jwt.encode(payload, secret, algorithm="HS256", headers={"kid": DEMO_KEY_ID})


@pytest.mark.parametrize("accept", [GR, "application/json"])
@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(
    ("query", "authorization", "code", "challenge"),
    [
        # no token: a field that needs one, and the schema
        (CASES, None, "UNAUTHENTICATED", NO_TOKEN),
        (SCHEMA, None, "INTROSPECTION_DISABLED", NO_TOKEN),
        # a token refused
        (CASES, "Basic dXNlcjpwYXNz", "TOKEN_INVALID", "invalid_token"),
        (CASES, "Bearer a.b.c", "TOKEN_INVALID", "invalid_token"),
        (CASES, f"Bearer {nan_token()}", "TOKEN_INVALID", "invalid_token"),
        (CASES, f"Bearer {surrogate_court_token()}", "TOKEN_INVALID", "invalid_token"),
        (CASES, f"Bearer {EXPIRED}", "TOKEN_EXPIRED", "invalid_token"),
    ],
)
async def test_every_401_carries_a_bearer_challenge(
    client, accept, method, query, authorization, code, challenge
):
    headers = {"accept": accept}
    if authorization:
        headers["authorization"] = authorization
    if method == "GET":
        response = await client.get("/graphql", params={"query": query}, headers=headers)
    else:
        response = await client.post("/graphql", json={"query": query}, headers=headers)
    assert response.status_code == 401, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == code
    header = response.headers["www-authenticate"]
    assert header.startswith('Bearer realm="chakong"')
    assert challenge in header
    if challenge == "invalid_token":
        assert f'error_description="{code}"' in header


def test_the_challenge_follows_rfc_6750():
    assert www_authenticate() == 'Bearer realm="chakong"'  # no token: no error code (§3.1)
    assert refusal_headers(429, RateLimitedError(1.2)) == {"Retry-After": "2"}
    assert refusal_headers(403) == {}


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS"])
@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/graphql", {"GET", "POST"}),
        ("/healthz", {"GET", "HEAD"}),
        ("/", {"GET", "HEAD"}),
        ("/report", {"GET"}),  # not HEAD: it would run the inquiry (tests/gateway/test_report.py)
    ],
)
async def test_other_methods_get_a_coded_405_with_allow(client, method, path, allowed):
    response = await client.request(method, path)
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["allow"].split(",")} == allowed
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert " / " in error["message"]  # 中文 / English


async def test_an_unknown_path_is_a_coded_404(client):
    response = await client.get("/admin")
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_two_authorization_headers_are_refused_not_the_first_taken(client):
    judge = TokenService(demo_auth()).issue(Role.JUDGE, subject="j", court="苏0812", judge="J1")
    admin = TokenService(demo_auth()).issue(Role.ADMIN, subject="a")
    headers = [("authorization", f"Bearer {judge}"), ("authorization", f"Bearer {admin}")]
    response = await client.post("/graphql", json={"query": "{ me { role } }"}, headers=headers)
    assert response.status_code == 401, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "TOKEN_INVALID"
    assert "Authorization" in response.json()["errors"][0]["message"]
    one = await client.post("/graphql", json={"query": "{ me { role } }"}, headers=[headers[1]])
    assert one.json()["data"] == {"me": {"role": "ADMIN"}}
