"""The command line, run as a user would: real processes, real ports, Ctrl-C to stop."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time

import httpx
import pytest

from gateway.examples import EXAMPLE_QUERY, EXAMPLE_VARIABLES
from gateway.settings import Settings
from tests.gateway.processes import ROOT, SERVE_KEYS, Process, issue, run_cli


def test_demo_runs_the_readme_example_and_stops_on_ctrl_c(tmp_path, processes):
    demo = Process("demo", "--port", "0", "--mock-latency-ms", "0", cwd=tmp_path)
    processes.append(demo)
    judge = demo.wait_for(r"JUDGE \(苏0812, J001\)\s+(\S+)")[1]
    url = demo.wait_for(r"Open the explorer: (http://\S+)/graphql")[1]
    example = {"query": EXAMPLE_QUERY, "variables": EXAMPLE_VARIABLES}
    response = httpx.post(
        f"{url}/graphql", json=example, headers={"Authorization": f"Bearer {judge}"}, timeout=30
    )
    debtor = response.json()["data"]["debtor"]
    statuses = {s["agency"]: s["status"] for s in debtor["sources"]}
    assert {a for a, s in statuses.items() if s != "OK"} == {"PERMITS"}  # a natural person
    assert statuses["PERMITS"] == "NOT_APPLICABLE"
    assert debtor["spouse"]["relation"] == "SPOUSE"
    assert debtor["controlledEnterprises"]
    # no token, no data
    anonymous = httpx.post(f"{url}/graphql", json=example, timeout=30)
    assert anonymous.status_code == 401
    page = httpx.get(f"{url}/graphql", headers={"Accept": "text/html"}, timeout=10)
    assert "graphiql" in page.text.lower()
    assert judge in page.text  # the explorer is pre-filled with the judge's token
    assert demo.interrupt() == 0
    assert (tmp_path / "chakong.db").exists()
    verify = run_cli("audit", "verify", cwd=tmp_path)
    assert verify.returncode == 0, verify.stderr
    assert "intact" in verify.stdout
    # someone edits who asked: the chain no longer verifies
    with sqlite3.connect(tmp_path / "chakong.db") as db:
        db.execute("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 1")
    tampered = run_cli("audit", "verify", cwd=tmp_path)
    assert tampered.returncode == 1
    assert "at entry 1" in tampered.stdout + tampered.stderr


def test_mocks_and_serve_run_apart_and_one_missing_agency_is_unavailable(tmp_path, processes):
    mocks = Process("mocks", "--port", "0", "--agencies", "police,bank", cwd=tmp_path)
    processes.append(mocks)
    env = {}
    for _ in range(4):  # two agencies, URL and TOKEN lines each
        key, value = mocks.wait_for(r"(CHAKONG_\w+)=(\S+)").groups()
        env[key] = value
    # the land registry is configured but its mock is not running
    env["CHAKONG_AGENCIES__LAND__URL"] = "http://127.0.0.1:9"
    env["CHAKONG_AGENCIES__LAND__TOKEN"] = "unused"
    env["CHAKONG_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'g.db'}"
    env |= SERVE_KEYS
    serve = Process("serve", "--port", "0", cwd=tmp_path, env=env)
    processes.append(serve)
    url = serve.wait_for(r"Uvicorn running on (http://\S+)")[1]
    system = issue(tmp_path, "--role", "COURT_SYSTEM", "--court", "苏0812")
    judge = issue(tmp_path, "--role", "JUDGE", "--court", "苏0812", "--judge", "J001")
    saved = httpx.post(
        f"{url}/graphql",
        json={"query": SAVE_CASE, "variables": EXAMPLE_CASE},
        headers={"Authorization": f"Bearer {system}"},
        timeout=30,
    )
    assert "errors" not in saved.json(), saved.text
    variables = {**EXAMPLE_VARIABLES}
    query = (
        "query($subject: SubjectInput!, $caseNumber: String!) "
        "{ debtor(subject: $subject, caseNumber: $caseNumber) { sources { agency status } } }"
    )
    response = httpx.post(
        f"{url}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {judge}"},
        timeout=30,
    )
    statuses = {s["agency"]: s["status"] for s in response.json()["data"]["debtor"]["sources"]}
    assert statuses["POLICE"] == statuses["BANK"] == "OK"
    assert statuses["LAND"] == "UNAVAILABLE"
    assert statuses["TAX"] == "NOT_CONFIGURED"
    # a GET puts the subject's number in the URL, which the access log prints: masked
    subject_id = EXAMPLE_VARIABLES["subject"]["id"]  # type: ignore[index]
    by_get = httpx.get(
        f"{url}/graphql",
        params={"query": query, "variables": json.dumps(variables, ensure_ascii=False)},
        headers={"Authorization": f"Bearer {judge}"},
        timeout=30,
    )
    assert by_get.status_code == 200, by_get.text
    serve.wait_for(r"GET /graphql")
    assert serve.interrupt() == 0
    logged = serve.output()
    assert subject_id not in logged
    assert subject_id[:6] + "********" + subject_id[-4:] in logged
    assert mocks.interrupt() == 0


SAVE_CASE = "mutation($case: CaseInput!) { saveCase(case: $case) { caseNumber } }"
EXAMPLE_CASE = {
    "case": {
        "caseNumber": EXAMPLE_VARIABLES["caseNumber"],
        "judges": ["J001"],
        "parties": [{"role": "DEBTOR", **EXAMPLE_VARIABLES["subject"]}],  # type: ignore[dict-item]
        "obligation": "1000.00",
    }
}


def test_serve_refuses_to_start_without_keys(tmp_path):
    result = run_cli("serve", "--port", "0", cwd=tmp_path)
    assert result.returncode == 2
    assert "CHAKONG_AUTH__KEYS__" in result.stderr
    assert "Traceback" not in result.stderr


def test_token_for_a_judge_needs_the_judge_id(tmp_path):
    result = run_cli("token", "--role", "JUDGE", "--court", "苏0812", cwd=tmp_path, env=SERVE_KEYS)
    assert result.returncode == 2
    assert "judge" in result.stderr
    assert result.stdout == ""


def test_token_refuses_a_judge_id_that_is_not_text(tmp_path):
    # the byte 0xFF is not UTF-8: Python reads it as the lone surrogate U+DCFF
    result = run_cli(
        "token", "--role", "JUDGE", "--court", "苏0812", "--judge", "J\udcff",
        cwd=tmp_path, env=SERVE_KEYS,
    )  # fmt: skip
    assert result.returncode == 2
    assert "U+DCFF" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_token_refuses_a_subject_longer_than_the_audit_log_keeps(tmp_path):
    result = run_cli(
        "token", "--role", "ADMIN", "--subject", "a" * 129, cwd=tmp_path, env=SERVE_KEYS
    )  # fmt: skip
    assert result.returncode == 2
    assert "sub is longer than 128 characters" in result.stderr
    assert "无法签发令牌：sub 超过 128 个字符 / " in result.stderr  # each language its own half
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_conformance_command_passes_against_a_mock(tmp_path, processes):
    token = "land-t0k3n-a8d2"
    mocks = Process("mocks", "--port", "0", "--agencies", "land", "--token", token, cwd=tmp_path)
    processes.append(mocks)
    url = mocks.wait_for(r"CHAKONG_AGENCIES__LAND__URL=(\S+)")[1]
    result = run_cli(
        "conformance", "--agency", "land", "--url", url, "--token", token, cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^(\d+) 项通过，0 项未通过 / \1 passed, 0 failed$", result.stdout, re.M)
    wrong_token = "WR0NG-token-5e1f9c"
    wrong = run_cli(
        "conformance", "--agency", "land", "--url", url, "--token", wrong_token, cwd=tmp_path
    )
    assert wrong.returncode == 1
    assert wrong_token not in wrong.stdout + wrong.stderr


def test_unknown_agency_in_settings_fails_loudly():
    with pytest.raises(ValueError, match="unknown agency 'weather'"):
        Settings(agencies={"weather": {"url": "http://x"}})


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("memcached://127.0.0.1", "memory:// or redis://"),
        ("127.0.0.1:6379", "memory:// or redis://"),
        ("redis://:s3cret@127.0.0.1:port/0", "port is not a number"),
        ("redis://:s3cret@127.0.0.1:99999/0", "port is not a number"),
        ("redis://:s3cret@127.0.0.1:6379/cache", "database is not a number"),
        ("redis://:s3cret@127.0.0.1:6379/０", "database is not a number"),
    ],
)
def test_a_cache_url_that_cannot_work_is_refused_by_the_settings(url, words):
    with pytest.raises(ValueError, match=words):
        Settings(cache_url=url)


@pytest.mark.parametrize(
    "url", ["memory://", " redis://127.0.0.1:6379/3 ", "rediss://u:p@cache.court:6380", "redis://h"]
)
def test_cache_urls_that_work_are_kept(url):
    assert Settings(cache_url=url).cache_url == url.strip()


def test_settings_read_nested_agency_variables(monkeypatch):
    monkeypatch.setenv("CHAKONG_AGENCIES__BANK__URL", "http://bank.example:8080")
    monkeypatch.setenv("CHAKONG_AGENCIES__BANK__TOKEN", "s3cret")
    monkeypatch.setenv("CHAKONG_AGENCIES__BANK__CACHE_TTL_S", "0")

    settings = Settings()
    bank = settings.agency("bank")
    assert bank.url == "http://bank.example:8080"
    assert bank.token.get_secret_value() == "s3cret"
    assert bank.cache_ttl_s == 0
    assert "s3cret" not in repr(settings)
    assert settings.agency("police").url is None


def test_invalid_configuration_is_a_message_not_a_traceback(tmp_path):
    result = run_cli("serve", cwd=tmp_path, env={"CHAKONG_PORT": "not-a-port"})
    assert result.returncode == 2
    assert "invalid configuration" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_refused_setting_is_named_with_why_but_never_its_value(tmp_path):
    """A database or cache URL may hold a password: pydantic's own text would quote it."""
    url = "redis://:s3cret@cache.court:6379/cache"
    result = run_cli("serve", cwd=tmp_path, env={"CHAKONG_CACHE_URL": url})
    assert result.returncode == 2
    assert "invalid configuration" in result.stderr
    # in both languages, as every other refusal of the command
    assert (
        "cache_url: 缓存地址的库号应为整数（redis://host:6379/0） / the cache URL's database is "
        "not a number (redis://host:6379/0)"
    ) in result.stderr
    assert "s3cret" not in result.stderr


