"""``chakong inquire`` and ``chakong report``: a running gateway over the mocks, 200 debtors in a
spreadsheet, an interrupted run resumed without asking anyone twice, bad rows in their sheet."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pypdf
import pytest

from connectors.registry import AGENCIES
from gateway.api import build_schema
from gateway.cli_inquire import (
    CliError,
    GatewayClient,
    InquireOptions,
    Row,
    plan,
    read_rows,
    run_inquire,
)
from gateway.domain.subjects import SubjectKind, mask_id, parse_subject
from gateway.examples import EXAMPLE_DEBTOR
from mocks.runner import MockServers
from tests.conftest import CASE, MOCK_TOKEN, TOKENS, Gateway, gateway_settings, run_gateway
from tests.gateway.processes import run_cli
from tests.mocks.helpers import resident_ids

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = build_schema()._schema
DEBTORS = resident_ids(200, regions=("320812", "320803"))
STRANGER = resident_ids(201)[200]  # valid, but no party of the case
BAD_ID = "320812198203151257"  # a wrong check digit


class Recording(httpx.AsyncBaseTransport):
    """The real transport, keeping the subjects of every batch the gateway was asked."""

    def __init__(self, before_batch: Callable[[int], None] = lambda n: None) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.batches: list[list[str]] = []
        self.before_batch = before_batch

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/graphql":
            body = json.loads(request.content)
            subjects = body["variables"].get("subjects")
            if subjects is not None:
                self.before_batch(len(self.batches))
                await asyncio.sleep(0)  # where a cancelled run stops: before the gateway hears
                self.batches.append([s["id"] for s in subjects])
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
async def gateway(mocks: MockServers, tmp_path: Path):
    """A patient gateway (a busy machine is no failed call) that takes 50 debtors a request,
    with ``CASE`` registered: 200 debtors."""
    settings = gateway_settings(mocks, tmp_path, default_deadline_ms=30000, max_batch_subjects=50)
    patient = {
        name: conf.model_copy(update={"attempt_timeout_s": 30.0})
        for name, conf in settings.agencies.items()
    }
    settings = settings.model_copy(update={"agencies": patient})
    async with run_gateway(settings) as gw:
        await gw.register([{"kind": "NATURAL", "id": i} for i in DEBTORS])
        yield gw


def subjects_file(path: Path) -> Path:
    """The debtors as a clerk's CSV: a header, the 200, and three rows that cannot be asked."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["证件号码", "姓名"])
        writer.writerow([DEBTORS[0], "甲"])
        writer.writerow([BAD_ID, "乙"])  # line 3
        for subject in DEBTORS[1:100]:
            writer.writerow([subject, ""])
        writer.writerow([STRANGER, "丙"])  # line 103
        writer.writerow([DEBTORS[5], ""])  # line 104: a repeat
        for subject in DEBTORS[100:]:
            writer.writerow([subject, ""])
    return path


