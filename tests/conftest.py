"""Shared fixtures: the mock agencies and the gateway, as real HTTP servers on loopback."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from gateway.app import create_app
from gateway.auth.principal import Role
from gateway.auth.tokens import TokenService, demo_auth
from gateway.settings import AgencySettings, Settings
from mocks.runner import AppServer, MockServers
from mocks.synthetic import example_subjects

MOCK_TOKEN = "test-token-0f3c9a7e51"
COURT = "苏0812"
JUDGE = "J001"
CASE = "(2026)苏0812执123号"

# tokens the gateways of the tests accept (they run in demo mode, with the demo's key)
_TOKENS = TokenService(demo_auth())
TOKENS = {
    "judge": _TOKENS.issue(Role.JUDGE, subject="judge:J001", court=COURT, judge=JUDGE),
    "other-judge": _TOKENS.issue(Role.JUDGE, subject="judge:J009", court=COURT, judge="J009"),
    "approver": _TOKENS.issue(
        Role.JUDGE,
        subject="judge:J002",
        court=COURT,
        judge="J002",
        permissions=["approve_deductions"],
    ),
    # judge J001 again, with another token: another ``sub``, the id in full-width digits, and
    # the approver's permission (maker-checker must still know the requester)
    "judge-again": _TOKENS.issue(
        Role.JUDGE,
        subject="judge:苏0812:Ｊ００１",
        court=COURT,
        judge="Ｊ００１",
        permissions=["approve_deductions"],
    ),
    "foreign-judge": _TOKENS.issue(Role.JUDGE, subject="judge:x", court="苏0803", judge=JUDGE),
    "system": _TOKENS.issue(Role.COURT_SYSTEM, subject="system:苏0812", court=COURT),
    "foreign-system": _TOKENS.issue(Role.COURT_SYSTEM, subject="system:苏0803", court="苏0803"),
    "department": _TOKENS.issue(Role.DEPARTMENT, subject="dept:tax", department="tax"),
    "credit-center": _TOKENS.issue(Role.CREDIT_CENTER, subject="credit:huaian"),
    "admin": _TOKENS.issue(Role.ADMIN, subject="admin:ops"),
}

SAVE_CASE = """
mutation($case: CaseInput!) { saveCase(case: $case) { caseNumber status } }
"""


def example_debtors() -> list[dict[str, str]]:
    """Every example subject of the mocks (each kind and tier), as parties of a case."""
    return [
        {"kind": kind.upper(), "id": subject_id}
        for kind, tiers in example_subjects().items()
        for subject_id in tiers.values()
    ]


@pytest.fixture
async def mocks() -> AsyncIterator[MockServers]:
    async with MockServers(token=MOCK_TOKEN) as servers:
        yield servers


def gateway_settings(mocks: MockServers, tmp_path: Path, **overrides: Any) -> Settings:
    agencies = {
        agency: AgencySettings(
            url=url,
            token=SecretStr(MOCK_TOKEN),
            attempt_timeout_s=1.0,
            backoff_base_s=0.001,
            breaker_failures=50,
        )
        for agency, url in mocks.urls.items()
    }
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
        "agencies": agencies,
        "demo": True,  # the demo's token and audit keys
    }
    values.update(overrides)
    return Settings(**values)


class Gateway:
    """A running gateway and a client for it."""

    def __init__(self, server: AppServer, client: httpx.AsyncClient) -> None:
        self.server = server
        self.client = client

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, *, who: str | None = "judge"
    ) -> httpx.Response:
        headers = {} if who is None else {"Authorization": f"Bearer {TOKENS[who]}"}
        return await self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )

    async def query(
        self, query: str, variables: dict[str, Any] | None = None, *, who: str | None = "judge"
    ) -> dict[str, Any]:
        """A query answered with 200 (legacy JSON: errors of the request are 200 too)."""
        response = await self.post(query, variables, who=who)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def register(
        self,
        debtors: list[dict[str, str]],
        *,
        case: str = CASE,
        judges: tuple[str, ...] = (JUDGE,),
        status: str = "OPEN",
    ) -> None:
        """Register ``case`` with these debtors, as the court's case system."""
        parties = [{"role": "DEBTOR", **d} for d in debtors]
        variables = {
            "case": {
                "caseNumber": case,
                "judges": list(judges),
                "parties": parties,
                "obligation": "100000.00",
                "status": status,
            }
        }
        body = await self.query(SAVE_CASE, variables, who="system")
        assert "errors" not in body, body


@pytest.fixture
async def gateway(mocks: MockServers, tmp_path: Path) -> AsyncIterator[Gateway]:
    """A gateway over every mock, with ``CASE`` registered: every example subject a debtor."""
    async with run_gateway(gateway_settings(mocks, tmp_path)) as gw:
        await gw.register(example_debtors())
        yield gw


class run_gateway:  # noqa: N801 - used like a function: `async with run_gateway(settings)`
    def __init__(self, settings: Settings) -> None:
        self.server = AppServer(create_app(settings))

    async def __aenter__(self) -> Gateway:
        await self.server.start()
        # plain HTTP on loopback: no CA bundle to load (about 30 ms a client)
        self.client = httpx.AsyncClient(
            base_url=self.server.url,
            timeout=30,
            verify=False,  # noqa: S501 - no TLS here
        )
        return Gateway(self.server, self.client)

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()
        await self.server.stop()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop the migrated PostgreSQL template the storage tests made, if they made one."""
    databases = sys.modules.get("tests.gateway.store.databases")
    if databases is not None:
        databases.drop_template()