@pytest.mark.parametrize(
    ("env", "line"),
    [
        ({"CHAKONG_PORT": "http"}, "port: 应为整数 / must be a whole number"),
        ({"CHAKONG_LOG_LEVEL": "loud"}, "log_level: 应为 'critical'、'error'、'warning'、"),
        ({"CHAKONG_MAX_DEADLINE_MS": "1e9"}, "max_deadline_ms: 应为整数 / must be a whole number"),
        ({"CHAKONG_HOST": ""}, "host: 监听地址不能为空"),
    ],
)
def test_every_refused_setting_says_why_in_both_languages(tmp_path, env, line):
    result = run_cli("serve", cwd=tmp_path, env=SERVE_KEYS | env)
    assert result.returncode == 2, result.stderr
    assert line in result.stderr
    assert "Value error" not in result.stderr  # pydantic's English prefix
    assert "Traceback" not in result.stderr


def test_a_port_in_use_is_a_message_not_a_traceback(tmp_path):
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("demo", "--port", str(port), cwd=tmp_path)
    assert result.returncode == 2
    assert "already in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_version_is_the_package_version(tmp_path):
    from importlib.metadata import version

    result = run_cli("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"chakong {version('chakong')}"


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (("--court", "纽0812"), "unknown court code"),  # not a province
        (("--court", "苏081"), "unknown court code"),  # 3 digits
        (("--court", "苏０８１２"), "unknown court code"),  # full-width digits
        (("--court", "淮安市清江浦区人民法院"), "unknown court code"),  # a name, not a code
        (("--court", "苏0812", "--ttl", "-60"), "greater than 0"),
        (("--court", "苏0812", "--ttl", "0"), "greater than 0"),
        (("--court", "苏0812", "--ttl", "soon"), "greater than 0"),
    ],
)
def test_token_refuses_an_unknown_court_and_a_ttl_that_is_not_positive(tmp_path, args, complaint):
    result = run_cli(
        "token", "--role", "COURT_SYSTEM", *args, cwd=tmp_path, env=SERVE_KEYS, timeout=30
    )
    assert result.returncode == 2
    assert complaint in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("court", ["苏0812", "苏08", "苏", "兵0101"])
