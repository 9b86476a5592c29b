"""``chakong audit``: verify's report in both languages; checkpoints, keys and the attacks they
catch, through the command line on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.cli import main
from gateway.cli_audit import PROBLEM_TEXT, report_message, verify_command
from gateway.domain.audit import ChainProblem, VerifyReport
from gateway.services.audit import AuditLog
from gateway.services.audit_chain import AuditChain, hashed_fields
from gateway.services.audit_checkpoint import (
    check_checkpoint,
    generate_key_pair,
    parse_checkpoint,
)
from gateway.store.audit import entry_from_row
from gateway.store.migrate import upgrade
from gateway.store.tables import audit_log
from gateway.store.unit import Store
from tests.gateway.processes import run_cli
from tests.gateway.services.audit_samples import KEY, execute, record
from tests.gateway.store.databases import BACKENDS, open_engine, scratch_database


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
    (tmp_path / "empty.db").touch()  # a file, but no log (a missing file: test_cli_errors)
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


# checkpoints, through the command line as an operator and an auditor run it


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with scratch_database(request.param, tmp_path) as url:
        yield url


def on_database(url: str, work: Callable[[AsyncEngine], Awaitable[None]]) -> None:
    async def run() -> None:
        engine = open_engine(url)
        try:
            await work(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())


def fill(url: str, n: int) -> None:
    async def work(engine: AsyncEngine) -> None:
        await upgrade(engine)
        await AuditLog(Store(engine), KEY).append([record(i) for i in range(n)])

    on_database(url, work)


def sql(url: str, statement: str, **params: object) -> None:
    async def work(engine: AsyncEngine) -> None:
        await execute(engine, statement, **params)

    on_database(url, work)


def truncate_with_the_head_copied_back(url: str, keep: int) -> None:
    async def work(engine: AsyncEngine) -> None:
        async with engine.connect() as conn:
            query = sa.select(audit_log.c.hash).where(audit_log.c.seq == keep)
            kept_hash = (await conn.execute(query)).scalar_one()
        await execute(engine, "DELETE FROM audit_log WHERE seq > :k", k=keep)
        await execute(engine, "UPDATE audit_head SET seq = :k, hash = :h", k=keep, h=kept_hash)

    on_database(url, work)


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


class Cli:
    """``gateway.cli.main(["audit", ...])`` in this process (a subprocess costs seconds on a
    loaded machine; the subprocess tests below run the real command), with the audit key, the
    signing key and the database in the environment, as an operator sets them."""

    def __init__(
        self,
        url: str,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        self.tmp_path = tmp_path
        self.monkeypatch = monkeypatch
        self.capsys = capsys
        private, public = generate_key_pair()  # the command itself: test_keygen_...
        (tmp_path / "signing.key").write_bytes(private)
        (tmp_path / "signing.key.pub").write_bytes(public)
        self.public_key = str(tmp_path / "signing.key.pub")
        self.env = {
            "CHAKONG_DATABASE_URL": url,
            "CHAKONG_AUDIT_KEY": KEY.decode(),
            "CHAKONG_AUDIT_SIGNING_KEY_FILE": str(tmp_path / "signing.key"),
            "CHAKONG_AUDIT_LOG_NAME": "苏0812 查控网关",
        }

    def __call__(self, *args: str, **env: str) -> Ran:
        levels = {name: logging.getLogger(name).level for name in ("httpx", "alembic")}
        with self.monkeypatch.context() as patch:
            for name, value in {**self.env, **env}.items():
                patch.setenv(name, value)
            # main() masks identifiers on the root logger's handlers: here, pytest's own
            patch.setattr("gateway.cli.mask_root_handlers", lambda: None)
            self.capsys.readouterr()
            code = main(["audit", *args])
            captured = self.capsys.readouterr()
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        return Ran(code, captured.out, captured.err)

    def checkpoint(self, name: str = "cp.json") -> str:
        out = str(self.tmp_path / name)
        result = self("checkpoint", "--out", out)
        assert result.returncode == 0, result.stdout + result.stderr
        return out

    def verify(self, checkpoint: str, *more: str, **env: str) -> Ran:
        return self(
            "verify", "--checkpoint", checkpoint, "--public-key", self.public_key, *more, **env
        )


@pytest.fixture
def cli(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Cli:
    return Cli(database_url, tmp_path, monkeypatch, capsys)


def test_keygen_writes_a_private_key_only_its_owner_reads_and_never_overwrites(tmp_path: Path):
    result = run_cli("audit", "keygen", "--out", str(tmp_path / "k"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "k").stat().st_mode & 0o777 == 0o600
    assert b"BEGIN PRIVATE KEY" in (tmp_path / "k").read_bytes()
    assert b"BEGIN PUBLIC KEY" in (tmp_path / "k.pub").read_bytes()
    before = (tmp_path / "k").read_bytes()
    again = run_cli("audit", "keygen", "--out", str(tmp_path / "k"), cwd=tmp_path)
    assert again.returncode == 2
    assert "cannot create" in again.stderr
    assert (tmp_path / "k").read_bytes() == before


def test_truncation_with_the_head_copied_back_is_caught(
    cli: Cli, database_url: str, tmp_path: Path
):
    fill(database_url, 6)
    checkpoint = cli.checkpoint()
    document = json.loads(Path(checkpoint).read_text(encoding="utf-8"))
    assert (document["seq"], document["log"]) == (6, "苏0812 查控网关")
    intact = cli.verify(checkpoint)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert "the log still extends the checkpoint (entry 6)" in intact.stdout

    truncate_with_the_head_copied_back(database_url, 4)
    plain = cli("verify")  # the head's MAC alone
    assert plain.returncode == 1
    assert "head forged" in plain.stdout
    assert "第 4 条处的链头记录校验码不符" in plain.stdout
    against = cli.verify(checkpoint)
    assert against.returncode == 1
    assert "truncated below the checkpoint" in against.stdout
    assert "日志已到不了检查点" in against.stdout
    assert "the checkpoint is at entry 6, the head at 4" in against.stdout
    keyless = cli.verify(checkpoint, "--hashes-only", CHAKONG_AUDIT_KEY="")
    assert keyless.returncode == 1
    assert "truncated below the checkpoint" in keyless.stdout
    assert "without the audit key" in keyless.stdout
    # and no checkpoint is signed over the forged head
    refused = cli("checkpoint", "--out", str(tmp_path / "after.json"))
    assert refused.returncode == 1
    assert not (tmp_path / "after.json").exists()


def test_truncation_of_everything_is_caught(cli: Cli, database_url: str, tmp_path: Path):
    fill(database_url, 3)
    checkpoint = cli.checkpoint()
    sql(database_url, "DELETE FROM audit_log")
    sql(database_url, "UPDATE audit_head SET seq = 0, hash = :g, mac = NULL", g="0" * 64)
    against = cli.verify(checkpoint)
    assert against.returncode == 1
    assert "audit chain broken at entry 1: truncated below the checkpoint" in against.stdout


def test_a_rewrite_with_the_hmac_key_is_caught_by_the_checkpoint(
    cli: Cli, database_url: str, tmp_path: Path
):
    fill(database_url, 5)
    checkpoint = cli.checkpoint()

    async def rewrite(engine: AsyncEngine) -> None:
        # what someone holding the database and the HMAC key can do: edit an entry, recompute
        # the chain after it and the head's MAC with the key (the gateway's own functions)
        chain = AuditChain(KEY)
        async with engine.connect() as conn:
            query = sa.select(audit_log).order_by(audit_log.c.seq)
            stored = [entry_from_row(row) for row in (await conn.execute(query)).mappings()]
        prev = stored[1].hash
        for entry in stored[2:]:
            fields = hashed_fields(entry)
            if entry.seq == 3:
                fields["actor"] = "nobody"
            digest = chain.entry_hash(prev, fields)
            await execute(
                engine,
                "UPDATE audit_log SET actor = :a, prev_hash = :p, hash = :h WHERE seq = :s",
                a=fields["actor"],
                p=prev,
                h=digest,
                s=entry.seq,
            )
            prev = digest
        mac = chain.head_mac(5, prev)
        await execute(engine, "UPDATE audit_head SET hash = :h, mac = :m", h=prev, m=mac)

    on_database(database_url, rewrite)
    assert cli("verify").returncode == 0  # the chain and the head are valid again
    against = cli.verify(checkpoint)
    assert against.returncode == 1
    assert "rewritten" in against.stdout
    assert "哈希与检查点不符" in against.stdout


def test_a_forged_or_foreign_checkpoint_is_refused(cli: Cli, database_url: str, tmp_path: Path):
    fill(database_url, 3)
    checkpoint = Path(cli.checkpoint())
    document = json.loads(checkpoint.read_text(encoding="utf-8"))

    def variant(name: str, **changes: object) -> str:
        path = tmp_path / name
        path.write_text(json.dumps({**document, **changes}), encoding="utf-8")
        return str(path)

    # a checkpoint moved back to an earlier entry, its signature left as it was
    edited = cli.verify(variant("edited.json", seq=2, hash="ab" * 32))
    assert edited.returncode == 1
    assert "checkpoint refused: the checkpoint's signature is not valid" in edited.stderr
    assert "检查点签名无效" in edited.stderr
    # signed by another key than the auditor's
    other = tmp_path / "other"
    other.write_bytes(generate_key_pair()[0])
    foreign_key = cli("checkpoint", CHAKONG_AUDIT_SIGNING_KEY_FILE=str(other))
    assert foreign_key.returncode == 0
    (tmp_path / "foreign-key.json").write_text(foreign_key.stdout, encoding="utf-8")
    refused = cli.verify(str(tmp_path / "foreign-key.json"))
    assert refused.returncode == 1
    assert "it names another key than this public key" in refused.stderr
    # another log's checkpoint, with the same signing key
    other_log = cli("checkpoint", CHAKONG_AUDIT_LOG_NAME="苏0813 查控网关")
    (tmp_path / "other-log.json").write_text(other_log.stdout, encoding="utf-8")
    refused = cli.verify(str(tmp_path / "other-log.json"))
    assert refused.returncode == 1
    assert "the checkpoint is of another log" in refused.stderr
    assert "检查点属于另一个日志" in refused.stderr
    # the control: the same file passes when the auditor expects that log
    assert (
        cli.verify(str(tmp_path / "other-log.json"), "--log-name", "苏0813 查控网关").returncode
        == 0
    )
    malformed = cli.verify(variant("malformed.json", signature="!"))
    assert malformed.returncode == 1
    assert "not a checkpoint file" in malformed.stderr
    assert "Traceback" not in malformed.stderr + refused.stderr + edited.stderr


def test_the_demo_signs_and_checks_checkpoints_with_its_own_key(tmp_path: Path):
    # the real command, in a subprocess
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    fill(url, 2)
    env = {"CHAKONG_DATABASE_URL": url, "CHAKONG_DEMO": "true", "CHAKONG_AUDIT_KEY": KEY.decode()}
    made = run_cli("audit", "checkpoint", "--out", str(tmp_path / "cp.json"), cwd=tmp_path, env=env)
    assert made.returncode == 0, made.stderr
    public = run_cli("audit", "public-key", cwd=tmp_path, env=env)
    assert public.stdout.startswith("-----BEGIN PUBLIC KEY-----")
    checkpoint = parse_checkpoint((tmp_path / "cp.json").read_text(encoding="utf-8"))
    public_key = serialization.load_pem_public_key(public.stdout.encode())
    assert isinstance(public_key, Ed25519PublicKey)
    assert check_checkpoint(checkpoint, public_key, "chakong") is None
    own = run_cli(
        "audit", "verify", "--checkpoint", str(tmp_path / "cp.json"), cwd=tmp_path, env=env
    )
    assert own.returncode == 0, own.stdout + own.stderr
    assert "the log still extends the checkpoint (entry 2)" in own.stdout
    assert "an auditor uses the public key they hold" in own.stderr


def test_checkpoint_without_a_signing_key_says_what_to_set(tmp_path: Path):
    result = run_cli("audit", "checkpoint", cwd=tmp_path, env={"CHAKONG_DEMO": "false"})
    assert result.returncode == 2
    assert "CHAKONG_AUDIT_SIGNING_KEY_FILE" in result.stderr
    assert "Traceback" not in result.stderr


def test_seal_checks_then_seals_a_head_from_before_0002(cli: Cli, database_url: str):
    fill(database_url, 2)
    sql(database_url, "UPDATE audit_head SET mac = NULL")
    before = cli("verify")
    assert before.returncode == 1
    assert "head unsealed" in before.stdout
    sql(database_url, "UPDATE audit_log SET actor = 'nobody' WHERE seq = 1")
    broken = cli("seal")
    assert broken.returncode == 1  # a broken chain is not sealed
    assert "edited" in broken.stdout
    sql(database_url, "UPDATE audit_log SET actor = 'judge-zhou' WHERE seq = 1")
    sealed = cli("seal")
    assert sealed.returncode == 0, sealed.stdout + sealed.stderr
    assert cli("verify").returncode == 0
    stray = cli("verify", "--public-key", "x.pub")
    assert stray.returncode == 2
    assert "go with --checkpoint" in stray.stderr
