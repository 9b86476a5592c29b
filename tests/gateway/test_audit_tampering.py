"""The running gateway and a tampered audit log: checkpoints written on a schedule from the
lifespan, and inquiries refused (503 AUDIT_UNAVAILABLE) once the head has been moved back."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from gateway.app import ConfigurationError, checkpoint_signer
from gateway.services.audit_checkpoint import check_checkpoint, parse_checkpoint
from mocks.runner import MockServers
from mocks.synthetic import Tier, example_subjects
from tests.conftest import CASE, example_debtors, gateway_settings, run_gateway

RICH = example_subjects()["natural"][Tier.RICH]
QUERY = (
    f'{{ debtor(subject: {{kind: NATURAL, id: "{RICH}"}}, caseNumber: "{CASE}") '
    "{ bank { accounts { accountNumber } } } }"
)


def checkpoints(directory: Path) -> list[Path]:
    return sorted(directory.glob("audit-checkpoint-*.json")) if directory.exists() else []


def cut_back_one_entry(database: Path) -> None:
    """Delete the newest entry and copy the previous entry's hash into the head, in SQL."""
    with sqlite3.connect(database) as conn:
        (seq,) = conn.execute("SELECT seq FROM audit_head").fetchone()
        (prev,) = conn.execute("SELECT hash FROM audit_log WHERE seq = ?", (seq - 1,)).fetchone()
        conn.execute("DELETE FROM audit_log WHERE seq = ?", (seq,))
        conn.execute("UPDATE audit_head SET seq = ?, hash = ?", (seq - 1, prev))


async def test_the_gateway_writes_checkpoints_and_refuses_a_moved_back_head(
    mocks: MockServers, tmp_path: Path
):
    directory = tmp_path / "checkpoints"
    settings = gateway_settings(
        mocks,
        tmp_path,
        audit_checkpoint_dir=str(directory),
        audit_checkpoint_interval_s=3600,
        audit_log_name="苏0812 test",
    )
    async with run_gateway(settings) as gw:
        for _ in range(3000):  # the first checkpoint is written as the gateway starts
            if checkpoints(directory):
                break
            await asyncio.sleep(0.02)
        await gw.register(example_debtors())
        assert (await gw.post(QUERY)).status_code == 200
        cut_back_one_entry(tmp_path / "gateway.db")
        refused = await gw.post(QUERY)
        assert refused.status_code == 503
        body = refused.json()
        assert [e["extensions"]["code"] for e in body["errors"]] == ["AUDIT_UNAVAILABLE"]
        assert "accountNumber" not in refused.text
    (first,) = checkpoints(directory)  # written at start-up; the hour had not come round again
    checkpoint = parse_checkpoint(first.read_text(encoding="utf-8"))
    signer = checkpoint_signer(settings)  # the demo's key: the test settings run in demo mode
    assert signer is not None
    assert check_checkpoint(checkpoint, signer.public_key, "苏0812 test") is None
    assert (checkpoint.seq, checkpoint.log) == (0, "苏0812 test")


def test_scheduled_checkpoints_need_a_signing_key(tmp_path: Path):
    from gateway.settings import Settings

    settings = Settings(audit_checkpoint_dir=str(tmp_path), audit_key="k" * 32)
    with pytest.raises(ConfigurationError, match="CHAKONG_AUDIT_SIGNING_KEY_FILE"):
        checkpoint_signer(settings)
    assert checkpoint_signer(Settings(audit_key="k" * 32)) is None  # no schedule: none needed
    unreadable = Settings(audit_signing_key_file=str(tmp_path / "missing"))
    with pytest.raises(ConfigurationError, match="cannot read the private key file"):
        checkpoint_signer(unreadable)
