"""Wrong input to the command line ends in a coded, bilingual message and a non-zero status,
never a traceback, and never shows a password: the real command, in a subprocess."""

from __future__ import annotations

import socket

import jwt
import pytest

from tests.gateway.processes import SERVE_KEYS, run_cli

MAX_TTL_S = 400 * 24 * 3600  # CHAKONG_AUTH__TOKEN_TTL_S's own bound


def refused(result, *words: str, status: int = 2) -> None:
    """The command stopped with ``status``, said each of ``words`` and printed nothing else."""
    assert result.returncode == status, result.stdout + result.stderr
    for word in words:
        assert word in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("ttl", ["99999999999999999999", str(MAX_TTL_S + 1)])
def test_token_refuses_a_ttl_past_the_longest_the_settings_allow(tmp_path, ttl):
    result = run_cli("token", "--role", "ADMIN", "--ttl", ttl, cwd=tmp_path, env=SERVE_KEYS)
    refused(result, "有效期最长", f"the TTL must be at most {MAX_TTL_S} seconds (400 days)")


def test_token_takes_the_longest_ttl_the_settings_allow(tmp_path):
    result = run_cli(
        "token", "--role", "ADMIN", "--ttl", str(MAX_TTL_S), cwd=tmp_path, env=SERVE_KEYS
    )
    assert result.returncode == 0, result.stderr
    claims = jwt.decode(result.stdout.strip(), options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == MAX_TTL_S


def test_token_folds_the_judge_id_in_the_claim_and_the_default_subject(tmp_path):
    result = run_cli(
        "token", "--role", "JUDGE", "--court", "苏0812", "--judge", "Ｊ００１",
        cwd=tmp_path, env=SERVE_KEYS,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    claims = jwt.decode(result.stdout.strip(), options={"verify_signature": False})
    assert claims["judge"] == "J001"
    assert claims["sub"] == "judge:苏0812:J001"


@pytest.mark.parametrize("command", ["demo", "serve", "mocks"])
@pytest.mark.parametrize("port", ["99999", "65536", "-1", "http"])
def test_a_port_out_of_range_is_refused_by_every_command_that_listens(tmp_path, command, port):
    result = run_cli(command, "--port", port, cwd=tmp_path, env=SERVE_KEYS, timeout=30)
    refused(result, "端口应为 0 至 65535 的整数", "the port must be a whole number from 0 to 65535")
    assert "参数有误" in result.stderr


def test_mocks_refuse_a_first_port_whose_agencies_would_run_past_the_last(tmp_path):
    result = run_cli("mocks", "--port", "65530", cwd=tmp_path, timeout=30)
    refused(result, "端口不够", "not enough ports: 10 agencies take consecutive ports from 65530")


def test_serve_on_a_port_in_use_says_so_in_both_languages_before_migrating(tmp_path):
    env = SERVE_KEYS | {"CHAKONG_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'g.db'}"}
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        one = run_cli("serve", "--port", port, cwd=tmp_path, env=env, timeout=60)
        two = run_cli("serve", "--port", port, "--workers", "2", cwd=tmp_path, env=env)
    for result in (one, two):
        assert result.returncode == 2, result.stderr
        assert "端口已被占用" in result.stderr
        assert "a port is already in use" in result.stderr
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "g.db").exists()  # nothing migrated


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("not JSON", "Expecting value"),
        ('["a list"]', "expected a JSON object of hash -> query text"),
        (None, "No such file or directory"),
    ],
)
@pytest.mark.parametrize("command", ["serve", "demo"])
def test_a_persisted_operations_file_that_cannot_be_read_is_an_invalid_setting(
    tmp_path, command, text, reason
):
    file = tmp_path / "persisted.json"
    if text is not None:
        file.write_text(text, encoding="utf-8")
    env = {"CHAKONG_DEMO": "true", "CHAKONG_LIMITS__PERSISTED_FILE": str(file)}
    result = run_cli(command, "--port", "0", cwd=tmp_path, env=env, timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "配置无效 / invalid configuration" in result.stderr
    assert f"limits.persisted_file: 持久化操作文件 {file} 无法读取" in result.stderr
    assert reason in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://[::1", "the URL cannot be parsed (Invalid port"),
        ("http://user:s3cret@[::1", "the URL cannot be parsed"),
        ("bank.example:8080", "the URL must be http:// or https:// and a host"),
        ("ftp://bank.example", "the URL must be http:// or https:// and a host"),
    ],
)
def test_conformance_and_report_refuse_a_malformed_url(tmp_path, url, words):
    conformance = run_cli(
        "conformance", "--agency", "bank", "--url", url, "--token", "t0k3n", cwd=tmp_path
    )
    report = run_cli(
        "report", "--case", "(2026)苏0812执123号", "--subject", "320812198203151256",
        "--url", url, "--token", "t0k3n", cwd=tmp_path,
    )  # fmt: skip
    for result in (conformance, report):
        refused(result, "--url: 地址", words)
        assert "s3cret" not in result.stderr


