"""The demo seeds one freeze that ends soon, so the renewal list has something to show; seeding
again on the same database changes nothing."""

from __future__ import annotations

from pathlib import Path

from gateway.app import audit_key, open_resources
from gateway.auth.tokens import TokenService, demo_auth
from gateway.demo import DEMO_COURT, demo_tokens, seed_demo_cases, seed_demo_controls
from gateway.settings import ControlSettings
from mocks.runner import MockServers
from tests.conftest import gateway_settings


async def test_the_demo_shows_one_control_expiring_soon(mocks: MockServers, tmp_path: Path):
    settings = gateway_settings(mocks, tmp_path, controls=ControlSettings(reconcile_interval_s=0))
    async with open_resources(settings, audit_key(settings)) as resources:
        await seed_demo_cases(resources)
        await seed_demo_controls(resources)
        await seed_demo_controls(resources)  # a restarted demo on the same database
        expiring = await resources.freezes.register(DEMO_COURT, within_days=30)
        later = await resources.freezes.register(DEMO_COURT)
    assert len(expiring) == 1
    assert later == expiring
    (entry,) = expiring
    assert entry.days_left is not None
    assert 0 < entry.days_left <= 30
    assert entry.control.state.value == "APPLIED"


def test_the_demo_hands_out_an_approver():
    tokens = demo_tokens(TokenService(demo_auth()))
    approver = TokenService(demo_auth()).verify(tokens["JUDGE (苏0812, J002, approver)"])
    assert approver.permissions == frozenset({"approve_deductions"})
