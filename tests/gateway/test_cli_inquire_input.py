"""``chakong inquire`` on hostile or damaged input: text that looks like a formula, control
characters, an output that is the input, a damaged progress file, formulas without values,
over-long fields, a malformed token or URL, a case number typed full-width, and the write."""

from __future__ import annotations

import asyncio
import csv
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from gateway.api import build_schema
from gateway.cli_inquire import (
    BadRow,
    CliError,
    GatewayClient,
    InquireOptions,
    Progress,
    Row,
    Sheets,
    check_url,
    plan,
    read_rows,
    run_inquire,
)
from gateway.domain.subjects import SubjectKind, parse_subject
from mocks.runner import MockServers
from tests.conftest import CASE, TOKENS, gateway_settings, run_gateway
from tests.gateway.processes import run_cli
from tests.mocks.helpers import resident_ids

SCHEMA = build_schema()._schema
DEBTORS = resident_ids(60, regions=("320812",))


class FakeGateway:
    """The gateway's answers to ``case`` and ``debtors``, every request kept: a status of the
    police per debtor, its message holding what the test wants written."""

    def __init__(self, message: str = "") -> None:
        self.batches: list[list[dict[str, Any]]] = []
        self.requests = 0
        self.message = message

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        variables = json.loads(request.content)["variables"]
        if "subjects" not in variables:
            parties = [
                {"role": "DEBTOR", "subject": {"kind": "NATURAL", "id": i, "name": None}}
                for i in DEBTORS
            ]
            case = {"caseNumber": CASE, "status": "OPEN", "parties": parties}
            return httpx.Response(200, json={"data": {"case": case}})
        self.batches.append(variables["subjects"])
        profiles = [
            {
                "subject": subject,
                "sources": [
                    {
                        "agency": "police",
                        "status": "OK",
                        "latencyMs": 1,
                        "cached": False,
                        "recordCount": 0,
                        "message": self.message,
                    }
                ],
            }
            for subject in variables["subjects"]
        ]
        return httpx.Response(200, json={"data": {"debtors": profiles}})


async def inquire(
    fake: FakeGateway, options: InquireOptions, **kwargs: Any
) -> tuple[Any, list[list[dict[str, Any]]]]:
    transport = httpx.MockTransport(fake.handle)
    async with httpx.AsyncClient(base_url="http://gateway.test", transport=transport) as client:
        result = await run_inquire(GatewayClient(client, "t"), options, SCHEMA, **kwargs)
    return result, fake.batches


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([["证件号码", "姓名"], *rows])
    return path


def sheet_cells(path: Path) -> list[list[openpyxl.cell.cell.Cell]]:
    book = openpyxl.load_workbook(path)  # not read-only: a cell's data_type as stored
    return [list(row) for sheet in book.worksheets for row in sheet.iter_rows()]


# --- 1. text is text, never a formula ----------------------------------------------------------


async def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path: Path):
    link = '=HYPERLINK("http://evil.example/","click")'
    source = write_csv(tmp_path / "s.csv", [[DEBTORS[0], "=1+1"], [link, ""]])
    out = tmp_path / "r.xlsx"
    result, _ = await inquire(FakeGateway(message="=2+2"), InquireOptions(CASE, source, out))
    assert result.bad == 1
    cells = sheet_cells(out)
    texts = {c.value: c.data_type for row in cells for c in row if isinstance(c.value, str)}
    assert texts["=1+1"] == "s"  # the name, in the statuses
    assert texts["=2+2"] == "s"  # the gateway's message
    assert texts[link] == "s"  # the bad row's content, unchanged
    assert {t for t in texts.values()} == {"s"}
    assert not any(c.data_type == "f" for row in cells for c in row)


# --- 2. control characters ---------------------------------------------------------------------