AUDIT_ENV = {"CHAKONG_DEMO": "true"}  # the demo's audit and checkpoint keys


@pytest.mark.parametrize("action", ["verify", "checkpoint"])
@pytest.mark.parametrize(
    ("url", "words", "status"),
    [
        ("garbage", "the database URL cannot be parsed", 2),
        ("postgresql+asyncpg://u:s3cret@db:port/x", "the database URL cannot be parsed", 2),
        ("mysql+aiomysql://u:s3cret@db/x", "the database driver aiomysql is not installed", 2),
        # a synchronous driver: installing it would not help
        ("mysql://u:s3cret@db/x", "unsupported database URL mysql://u:***@db/x", 2),
        ("oracle9://u:s3cret@db/x", "unsupported database URL oracle9://u:***@db/x", 2),
        (
            "postgresql+asyncpg://u:s3cret@127.0.0.1:1/x",
            "cannot connect to the database at postgresql+asyncpg://u:***@127.0.0.1:1/x: "
            "ConnectionRefusedError",
            1,
        ),
    ],
)
def test_audit_commands_refuse_a_database_url_that_cannot_work(
    tmp_path, action, url, words, status
):
    result = run_cli("audit", action, "--database-url", url, cwd=tmp_path, env=AUDIT_ENV)
    refused(result, words, status=status)
    assert "s3cret" not in result.stderr


@pytest.mark.parametrize("action", ["verify", "checkpoint"])
def test_audit_commands_say_there_is_no_database_and_never_create_one(tmp_path, action):
    result = run_cli("audit", action, cwd=tmp_path, env=AUDIT_ENV)
    path = tmp_path / "chakong.db"
    refused(
        result,
        f"{path} 处没有数据库",
        f"no database at {path}: run from the gateway's directory or pass --database-url",
    )
    assert not path.exists()
    elsewhere = tmp_path / "elsewhere.db"
    named = run_cli(
        "audit", action, "--database-url", f"sqlite+aiosqlite:///{elsewhere}",
        cwd=tmp_path, env=AUDIT_ENV,
    )  # fmt: skip
    refused(named, f"no database at {elsewhere}")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "english"),
    [
        (("migrate",), "argument COMMAND: invalid choice: 'migrate'"),
        (("reconcile", "--passes", "many"), "argument --passes: invalid int value: 'many'"),
        (("token",), "the following arguments are required: --role"),
    ],
)
def test_argument_errors_are_said_in_both_languages(tmp_path, args, english):
    result = run_cli(*args, cwd=tmp_path)
    refused(result, "参数有误", english)


def test_reconcile_says_the_database_driver_is_not_installed(tmp_path):
    env = SERVE_KEYS | {"CHAKONG_DATABASE_URL": "mysql+aiomysql://u:s3cret@db/x"}
    result = run_cli("reconcile", "--passes", "1", cwd=tmp_path, env=env)
    refused(result, "数据库驱动 aiomysql 未安装", "the database driver aiomysql is not installed")
    assert "s3cret" not in result.stderr


def test_inquire_refuses_a_malformed_url_before_reading_anything(tmp_path):
    subjects = tmp_path / "subjects.csv"
    subjects.write_text("id\n320812198203151256\n", encoding="utf-8")
    result = run_cli(
        "inquire", "--case", "(2026)苏0812执123号", "--file", str(subjects),
        "--out", str(tmp_path / "out.xlsx"), "--url", "http://[::1", "--token", "t0k3n",
        cwd=tmp_path,
    )  # fmt: skip
    refused(result, "INVALID_URL", "not a valid gateway URL", status=1)
    assert not (tmp_path / "out.xlsx").exists()


def test_token_refuses_a_judge_id_that_is_not_ascii_once_folded(tmp_path):
    result = run_cli("token", "--role", "JUDGE", "--court", "苏0812", "--judge", "٣٣", cwd=tmp_path)
    refused(result, "--judge: 法官标识", "U+0663")


@pytest.mark.parametrize(
    ("host", "words"),
    [
        ("999.1.1.1", "cannot listen on that address"),  # does not resolve
        ("10.9.9.9", "cannot listen on that address"),  # no address of this machine
        ("", "the address must not be empty"),
    ],
)
def test_mocks_refuse_an_address_they_cannot_listen_on(tmp_path, host, words):
    refused(run_cli("mocks", "--host", host, "--port", "0", cwd=tmp_path), words)


def test_mocks_refuse_an_agency_named_twice(tmp_path):
    result = run_cli("mocks", "--agencies", "bank,tax,BANK", "--port", "0", cwd=tmp_path)
    refused(result, "单位重复 / agency named twice: bank")
