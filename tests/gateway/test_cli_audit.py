"""``chakong audit verify``: the command's report, printed in both languages."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from gateway.cli_audit import PROBLEM_TEXT, report_message, verify_command
from gateway.domain.audit import ChainProblem, VerifyReport
from gateway.services.audit import AuditLog
from gateway.store.migrate import upgrade
from gateway.store.unit import Store
from tests.gateway.services.audit_samples import KEY, execute, record
from tests.gateway.store.databases import open_engine


def test_verify_command_reports_intact_and_broken_chains(tmp_path: Path, capsys):
    url = f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}"

    async def prepare(tamper: bool) -> None:
        engine = open_engine(url)
        try:
            if not tamper:
                await upgrade(engine)
                await AuditLog(Store(engine), KEY).append([record(i) for i in range(5)])
            else:
                await execute(engine, "UPDATE audit_log SET role = 'ADMIN' WHERE seq = 2")
        finally:
            await engine.dispose()

    asyncio.run(prepare(tamper=False))
    assert verify_command(url, KEY) == 0
    assert capsys.readouterr().out.splitlines()[0] == "审计链完整 / audit chain intact: 5 entries"
    asyncio.run(prepare(tamper=True))
    assert verify_command(url, KEY) == 1
    out = capsys.readouterr().out
    assert "第 2 条" in out
    assert "entry 2" in out
    assert "edited" in out


def test_verify_command_on_a_database_without_the_log(tmp_path: Path, capsys):
    assert verify_command(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}", KEY) == 1
    assert "cannot read the audit log" in capsys.readouterr().err


def test_every_problem_has_its_text_in_both_languages():
    assert set(PROBLEM_TEXT) == set(ChainProblem)
    for problem in ChainProblem:
        report = VerifyReport(False, 2, 4, problem, 3)
        zh, en = PROBLEM_TEXT[problem]
        assert report_message(report) == (
            f"审计链被破坏：第 3 条{zh}（此前 2 条完整） / "
            f"audit chain broken at entry 3: {en} (2 intact entries before it)"
        )


def test_a_broken_report_without_its_problem_is_refused():
    with pytest.raises(ValueError, match="problem"):
        report_message(VerifyReport(False, 0, 0))