async def test_a_control_character_makes_a_bad_row_and_never_reaches_the_gateway(tmp_path: Path):
    rows = [[d, ""] for d in DEBTORS[:49]]
    rows.append([DEBTORS[49], "名\x0b字"])  # line 51: the gateway refuses the whole batch
    rows.append(["\x01" + DEBTORS[50], ""])  # line 52: openpyxl refused to write it
    rows += [[d, ""] for d in DEBTORS[51:]]
    source = write_csv(tmp_path / "s.csv", rows)
    out = tmp_path / "r.xlsx"
    result, batches = await inquire(FakeGateway(), InquireOptions(CASE, source, out))
    sent = [s["id"] for b in batches for s in b]
    assert DEBTORS[49] not in sent
    assert all("\x0b" not in (s["name"] or "") for b in batches for s in b)
    assert len(sent) == len(DEBTORS) - 2
    assert result.bad == 2
    bad = [[c.value for c in r] for r in openpyxl.load_workbook(out).worksheets[2].iter_rows()]
    assert [(r[0], r[2]) for r in bad[1:]] == [(51, "INVALID_TEXT"), (52, "INVALID_TEXT")]
    assert "U+000B" in bad[1][3]
    assert " / " in bad[1][3]
    assert bad[2][1] == "\ufffd" + DEBTORS[50]  # shown, not refused


def test_no_character_openpyxl_refuses_reaches_the_workbook(tmp_path: Path):
    refused = "".join(chr(c) for c in range(0x20) if ILLEGAL_CHARACTERS_RE.match(chr(c)))
    sheets = Sheets(SCHEMA)
    sheets.bad = [BadRow(2, f"a{refused}b\ud800", "INVALID_TEXT", "x" * 40000)]
    sheets.write(tmp_path / "r.xlsx", CASE)
    row = [c.value for c in openpyxl.load_workbook(tmp_path / "r.xlsx").worksheets[2]["A2:D2"][0]]
    assert row[1] == "a" + "\ufffd" * len(refused) + "b\ufffd"
    assert len(row[3]) == 32767  # what an Excel cell holds


def test_plan_refuses_refused_characters_in_every_cell():
    debtor = parse_subject(SubjectKind.NATURAL, DEBTORS[0])
    rows = [Row(2, DEBTORS[0], "\x7f", None), Row(3, DEBTORS[0], None, "natural\x00")]
    subjects, bad = plan(rows, {debtor.key})
    assert subjects == []
    assert [(b.line, b.code) for b in bad] == [(2, "INVALID_TEXT"), (3, "INVALID_TEXT")]


async def test_a_name_with_a_control_character_no_longer_stops_a_real_run(
    mocks: MockServers, tmp_path: Path
):
    settings = gateway_settings(mocks, tmp_path, default_deadline_ms=30000)
    async with run_gateway(settings) as gw:
        await gw.register([{"kind": "NATURAL", "id": i} for i in DEBTORS])
        rows = [[d, "名\x0b字" if n == 49 else ""] for n, d in enumerate(DEBTORS)]
        source = write_csv(tmp_path / "s.csv", rows)
        out = tmp_path / "r.xlsx"
        async with httpx.AsyncClient(base_url=gw.server.url, timeout=600) as client:
            result = await run_inquire(
                GatewayClient(client, TOKENS["judge"]),
                InquireOptions(CASE, source, out, batch=100),
                SCHEMA,
            )
    assert (result.asked, result.bad) == (59, 1)


# --- 3. the output --------------------------------------------------------------------------------


async def test_out_may_not_be_the_subjects_file(tmp_path: Path):
    source = write_csv(tmp_path / "s.csv", [[DEBTORS[0], ""]])
    before = source.read_bytes()
    (tmp_path / "sub").mkdir()
    for out in (source, tmp_path / "sub" / ".." / "s.csv"):
        fake = FakeGateway()
        with pytest.raises(CliError) as raised:
            await inquire(fake, InquireOptions(CASE, source, out))
        assert raised.value.code == "OUTPUT_IS_INPUT"
        assert " / " in raised.value.message
        assert fake.requests == 0
    assert source.read_bytes() == before