async def test_200_debtors_fill_the_workbook_and_an_interrupted_run_resumes(
    gateway: Gateway, tmp_path: Path
):
    source = subjects_file(tmp_path / "subjects.csv")
    out = tmp_path / "results.xlsx"
    options = InquireOptions(CASE, source, out, batch=64, deadline_ms=30000)

    # the first run is cancelled once two batches are done, as the third is about to leave
    finished: list[int] = []

    def before_batch(sent: int) -> None:
        if len(finished) == 2:
            task.cancel()

    first = Recording(before_batch)
    async with httpx.AsyncClient(base_url=gateway.server.url, transport=first, timeout=600) as c:
        task: asyncio.Task[Any]

        def started(total: int, done: int) -> Callable[[int], None]:
            assert (total, done) == (200, 0)
            return finished.append

        task = asyncio.create_task(
            run_inquire(GatewayClient(c, TOKENS["judge"]), options, SCHEMA, started=started)
        )
        with pytest.raises(asyncio.CancelledError):
            await task
    assert not out.exists()
    # 64 was too many for the gateway (BATCH_TOO_LARGE, which tells its limit): 50 a batch
    assert [len(b) for b in first.batches] == [64, 50, 50]
    done_first = {s for b in first.batches[1:] for s in b}
    assert finished == [50, 50]

    # the same command again, as a clerk runs it, finishes the rest and asks nobody twice
    second = await asyncio.to_thread(
        run_cli,
        "inquire",
        "--case",
        CASE,
        "--file",
        str(source),
        "--out",
        str(out),
        "--batch",
        "32",
        "--deadline-ms",
        "30000",
        "--url",
        gateway.server.url,
        cwd=tmp_path,
        env={"CHAKONG_TOKEN": TOKENS["judge"]},
    )
    assert second.returncode == 0, second.stderr
    assert "skipped 100 done before" in second.stderr
    asked = await audited_subjects(gateway)
    assert sorted(asked) == sorted(map(mask_id, DEBTORS))  # each asked about exactly once

    book = openpyxl.load_workbook(out, read_only=True)
    assets, statuses, bad = (list(s.iter_rows(values_only=True)) for s in book.worksheets)
    assert [s.title for s in book.worksheets] == [
        "财产 Assets",
        "反馈状态 Statuses",
        "问题行 Bad rows",
    ]
    # a status per debtor and agency, in the file's order
    assert len(statuses) == 1 + 200 * len(AGENCIES)
    assert [r[0] for r in statuses[1 :: len(AGENCIES)]] == DEBTORS
    assert {r[4] for r in statuses[1:]} <= {"OK", "NOT_FOUND", "NOT_APPLICABLE"}
    # a row per asset: the mocks make records up for every valid number
    assert len(assets) > 200
    assert {r[0] for r in assets[1:]} <= set(DEBTORS)
    assert any(r[4] == "是" for r in assets[1:])  # encumbrances marked
    assert done_first <= {r[0] for r in statuses[1:]}
    assert [(r[0], r[2]) for r in bad[1:]] == [
        (3, "INVALID_SUBJECT_ID"),
        (103, "NOT_A_DEBTOR"),
        (104, "DUPLICATE"),
    ]
    assert all(" / " in r[3] for r in bad[1:])  # the reason in Chinese and English

    # once finished, running it again asks nobody and writes the same workbook
    rerun = await asyncio.to_thread(
        run_cli,
        "inquire",
        "--case",
        CASE,
        "--file",
        str(source),
        "--out",
        str(out),
        "--url",
        gateway.server.url,
        cwd=tmp_path,
        env={"CHAKONG_TOKEN": TOKENS["judge"]},
    )
    assert rerun.returncode == 0, rerun.stderr
    assert "skipped 200 done before" in rerun.stderr
    assert sorted(await audited_subjects(gateway)) == sorted(map(mask_id, DEBTORS))


async def audited_subjects(gateway: Gateway) -> list[str]:
    """The (masked) subject of every inquiry entry in the audit log."""
    body = await gateway.query(
        '{ auditLog(action: "inquiry", limit: 1000) { subjectMasked relation outcome } }',
        who="admin",
    )
    entries = body["data"]["auditLog"]
    assert {(e["relation"], e["outcome"]) for e in entries} == {("debtor", "allowed")}
    return [e["subjectMasked"] for e in entries]


async def test_a_progress_file_of_another_case_is_not_mixed_in(gateway: Gateway, tmp_path: Path):
    source = tmp_path / "one.csv"
    source.write_text(f"{DEBTORS[0]}\n", encoding="utf-8")
    out = tmp_path / "out.xlsx"
    (tmp_path / "out.xlsx.progress").write_text('{"case": "(2026)苏0812执1号", "version": 1}\n')
    async with httpx.AsyncClient(base_url=gateway.server.url, timeout=600) as client:
        with pytest.raises(CliError) as raised:
            await run_inquire(
                GatewayClient(client, TOKENS["judge"]), InquireOptions(CASE, source, out), SCHEMA
            )
        assert raised.value.code == "PROGRESS_MISMATCH"
        result = await run_inquire(
            GatewayClient(client, TOKENS["judge"]),
            InquireOptions(CASE, source, out, restart=True),
            SCHEMA,
        )
    assert (result.asked, result.skipped, result.bad) == (1, 0, 0)