def test_token_takes_the_court_codes_of_case_numbers(tmp_path, court):
    assert issue(tmp_path, "--role", "COURT_SYSTEM", "--court", court, "--ttl", "60")


@pytest.mark.parametrize("args", [("schema",), ("--version",), ("--help",)])
def test_printing_into_a_closed_pipe_ends_quietly(tmp_path, args):
    # `chakong schema | head`: the reader is gone before (most of) the output is written
    read, write = os.pipe()
    os.close(read)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "gateway.cli", *args],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write)
    assert result.stderr == ""  # no traceback, no "Exception ignored"
    # what was lost is said by the status, as for a command SIGPIPE stopped (argparse's own
    # --version and --help ignore a failed write and exit 0)
    expected = 128 + signal.SIGPIPE if args == ("schema",) else 0
    assert result.returncode == expected


def test_serve_with_two_workers_starts_both_answers_and_stops_on_ctrl_c(tmp_path, processes):
    from bench.fanout.procs import free_port

    port = free_port()
    env = SERVE_KEYS | {"CHAKONG_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'g.db'}"}
    serve = Process("serve", "--port", str(port), "--workers", "2", cwd=tmp_path, env=env)
    processes.append(serve)
    # each worker logs both lines, in whatever order the two interleave
    workers: set[str] = set()
    started = 0
    while len(workers) < 2 or started < 2:
        line = serve.wait_for(r"Started server process \[(\d+)\]|Application startup complete")
        if line[1]:
            workers.add(line[1])
        else:
            started += 1
    for _ in range(10):
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=10)
        assert ready.status_code == 200, ready.text
    assert serve.interrupt() == 0
    with sqlite3.connect(tmp_path / "g.db") as db:  # migrated once, before the workers
        assert db.execute("SELECT count(*) FROM audit_head").fetchone() == (1,)