async def test_an_output_that_cannot_be_written_costs_no_inquiry(tmp_path: Path):
    source = write_csv(tmp_path / "s.csv", [[DEBTORS[0], ""]])
    (tmp_path / "somedir").mkdir()
    for out in (tmp_path / "somedir", tmp_path / "missing" / "r.xlsx"):
        fake = FakeGateway()
        with pytest.raises(CliError) as raised:
            await inquire(fake, InquireOptions(CASE, source, out))
        assert raised.value.code == "OUTPUT_NOT_WRITABLE"
        assert fake.requests == 0
    assert sorted(os.listdir(tmp_path)) == ["s.csv", "somedir"]
    assert os.listdir(tmp_path / "somedir") == []


# --- 4. the progress file ----------------------------------------------------------------------


def profile(subject_id: str) -> dict[str, Any]:
    return {"subject": {"kind": "NATURAL", "id": subject_id, "name": None}, "sources": []}


def progress_file(path: Path, *lines: str) -> Path:
    header = json.dumps({"case": CASE, "version": 1}, ensure_ascii=False)
    path.write_text("\n".join([header, *lines]), encoding="utf-8")
    return path


def batch_line(*ids: str) -> str:
    return json.dumps({"profiles": [profile(i) for i in ids], "bad": {}}, ensure_ascii=False)


def test_a_torn_last_line_is_cut_and_the_next_batch_starts_a_line_of_its_own(tmp_path: Path):
    torn = batch_line(DEBTORS[1])[:30]
    path = progress_file(tmp_path / "p", batch_line(DEBTORS[0]), torn)
    progress = Progress(path, CASE)
    progress.load(restart=False)
    assert set(progress.profiles) == {f"natural:{DEBTORS[0]}"}
    progress.record([profile(DEBTORS[2])], {})
    again = Progress(path, CASE)
    again.load(restart=False)
    assert set(again.profiles) == {f"natural:{d}" for d in (DEBTORS[0], DEBTORS[2])}
    assert path.read_text(encoding="utf-8").endswith("\n")
    assert len(path.read_text(encoding="utf-8").splitlines()) == 3


def test_a_line_glued_after_a_tear_by_an_earlier_version_is_read(tmp_path: Path):
    glued = batch_line(DEBTORS[1])[:30] + batch_line(DEBTORS[2])
    path = progress_file(tmp_path / "p", batch_line(DEBTORS[0]), glued, batch_line(DEBTORS[3]))
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    progress = Progress(path, CASE)
    progress.load(restart=False)
    assert set(progress.profiles) == {f"natural:{d}" for d in (DEBTORS[0], DEBTORS[2], DEBTORS[3])}


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (b"not json\n", 1),
        (b'["a list"]\n', 1),
        (b'{"case": null, "version": 1}\n', 1),
        (b"\xff\xfe\n", 1),
        (b'{"case": "C", "version": 1}\n{"profiles": [{}], "bad": {}}\n', 2),
        (b'{"case": "C", "version": 1}\n{"bad": {}}\n', 2),
        (b'{"case": "C", "version": 1}\n[1, 2]\n{"profiles": [], "bad": {}}\n', 2),
        (b'{"case": "C", "version": 1}\n{"profiles": [], "bad": {"k": {"x": 1}}}\n', 2),
        ('{"case": "C", "version": 1}\n\xff\n'.encode("latin-1"), 2),
    ],
)
def test_a_damaged_progress_file_is_a_coded_error(tmp_path: Path, content: bytes, line: int):
    path = tmp_path / "r.xlsx.progress"
    path.write_bytes(content.replace(b'"C"', json.dumps(CASE).encode()))
    with pytest.raises(CliError) as raised:
        Progress(path, CASE).load(restart=False)
    assert raised.value.code == "PROGRESS_DAMAGED"
    message = raised.value.message
    assert str(path) in message
    assert f"line {line} " in message
    assert f"第 {line} 行" in message
    assert "Delete the file" in message


def test_an_empty_progress_file_starts_over(tmp_path: Path):
    path = tmp_path / "r.xlsx.progress"
    for content in (b"", b'{"case": "(20'):
        path.write_bytes(content)
        progress = Progress(path, CASE)
        progress.load(restart=False)
        assert progress.profiles == {}
        assert json.loads(path.read_text(encoding="utf-8").splitlines()[0])["case"] == CASE