async def test_a_case_the_caller_may_not_see_stops_the_run(gateway: Gateway, tmp_path: Path):
    source = tmp_path / "one.csv"
    source.write_text(f"{DEBTORS[0]}\n", encoding="utf-8")
    async with httpx.AsyncClient(base_url=gateway.server.url, timeout=600) as client:
        for who, code in (("foreign-judge", "FORBIDDEN_COURT"), ("admin", "FORBIDDEN_OPERATION")):
            with pytest.raises(CliError) as raised:
                await run_inquire(
                    GatewayClient(client, TOKENS[who]),
                    InquireOptions(CASE, source, tmp_path / "x.xlsx"),
                    SCHEMA,
                )
            assert raised.value.code == code
        with pytest.raises(CliError) as raised:
            await run_inquire(
                GatewayClient(client, TOKENS["judge"]),
                InquireOptions("(2026)苏0812执999号", source, tmp_path / "x.xlsx"),
                SCHEMA,
            )
        assert raised.value.code == "CASE_NOT_REGISTERED"


def test_subjects_come_from_csv_in_gb18030_or_from_xlsx(tmp_path: Path):
    gbk = tmp_path / "excel.csv"
    gbk.write_bytes(f"姓名,证件号码\n周坤,{EXAMPLE_DEBTOR['id']}\n\n".encode("gb18030"))
    assert read_rows(gbk) == [Row(2, EXAMPLE_DEBTOR["id"], "周坤", None)]
    bare = tmp_path / "bare.csv"
    bare.write_text(f"{EXAMPLE_DEBTOR['id']},周坤,natural\n", encoding="utf-8")
    assert read_rows(bare) == [Row(1, EXAMPLE_DEBTOR["id"], "周坤", "natural")]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ID", "Name", "Kind"])
    sheet.append([EXAMPLE_DEBTOR["id"], "周坤", "NATURAL"])
    sheet.append([320812198203151256, "typed as a number", None])
    book.save(tmp_path / "list.xlsx")
    rows = read_rows(tmp_path / "list.xlsx")
    assert rows[0] == Row(2, EXAMPLE_DEBTOR["id"], "周坤", "NATURAL")
    with pytest.raises(CliError):
        read_rows(tmp_path / "list.pdf")


def test_the_plan_keeps_the_debtors_and_names_each_bad_row():
    debtor = parse_subject(SubjectKind.NATURAL, DEBTORS[0])
    rows = [
        Row(1, DEBTORS[0], None, None),
        Row(2, "", "无号码", None),
        Row(3, DEBTORS[0], None, "LEGAL"),
        Row(4, DEBTORS[0], None, "robot"),
        Row(5, STRANGER, None, None),
        Row(6, DEBTORS[0].lower(), None, None),
        Row(7, DEBTORS[1], "名" * 201, None),  # longer than the agency contract carries
    ]
    subjects, bad = plan(rows, {debtor.key})
    assert subjects == [debtor]
    assert [(b.line, b.code) for b in bad] == [
        (2, "INVALID_SUBJECT_ID"),
        (3, "INVALID_SUBJECT_ID"),
        (4, "INVALID_SUBJECT_ID"),
        (5, "NOT_A_DEBTOR"),
        (6, "DUPLICATE"),
        (7, "INVALID_INPUT"),
    ]
    assert STRANGER not in bad[3].reason  # masked, as everywhere


async def chakong(*args: str, cwd: Path, token: str | None) -> tuple[int, str, str]:
    env, unset = ({}, ("CHAKONG_TOKEN",)) if token is None else ({"CHAKONG_TOKEN": token}, ())
    result = await asyncio.to_thread(run_cli, *args, cwd=cwd, env=env, unset=unset)
    return result.returncode, result.stdout, result.stderr


async def test_chakong_report_saves_the_gateways_report(gateway: Gateway, tmp_path: Path):
    args = ("report", "--case", CASE, "--subject", DEBTORS[0], "--url", gateway.server.url)
    code, out, err = await chakong(*args, "--format", "html", cwd=tmp_path, token=TOKENS["judge"])
    assert code == 0, err
    saved = tmp_path / out.strip()
    assert saved.name.startswith("chakong-report-")
    assert saved.suffix == ".html"
    page = saved.read_text(encoding="utf-8")
    assert "财产查控报告" in page
    assert DEBTORS[0] in page
    seq = saved.stem.removeprefix("chakong-report-")
    assert f"#{seq}" in page  # the audit entry the gateway named

    code, out, err = await chakong(*args, "--out", "-", cwd=tmp_path, token=TOKENS["admin"])
    assert (code, out) == (1, "")
    assert err.startswith("FORBIDDEN_OPERATION: ")
    code, _, err = await chakong(*args, cwd=tmp_path, token=None)
    assert code == 2
    assert "CHAKONG_TOKEN" in err