@pytest.mark.parametrize("workers", ["0", "many", "65"])
def test_serve_refuses_a_bad_number_of_workers(tmp_path, workers):
    result = run_cli("serve", "--workers", workers, cwd=tmp_path)
    assert result.returncode == 2
    assert "the number of workers must be a whole number from 1 to 64" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_a_database_of_a_newer_release_before_starting(tmp_path):
    database = tmp_path / "g.db"
    with sqlite3.connect(database) as db:  # stamped by a release that does not exist yet
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        db.execute("INSERT INTO alembic_version VALUES ('9999_from_the_future')")
    env = SERVE_KEYS | {"CHAKONG_DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    result = run_cli("serve", "--port", "0", cwd=tmp_path, env=env)
    assert result.returncode == 2, result.stderr
    assert "数据库由更新版本的 chakong 写入" in result.stderr
    assert "the database was written by a newer chakong (revision 9999_from_the_future" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr
    with sqlite3.connect(database) as db:  # left as it was
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert tables == {"alembic_version", "sqlite_autoindex_alembic_version_1"}


def test_serve_logs_at_the_configured_level(tmp_path, processes):
    from bench.fanout.procs import free_port

    refused = run_cli("serve", cwd=tmp_path, env=SERVE_KEYS | {"CHAKONG_LOG_LEVEL": "loud"})
    assert refused.returncode == 2
    assert "log_level" in refused.stderr
    port = free_port()
    env = SERVE_KEYS | {
        "CHAKONG_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'g.db'}",
        "CHAKONG_LOG_LEVEL": "WARNING",
    }
    serve = Process("serve", "--port", str(port), cwd=tmp_path, env=env)
    processes.append(serve)
    ready = None  # no "Uvicorn running on" line to wait for: that is INFO
    deadline = time.monotonic() + 60
    while ready is None and time.monotonic() < deadline:
        assert serve.proc.poll() is None, serve.output()
        try:
            ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=10)
        except httpx.TransportError:
            time.sleep(0.1)
    assert ready is not None, serve.output()
    assert ready.status_code == 200, ready.text
    assert serve.interrupt() == 0
    output = serve.output()
    assert " INFO " not in output, output  # neither the gateway's nor uvicorn's
    assert "GET /readyz" not in output  # the access log is INFO too