# --- 5. formulas without values ------------------------------------------------------------------


def test_a_formula_without_a_stored_value_is_a_bad_row(tmp_path: Path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["证件号码", "姓名"])
    sheet.append([DEBTORS[0], "甲"])
    sheet.append([f'="{DEBTORS[1]}"', "乙"])  # openpyxl stores no value with a formula
    sheet.append([DEBTORS[2], "=A2"])
    book.save(tmp_path / "s.xlsx")
    rows = read_rows(tmp_path / "s.xlsx")
    assert [r.line for r in rows] == [2, 3, 4]
    debtors = {parse_subject(SubjectKind.NATURAL, d).key for d in DEBTORS}
    subjects, bad = plan(rows, debtors)
    assert [s.id for s in subjects] == [DEBTORS[0]]
    assert [(b.line, b.code) for b in bad] == [
        (3, "FORMULA_WITHOUT_VALUE"),
        (4, "FORMULA_WITHOUT_VALUE"),
    ]
    assert bad[0].text.startswith(f'="{DEBTORS[1]}"')
    assert "save the file in Excel" in bad[0].reason
    assert "Excel 中" in bad[0].reason


def test_an_id_typed_as_a_number_is_a_bad_row_however_it_reads(tmp_path: Path):
    """Excel keeps 15 digits of a number: an 18-digit ID typed as one has lost its last digits,
    and what is left may pass the check digit as someone else. A 15-digit old ID number, and
    text, are kept whole."""
    old = "320812820315125"  # 15 digits: exact as a number
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["证件号码", "姓名"])
    sheet.append([int(DEBTORS[0]), "甲"])  # as Excel would show it, still a number
    sheet.append([float(DEBTORS[1]), "乙"])
    sheet.append([DEBTORS[2], "丙"])
    sheet.append([int(old), "丁"])
    book.save(tmp_path / "s.xlsx")
    rows = read_rows(tmp_path / "s.xlsx")
    assert [(r.line, r.problem) for r in rows] == [
        (2, "ID_AS_NUMBER"),
        (3, "ID_AS_NUMBER"),
        (4, None),
        (5, None),
    ]
    debtors = {parse_subject(SubjectKind.NATURAL, d).key for d in [*DEBTORS, old]}
    subjects, bad = plan(rows, debtors)
    assert [s.id for s in subjects] == [DEBTORS[2], parse_subject(SubjectKind.NATURAL, old).id]
    assert [(b.line, b.code) for b in bad] == [(2, "ID_AS_NUMBER"), (3, "ID_AS_NUMBER")]
    assert "format the column as text" in bad[0].reason
    assert "文本格式" in bad[0].reason


# --- 6. what crashed ------------------------------------------------------------------------------


def test_a_csv_field_over_the_csv_modules_limit_is_a_bad_row(tmp_path: Path):
    limit = csv.field_size_limit()
    source = write_csv(tmp_path / "s.csv", [[DEBTORS[0], "名" * 140000], [DEBTORS[1], ""]])
    rows = read_rows(source)
    assert csv.field_size_limit() == limit
    debtors = {parse_subject(SubjectKind.NATURAL, d).key for d in DEBTORS}
    subjects, bad = plan(rows, debtors)
    assert [s.id for s in subjects] == [DEBTORS[1]]
    assert [(b.line, b.code) for b in bad] == [(2, "INVALID_INPUT")]


async def test_the_token_is_trimmed_and_a_malformed_one_refused_unprinted():
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        return httpx.Response(200, json={"data": {}})

    async with httpx.AsyncClient(
        base_url="http://gateway.test", transport=httpx.MockTransport(handle)
    ) as client:
        await GatewayClient(client, " tok.en-1\n").graphql("{ x }", {})
        assert seen == ["Bearer tok.en-1"]
        for token in ("秘钥ABC", "Zq\x00Zq", "Zq\nZq", " \n"):
            with pytest.raises(CliError) as raised:
                GatewayClient(client, token)
            assert raised.value.code == "INVALID_TOKEN"
            assert "ABC" not in raised.value.message
            assert "Zq" not in raised.value.message