async def test_chakong_report_saves_a_pdf_by_default(gateway: Gateway, tmp_path: Path):
    args = ("report", "--case", CASE, "--subject", DEBTORS[0], "--url", gateway.server.url)
    code, out, err = await chakong(*args, cwd=tmp_path, token=TOKENS["judge"])
    if code == 1 and err.startswith("REPORT_UNAVAILABLE: ") and "Pango" in err:
        pytest.skip(f"the gateway cannot print a PDF here (no Pango): {err.strip()}")
    assert code == 0, err
    saved = tmp_path / out.strip()
    assert saved.name.startswith("chakong-report-")
    assert saved.suffix == ".pdf"
    body = saved.read_bytes()
    assert body.startswith(b"%PDF")
    seq = saved.stem.removeprefix("chakong-report-")
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(body)).pages]
    assert pages
    for number, text in enumerate(pages, 1):
        assert CASE in text, number
        assert f"#{seq}" in text, number  # the audit entry the gateway named
    text = "\n".join(pages)
    assert "财产查控报告" in text
    for spec in AGENCIES:
        assert spec.label_zh in text


async def agencies_answer_after(mocks: MockServers, latency_ms: float) -> None:
    auth = {"Authorization": f"Bearer {MOCK_TOKEN}"}
    async with httpx.AsyncClient() as http:
        for url in mocks.urls.values():
            response = await http.put(
                f"{url}/_mock/faults", json={"latency_ms": latency_ms}, headers=auth
            )
            response.raise_for_status()


async def test_ctrl_c_keeps_the_progress_and_the_same_command_goes_on(
    gateway: Gateway, mocks: MockServers, tmp_path: Path
):
    # each batch takes at least 100 ms, so the 38 batches after the second take seconds on any
    # machine: the Ctrl-C below always comes mid-run (a fast machine once finished first)
    await agencies_answer_after(mocks, 100)
    source = tmp_path / "subjects.csv"
    source.write_text("\n".join(DEBTORS) + "\n", encoding="utf-8")
    out = tmp_path / "results.xlsx"
    progress = tmp_path / "results.xlsx.progress"
    args = ["inquire", "--case", CASE, "--file", str(source), "--out", str(out)]
    args += ["--batch", "5", "--url", gateway.server.url]  # 40 batches: time to interrupt
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CHAKONG_TOKEN": TOKENS["judge"]}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "gateway.cli",
        *args,
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        # as at a terminal: a suite run in the background (``make test &``) ignores SIGINT, and
        # a child inherits that, so Ctrl-C would never reach the command
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    # Ctrl-C once two batches are on disk (the machine's speed decides when, not a timer)
    while not (progress.exists() and len(progress.read_text().splitlines()) >= 3):
        assert process.returncode is None, "the run ended before it could be interrupted"
        await asyncio.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = await process.communicate()
    assert process.returncode == 130, stderr.decode()
    await agencies_answer_after(mocks, 0)
    assert "interrupted: the progress is kept" in stderr.decode()
    assert not out.exists()
    kept = [json.loads(line) for line in progress.read_text().splitlines()[1:]]
    done = {p["subject"]["id"] for batch in kept for p in batch["profiles"]}
    assert len(done) >= 10

    code, _, err = await chakong(*args, cwd=tmp_path, token=TOKENS["judge"])
    assert code == 0, err
    assert f"skipped {len(done)} done before" in err
    book = openpyxl.load_workbook(out, read_only=True)
    statuses = list(book.worksheets[1].iter_rows(values_only=True))
    assert [r[0] for r in statuses[1 :: len(AGENCIES)]] == DEBTORS
    # what was on disk was not asked again (a batch in flight at Ctrl-C may be: its answer
    # never arrived, and its audit entries say it was asked)
    asked = await audited_subjects(gateway)
    assert all(asked.count(mask_id(subject)) == 1 for subject in done)
    assert set(asked) == set(map(mask_id, DEBTORS))