async def test_a_non_ascii_token_is_a_coded_error_of_the_command(tmp_path: Path):
    source = write_csv(tmp_path / "s.csv", [[DEBTORS[0], ""]])
    process = await asyncio.to_thread(
        run_cli,
        "inquire",
        "--case",
        CASE,
        "--file",
        str(source),
        "--out",
        str(tmp_path / "r.xlsx"),
        cwd=tmp_path,
        env={"CHAKONG_TOKEN": "秘钥ABC"},
    )
    assert process.returncode == 1
    text = process.stderr
    assert text.startswith("INVALID_TOKEN: ")
    assert "Traceback" not in text
    assert "秘钥ABC" not in text


def test_a_malformed_url_is_a_coded_error():
    assert check_url("http://127.0.0.1:8000") == "http://127.0.0.1:8000"
    for url in ("http://[::1", "ftp://host/", "127.0.0.1:8000", "http://"):
        with pytest.raises(CliError) as raised:
            check_url(url)
        assert raised.value.code == "INVALID_URL"
        assert " / " in raised.value.message


# --- 7. the case number in its normal form -------------------------------------------------------


def test_a_case_number_typed_full_width_is_the_same_case(tmp_path: Path):
    path = progress_file(tmp_path / "p", batch_line(DEBTORS[0]))
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    progress = Progress(path, "（２０２６）苏０８１２执１２３号")
    progress.load(restart=False)
    assert set(progress.profiles) == {f"natural:{DEBTORS[0]}"}
    with pytest.raises(CliError) as raised:
        Progress(path, "(2026)苏0812执124号").load(restart=False)
    assert raised.value.code == "PROGRESS_MISMATCH"


# --- 8. the write --------------------------------------------------------------------------------


async def test_writing_the_workbook_is_shown(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    source = write_csv(tmp_path / "s.csv", [[d, ""] for d in DEBTORS] + [["bad", ""]])
    out = tmp_path / "r.xlsx"
    told: list[tuple[str, int]] = []

    def writing(total: int) -> Callable[[int], None]:
        told.append(("total", total))
        return lambda n: told.append(("rows", n))

    await inquire(FakeGateway(), InquireOptions(CASE, source, out), writing=writing)
    assert told[0] == ("total", len(DEBTORS) + 1)  # a status per debtor, and the bad row
    assert sum(n for what, n in told[1:] if what == "rows") == len(DEBTORS) + 1

    # without a callback (the command as cli.py runs it), a line says what is going on
    capsys.readouterr()
    await inquire(FakeGateway(), InquireOptions(CASE, source, out, restart=True))
    assert f"writing {out} ({len(DEBTORS) + 1} rows)" in capsys.readouterr().err


def test_each_amount_has_its_currency_beside_it(tmp_path: Path):
    sheets = Sheets(SCHEMA)
    sheets.add(
        {
            "subject": {"id": DEBTORS[0], "name": "张三"},
            "sources": [],
            "bank": {
                "deposits": [
                    {"bank": "中国银行", "currency": "USD", "amount": "100.00"},
                    {"bank": "中国银行", "currency": "CNY", "amount": "2.50"},
                ],
                "freezes": [{"bank": "中国银行", "frozenAmount": "7.00"}],
            },
            "police": {"vehicles": [{"plate": "苏H·A1234"}]},
        }
    )
    sheets.write(tmp_path / "r.xlsx", CASE)
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(tmp_path / "r.xlsx").worksheets[0]]
    assert rows[0][5:7] == ["金额 Amount", "币种 Currency"]
    assert [(r[5], r[6]) for r in rows[1:]] == [
        (None, None),  # the vehicle (police comes first): no amount, no currency
        (100, "USD"),  # a dollar deposit is never summed as yuan
        (2.5, "CNY"),
        (7, "CNY"),  # no currency in the record: yuan, as the agency contract says
    ]
