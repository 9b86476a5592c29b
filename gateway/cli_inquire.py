"""``chakong inquire`` and ``chakong report``: court staff's commands, clients of a running gateway.

Both talk to a gateway over HTTP with the caller's own bearer token, exactly as a court system
does: the gateway checks the case and the debtors, audits every inquiry and applies its limits.
Nothing runs in process, so a clerk's machine needs no agency settings and no keys.

``inquire`` reads debtors from a CSV or XLSX file, asks the gateway in ``debtors`` batches and
writes one spreadsheet: a row per asset, a sheet of each agency's status per debtor, and a sheet
of the rows it could not ask about, each with a coded reason. Progress is kept beside the output
(``results.xlsx.progress``, one JSON line per finished batch): after an interruption the same
command skips the debtors already asked about. A batch's size starts at ``--batch``; the gateway's
BATCH_TOO_LARGE tells its limit, which the batches then keep to, and COST_LIMIT_EXCEEDED halves
them; RATE_LIMITED waits as told.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
import sys
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import zip_longest
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    get_named_type,
)

from connectors.registry import AGENCIES
from gateway.domain.cases import parse_case_number
from gateway.domain.errors import InvalidCaseNumberError, InvalidSubjectError
from gateway.domain.inputs import InvalidTextError, check_text, fold_identifier, printable
from gateway.domain.sources import STATUS_LABELS
from gateway.domain.subjects import Subject, SubjectKind, echoed, infer_subject, parse_subject

DEFAULT_URL = "http://127.0.0.1:8000"
DEFAULT_BATCH = 100
SHRINK_CODES = {"BATCH_TOO_LARGE", "COST_LIMIT_EXCEEDED"}
PROGRESS_VERSION = 1

# the status labels the report prints, here for the spreadsheet
STATUS_ZH = {status.name: zh for status, (zh, _) in STATUS_LABELS.items()}


class CliError(Exception):
    """A coded failure of the whole command (not of one row): printed, exit status 1."""

    def __init__(self, code: str, message: str, *, limit: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.limit = limit  # the gateway's own limit, where its refusal tells it


# --- the gateway, over HTTP --------------------------------------------------------------------


class GatewayClient:
    """GraphQL (and the report) over HTTP with a bearer token; coded errors as ``CliError``."""

    def __init__(self, client: httpx.AsyncClient, token: str, *, max_waits: int = 5) -> None:
        check_url(str(client.base_url))
        self.client = client
        self.headers = {"Authorization": f"Bearer {bearer_token(token)}"} if token else {}
        self.max_waits = max_waits

    async def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        for _ in range(self.max_waits + 1):
            response = await self.client.post(
                "/graphql",
                json={"query": query, "variables": variables},
                headers={**self.headers, "Accept": "application/json"},
            )
            if response.status_code == 429:
                await asyncio.sleep(min(60.0, float(response.headers.get("retry-after", "1"))))
                continue
            body = _json(response)
            errors = body.get("errors") or []
            if errors:
                raise error_of(errors[0], response.status_code)
            data: dict[str, Any] = body.get("data") or {}
            return data
        raise CliError("RATE_LIMITED", "网关持续限流 / the gateway keeps rate-limiting us")

    async def get(self, path: str, params: dict[str, str]) -> httpx.Response:
        response = await self.client.get(path, params=params, headers=self.headers)
        if response.status_code != 200:
            body = _json(response)
            errors = body.get("errors") or [{"message": response.text[:200]}]
            raise error_of(errors[0], response.status_code)
        return response


def bearer_token(token: str) -> str:
    """``token`` without surrounding whitespace (a trailing newline of ``$(cat token.txt)``);
    ``CliError`` if what is left is empty or not printable ASCII, the only text an HTTP header
    carries. The token itself is never part of the message: it is a credential."""
    stripped = token.strip()
    if not stripped or not (stripped.isascii() and stripped.isprintable()):
        raise CliError(
            "INVALID_TOKEN",
            "令牌（--token 或 CHAKONG_TOKEN）为空，或含有控制字符或非 ASCII 字符；请重新复制完整"
            "的令牌（令牌内容不予显示） / the token (--token or CHAKONG_TOKEN) is empty or holds "
            "control or non-ASCII characters: copy the whole token again (it is not shown here)",
        )
    return stripped


def url_problem(url: str) -> tuple[str, str] | None:
    """Why ``url`` cannot be the gateway's (or an agency's) base URL, (Chinese, English);
    ``None`` when it can: an http(s) URL with a host. The URL itself is never quoted: it may
    hold a password."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        # httpx's reason names the part it could not parse; with a user and password in the
        # URL that part might be the password's
        reason = "" if "@" in url else f" ({exc})"
        return "地址无法解析" + reason, "the URL cannot be parsed" + reason
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return (
            "地址应为 http:// 或 https:// 加主机名",
            "the URL must be http:// or https:// and a host",
        )
    return None


def check_url(url: str) -> str:
    """``url`` if it can be the gateway's base URL (``url_problem``); ``CliError`` INVALID_URL
    otherwise. The URL itself is not shown."""
    problem = url_problem(url)
    if problem is not None:
        zh, en = problem
        raise CliError(
            "INVALID_URL",
            f"网关地址无效：{zh}；应如 http://127.0.0.1:8000（--url 或 CHAKONG_URL） / not a "
            f"valid gateway URL: {en}; expected e.g. http://127.0.0.1:8000 (--url or "
            "CHAKONG_URL)",
        )
    return url


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise CliError(
            f"HTTP_{response.status_code}",
            f"网关的答复不是 JSON / the gateway's answer is not JSON: {response.text[:200]}",
        ) from None
    return body if isinstance(body, dict) else {}


def error_of(error: dict[str, Any], status: int) -> CliError:
    extensions = error.get("extensions") or {}
    code = str(extensions.get("code") or f"HTTP_{status}")
    limit = extensions.get("limit")
    told = limit if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0 else None
    return CliError(code, str(error.get("message", "")), limit=told)


# --- the subjects file -------------------------------------------------------------------------

_ID_HEADERS = {"id", "subject", "证件号码", "证件号", "身份证号码", "身份证号", "统一社会信用代码"}
_NAME_HEADERS = {"name", "姓名", "名称", "被执行人", "被执行人姓名", "被执行人名称"}
_KIND_HEADERS = {"kind", "类型", "主体类型"}


# a cell of an XLSX file that holds a formula but no value Excel computed and stored with it (a
# file written by a program): openpyxl cannot compute it, so the row cannot be read
FORMULA_WITHOUT_VALUE = "FORMULA_WITHOUT_VALUE"
# an ID cell that holds a number of more than 15 digits: Excel keeps 15 significant digits, so
# the last ones are lost, and the number left may even pass the check digit as another person
ID_AS_NUMBER = "ID_AS_NUMBER"
_ROW_PROBLEMS = {
    FORMULA_WITHOUT_VALUE: "公式没有保存的计算结果：请在 Excel 中打开并保存该文件，或直接填写"
    "其值 / a formula without a stored value: save the file in Excel, or type the value",
    ID_AS_NUMBER: "证件号码单元格是数字，Excel 只保留 15 位有效数字，末尾几位已丢失：请将该列设为"
    "文本格式后重新填写 / the ID cell holds a number, of which Excel keeps 15 digits, so its last "
    "digits are lost: format the column as text and type the ID again",
}


@dataclass(frozen=True, slots=True)
class Row:
    """One row of the subjects file: its line number and cells, and ``problem``, the code of
    what makes it unreadable (``FORMULA_WITHOUT_VALUE``) if something does."""

    line: int
    id: str
    name: str | None
    kind: str | None
    problem: str | None = None

    @property
    def text(self) -> str:
        return ", ".join(v for v in (self.id, self.name or "", self.kind or "") if v)


@dataclass(frozen=True, slots=True)
class BadRow:
    line: int
    text: str
    code: str
    reason: str


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed into a spreadsheet: its digits, as far as they go
    return str(value).strip()


def read_rows(path: Path) -> list[Row]:
    """The rows of a CSV (UTF-8, or GB18030 as Excel saves it in China) or XLSX file."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return list(_rows(*_xlsx_cells(path)))
    if suffix in (".csv", ".txt"):
        return list(_rows(_csv_cells(path)))
    raise CliError("UNSUPPORTED_FILE", f"仅支持 .csv 与 .xlsx / only .csv and .xlsx: {path}")


def _csv_cells(path: Path) -> list[list[str]]:
    """The cells; a field longer than the csv module's limit (131,072 characters) is read
    whole and its row refused as bad (no ID number or name is that long), not the file."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise CliError("UNSUPPORTED_FILE", f"无法识别文件编码 / unknown encoding: {path}")
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))
    try:
        return [[_cell(c) for c in row] for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:  # pragma: no cover - a field is as long as the text at most
        raise CliError("UNSUPPORTED_FILE", f"无法读取 / cannot read {path}: {exc}") from None
    finally:
        csv.field_size_limit(limit)


def _xlsx_cells(path: Path) -> tuple[list[list[str]], set[tuple[int, int]], set[tuple[int, int]]]:
    """The cells (the values Excel stored); where a formula has no stored value (such a cell
    holds the formula's text); and where a number has more than 15 digits (positions: row,
    column; from 0)."""
    import openpyxl

    try:
        values = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise CliError("UNSUPPORTED_FILE", f"无法读取 / cannot read {path}: {exc}") from None
    table: list[list[str]] = []
    uncomputed: set[tuple[int, int]] = set()
    long_numbers: set[tuple[int, int]] = set()
    try:
        pairs = zip_longest(
            values.worksheets[0].iter_rows(values_only=True),
            formulas.worksheets[0].iter_rows(values_only=True),
            fillvalue=(),
        )
        for r, (row, written) in enumerate(pairs):
            cells = []
            for c, (value, formula) in enumerate(zip_longest(row, written)):
                text = getattr(formula, "text", formula)  # an array formula: its text
                if value is None and isinstance(text, str) and text.startswith("="):
                    uncomputed.add((r, c))
                    value = text
                if _longer_than_excel_keeps(value):
                    long_numbers.add((r, c))
                cells.append(_cell(value))
            table.append(cells)
    finally:
        values.close()
        formulas.close()
    return table, uncomputed, long_numbers


def _longer_than_excel_keeps(value: object) -> bool:
    """A number of more than 15 digits before its point: Excel kept only 15 of them."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return abs(value) >= 1e15


def _rows(
    table: list[list[str]],
    uncomputed: Container[tuple[int, int]] = (),
    long_numbers: Container[tuple[int, int]] = (),
) -> Iterator[Row]:
    columns = {"id": 0, "name": 1, "kind": 2}
    start = 0
    if table:
        header = [c.lower().replace(" ", "") for c in table[0]]
        found = {
            key: next((i for i, h in enumerate(header) if h in names), None)
            for key, names in (
                ("id", _ID_HEADERS),
                ("name", _NAME_HEADERS),
                ("kind", _KIND_HEADERS),
            )
        }
        if found["id"] is not None:
            columns = {k: -1 if v is None else v for k, v in found.items()}
            start = 1

    def at(cells: list[str], key: str) -> str | None:
        index = columns[key]
        return cells[index] if 0 <= index < len(cells) and cells[index] else None

    for number, cells in enumerate(table[start:], start + 1):
        if not any(cells):
            continue  # blank lines
        used = {i for i in columns.values() if i >= 0}
        problem = (
            FORMULA_WITHOUT_VALUE if any((number - 1, i) in uncomputed for i in used) else None
        )
        if problem is None and (number - 1, columns["id"]) in long_numbers:
            problem = ID_AS_NUMBER
        yield Row(number, at(cells, "id") or "", at(cells, "name"), at(cells, "kind"), problem)


def parse_row(row: Row) -> Subject:
    """The row's subject; ``InvalidSubjectError`` with the gateway's own bilingual message."""
    if not row.id:
        raise InvalidSubjectError("缺少证件号码", "no ID number or credit code")
    if row.kind:
        kinds = {"natural": SubjectKind.NATURAL, "自然人": SubjectKind.NATURAL}
        kinds |= {"legal": SubjectKind.LEGAL, "法人": SubjectKind.LEGAL}
        kind = kinds.get(row.kind.strip().lower())
        if kind is None:
            shown = echoed(row.kind)
            raise InvalidSubjectError(
                f"类型应为 NATURAL 或 LEGAL：{shown}",
                f"kind must be NATURAL or LEGAL: {shown}",
            )
        return parse_subject(kind, row.id, row.name)
    return infer_subject(row.id, row.name)


# --- the query ---------------------------------------------------------------------------------

CASE_QUERY = """
query Case($case: String!) {
  case(caseNumber: $case) { caseNumber status parties { role subject { kind id name } } }
}
"""


def _selection(kind: GraphQLObjectType, depth: int = 0) -> str:
    """Every field of ``kind`` (and of the objects below it): what a spreadsheet shows."""
    parts = []
    for name, found in kind.fields.items():
        if any(arg.type.__class__ is GraphQLNonNull for arg in found.args.values()):
            continue
        named = get_named_type(found.type)
        if isinstance(named, GraphQLObjectType):
            if depth < 4:
                parts.append(f"{name} {{ {_selection(named, depth + 1)} }}")
        else:
            parts.append(name)
    return " ".join(parts)


def agency_type(schema: GraphQLSchema, agency: str) -> GraphQLObjectType:
    """The type of ``DebtorProfile.<agency>``: that agency's records."""
    profile = schema.type_map["DebtorProfile"]
    named = (
        get_named_type(profile.fields[agency].type)
        if isinstance(profile, GraphQLObjectType)
        else None
    )
    if not isinstance(named, GraphQLObjectType):
        raise TypeError(f"DebtorProfile.{agency} is not an object type")
    return named


def debtors_query(schema: GraphQLSchema) -> str:
    """``debtors`` with the subject, each agency's status and every record field (no leads)."""
    agencies = [
        f"{spec.name} {{ {_selection(agency_type(schema, spec.name))} }}" for spec in AGENCIES
    ]
    return (
        "query Batch($subjects: [SubjectInput!]!, $case: String!, $deadline: Int) {\n"
        "  debtors(subjects: $subjects, caseNumber: $case, deadlineMs: $deadline) {\n"
        "    subject { kind id name }\n"
        "    sources { agency status latencyMs cached recordCount message }\n"
        f"    {' '.join(agencies)}\n"
        "  }\n}"
    )


# --- rows of the spreadsheet -------------------------------------------------------------------

_ENCUMBRANCE = re.compile(r"freeze|seizure|mortgage", re.IGNORECASE)
_MONEY = re.compile(r"amount|balance|value|capital|price|cashValue", re.IGNORECASE)


def _zh(description: str | None, fallback: str) -> str:
    return (description or fallback).split(" / ")[0].strip() or fallback


def _listed(kind: GraphQLOutputType) -> bool:
    while isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    return isinstance(kind, GraphQLList)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}: {_text(v)}" for k, v in value.items() if v not in (None, [], ""))
    return "" if value is None else str(value)


def _amount(value: object) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@dataclass(slots=True)
class Sheets:
    """What the spreadsheet holds, row by row."""

    schema: GraphQLSchema
    assets: list[list[Any]] = field(default_factory=list)
    statuses: list[list[Any]] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)

    def add(self, profile: dict[str, Any]) -> None:
        subject = profile["subject"]
        who = [subject["id"], subject.get("name") or ""]
        for source in profile["sources"]:
            status = source["status"]
            spec = AGENCIES.spec(source["agency"])
            self.statuses.append(
                [
                    *who,
                    spec.label_zh,
                    STATUS_ZH.get(status, status),
                    status,
                    source.get("latencyMs"),
                    "是" if source.get("cached") else "否",
                    source.get("recordCount"),
                    source.get("message") or "",
                ]
            )
        for spec in AGENCIES:
            records = profile.get(spec.name)
            if not records:
                continue
            kind = agency_type(self.schema, spec.name)
            for name, value in records.items():
                declared = kind.fields[name]
                item_type = get_named_type(declared.type)
                if not isinstance(item_type, GraphQLObjectType) or not value:
                    continue
                items = value if _listed(declared.type) else [value]
                for item in items:
                    self.assets.append(
                        [
                            *who,
                            *self._asset(
                                spec.label_zh, name, declared.description, item_type, item
                            ),
                        ]
                    )

    def _asset(
        self,
        agency: str,
        name: str,
        description: str | None,
        item_type: GraphQLObjectType,
        item: dict[str, Any],
    ) -> list[Any]:
        details = []
        amount: Decimal | None = None
        for key, value in item.items():
            if value in (None, [], ""):
                continue
            sub = item_type.fields[key]
            if amount is None and _MONEY.search(key) and not isinstance(value, bool):
                amount = _amount(value)
            details.append(f"{_zh(sub.description, key)}: {_text(value)}")
        encumbrance = "是" if _ENCUMBRANCE.search(name) else ""
        # the amount's own currency where the record names one (a deposit in USD), else yuan, as
        # the agency contract has it: a column to sum by, never dollars added to yuan
        currency = (str(item.get("currency") or "") or "CNY") if amount is not None else ""
        return [agency, _zh(description, name), encumbrance, amount, currency, "；".join(details)]

    @property
    def size(self) -> int:
        """The rows ``write`` writes."""
        return len(self.assets) + len(self.statuses) + len(self.bad)

    def write(self, path: Path, case_number: str, advance: Advance = lambda n: None) -> None:
        """The workbook, written beside ``path`` and moved over it (never half a file).

        Streamed (openpyxl's write-only mode): the time goes into the rows as they are added,
        so ``advance`` (told every 500 rows) shows it; saving after them is quick. Every text
        is a string cell, never a formula (``=1+1`` in a name stays ``=1+1``), without the
        characters XML cannot hold (``_cell_text``)."""
        import openpyxl
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        book = openpyxl.Workbook(write_only=True)
        sheets = [
            (
                "财产 Assets",
                [
                    "证件号码 ID",
                    "名称 Name",
                    "协作单位 Agency",
                    "类别 Kind",
                    "权利负担 Encumbrance",
                    "金额 Amount",
                    "币种 Currency",
                    "明细 Details",
                ],
                self.assets,
            ),
            (
                "反馈状态 Statuses",
                [
                    "证件号码 ID",
                    "名称 Name",
                    "协作单位 Agency",
                    "状态 Status",
                    "代码 Code",
                    "耗时ms Time",
                    "缓存 Cached",
                    "记录数 Records",
                    "说明 Message",
                ],
                self.statuses,
            ),
            (
                "问题行 Bad rows",
                ["行号 Line", "内容 Row", "代码 Code", "原因 Reason"],
                [
                    [b.line, b.text, b.code, b.reason]
                    for b in sorted(self.bad, key=lambda b: b.line)
                ],
            ),
        ]
        bold = Font(bold=True)
        pending = 0
        for title, header, rows in sheets:
            sheet = book.create_sheet(title)
            sheet.freeze_panes = "A2"
            titles = [WriteOnlyCell(sheet, value=h) for h in header]
            for cell in titles:
                cell.font = bold
            sheet.append(titles)
            for row in rows:
                cells = []
                for value in row:
                    cell = WriteOnlyCell(sheet, value=_cell_text(value))
                    if isinstance(value, str):
                        cell.data_type = "s"  # a text, even one that starts with "="
                    cells.append(cell)
                sheet.append(cells)
                pending += 1
                if pending == 500:
                    advance(pending)
                    pending = 0
        book.properties.title = _cell_text(f"{case_number} 批量查询 / batch inquiry")
        partial = path.with_name(path.name + ".partial")
        try:
            book.save(partial)
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        advance(pending)


# the control characters XML 1.0 cannot hold (openpyxl refuses them, IllegalCharacterError: its
# ILLEGAL_CHARACTERS_RE) and lone surrogates (not UTF-8): shown as U+FFFD, as messages show them
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
EXCEL_CELL_LIMIT = 32767  # the most characters an Excel cell holds


def _cell_text(value: Any) -> Any:
    """``value`` as a cell may hold it: a text without unwritable characters, cut to what
    Excel shows (a longer cell is refused as damaged when the workbook is opened)."""
    if not isinstance(value, str):
        return value
    text = _UNWRITABLE.sub("\ufffd", value)
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[: EXCEL_CELL_LIMIT - 1] + "…"
    return text


# --- progress ----------------------------------------------------------------------------------


class Progress:
    """The sidecar file: a header line (the case), then one line per finished batch."""

    def __init__(self, path: Path, case_number: str) -> None:
        self.path = path
        self.case_number = case_number
        self.profiles: dict[str, dict[str, Any]] = {}  # by subject key
        self.bad: dict[str, BadRow] = {}  # refused by the gateway, by subject key

    @staticmethod
    def key(kind: str, subject_id: str) -> str:
        return f"{kind.lower()}:{subject_id}"

    def load(self, restart: bool) -> None:
        """The batches an earlier run finished. A last line without its line feed was cut off
        by a crash mid-write: it is cut from the file (its batch is asked again) and the next
        batch starts a line of its own. Any other damage is ``PROGRESS_DAMAGED``, naming the
        file and the line; a file that has no whole line has no batch: it is started again."""
        if restart or not self.path.exists():
            self._write_header()
            return
        data = self.path.read_bytes()
        *lines, torn = data.split(b"\n")
        if not lines:  # empty, or a header cut off: nothing was recorded
            self._write_header()
            return
        header = self._header(lines[0])
        if _case_key(str(header["case"])) != _case_key(self.case_number):
            shown = printable(str(header["case"]))
            raise CliError(
                "PROGRESS_MISMATCH",
                f"{self.path} 属于另一次查询（案号 {shown}）；加 --restart 重新开始 / "
                f"belongs to another run (case {shown}): add --restart to start over",
            )
        for number, line in enumerate(lines[1:], 2):
            if line.strip():
                self._batch(number, line)
        if torn:
            with self.path.open("r+b") as out:
                out.truncate(len(data) - len(torn))
                os.fsync(out.fileno())

    def _header(self, line: bytes) -> dict[str, Any]:
        try:
            header = json.loads(line.decode("utf-8"))
        except ValueError:  # UnicodeDecodeError too
            header = None
        if not isinstance(header, dict) or not isinstance(header.get("case"), str):
            raise self._damaged(1)
        if header.get("version") != PROGRESS_VERSION:
            raise CliError(
                "PROGRESS_MISMATCH",
                f"{self.path} 由另一版本的 chakong 写成；加 --restart 重新开始 / was written by "
                "another version of chakong: add --restart to start over",
            )
        return header

    def _batch(self, number: int, line: bytes) -> None:
        """The batch of line ``number``, into ``profiles`` and ``bad``."""
        try:
            text = line.decode("utf-8")
            try:
                batch = json.loads(text)
            except ValueError:
                # a line cut off by a crash, then continued by a run of an earlier version of
                # this command (it appended after the cut): the whole batch after the cut
                start = text.rfind('{"profiles": ', 1)
                if start < 0:
                    raise
                batch = json.loads(text[start:])
            profiles = {}
            for profile in batch["profiles"]:
                subject = profile["subject"]
                kind, subject_id = subject["kind"], subject["id"]
                if not (isinstance(kind, str) and isinstance(subject_id, str)):
                    raise TypeError(subject)
                for source in profile["sources"]:
                    AGENCIES.spec(source["agency"])  # what the workbook reads of it
                    if not isinstance(source["status"], str):
                        raise TypeError(source)
                profiles[self.key(kind, subject_id)] = profile
            bad = {str(key): _bad_row(row) for key, row in batch["bad"].items()}
        except (ValueError, LookupError, TypeError, AttributeError):
            raise self._damaged(number) from None
        self.profiles.update(profiles)
        self.bad.update(bad)

    def _damaged(self, number: int) -> CliError:
        return CliError(
            "PROGRESS_DAMAGED",
            f"进度文件 {self.path} 第 {number} 行已损坏，无法读取。删除该文件（或加 --restart）即"
            f"从头查询，已查过的被执行人将再次被查询并记入审计 / line {number} of the progress "
            f"file {self.path} is damaged and cannot be read. Delete the file (or add --restart) "
            "to start over: the debtors asked about before are asked (and audited) again",
        )

    def _write_header(self) -> None:
        self.profiles.clear()
        self.bad.clear()
        header = {"case": self.case_number, "version": PROGRESS_VERSION}
        self.path.write_text(json.dumps(header, ensure_ascii=False) + "\n", encoding="utf-8")

    def record(self, profiles: list[dict[str, Any]], bad: dict[str, BadRow]) -> None:
        """One finished batch, on disk before the next is asked."""
        line = {"profiles": profiles, "bad": {k: b.__dict__ for k, b in bad.items()}}
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())
        for profile in profiles:
            subject = profile["subject"]
            self.profiles[self.key(subject["kind"], subject["id"])] = profile
        self.bad.update(bad)


def _bad_row(fields: dict[str, Any]) -> BadRow:
    row = BadRow(**fields)
    if not isinstance(row.line, int) or not all(
        isinstance(v, str) for v in (row.text, row.code, row.reason)
    ):
        raise TypeError(fields)
    return row


def _case_key(case_number: str) -> str:
    """A case number in its normal form: ``（２０２６）苏0812执123号`` is ``(2026)苏0812执123号``,
    as the gateway reads them; a number it would refuse, folded (NFKC, no whitespace)."""
    try:
        return parse_case_number(case_number).canonical
    except InvalidCaseNumberError:
        return fold_identifier(case_number)


# --- the run -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InquireOptions:
    case_number: str
    source: Path
    out: Path
    batch: int = DEFAULT_BATCH
    deadline_ms: int | None = None
    restart: bool = False


@dataclass(frozen=True, slots=True)
class InquireResult:
    asked: int  # subjects asked about in this run
    skipped: int  # already done in an earlier run
    bad: int
    assets: int


Advance = Callable[[int], None]


async def case_debtors(gateway: GatewayClient, case_number: str) -> set[str]:
    data = await gateway.graphql(CASE_QUERY, {"case": case_number})
    case = data.get("case")
    if case is None:
        raise CliError(
            "CASE_NOT_REGISTERED",
            f"案件未登记：{case_number} / the case is not in the case register: {case_number}",
        )
    return {
        Progress.key(p["subject"]["kind"], p["subject"]["id"])
        for p in case["parties"]
        if p["role"] == "DEBTOR"
    }


_CELLS = (
    ("id", "证件号码", "the ID number"),
    ("name", "名称", "the name"),
    ("kind", "类型", "the kind"),
)


def plan(rows: Iterable[Row], debtors: set[str]) -> tuple[list[Subject], list[BadRow]]:
    """The subjects to ask about, in file order, and the rows that cannot be asked about."""
    subjects: dict[str, Subject] = {}
    bad = []
    for row in rows:
        if row.problem is not None:
            bad.append(BadRow(row.line, row.text, row.problem, _ROW_PROBLEMS[row.problem]))
            continue
        try:
            # what the gateway would refuse in the whole batch (INVALID_TEXT), refused here
            for value, zh, en in _CELLS:
                check_text(getattr(row, value) or "", zh, en)
            subject = parse_row(row)
        except (InvalidTextError, InvalidSubjectError) as exc:
            bad.append(BadRow(row.line, row.text, exc.code, str(exc)))
            continue
        if subject.key in subjects:
            bad.append(
                BadRow(row.line, row.text, "DUPLICATE", "重复的被执行人 / a repeated subject")
            )
        elif subject.key not in debtors:
            bad.append(
                BadRow(
                    row.line,
                    row.text,
                    "NOT_A_DEBTOR",
                    f"{subject.masked_id} 不是本案的被执行人 / is not a debtor of this case",
                )
            )
        else:
            subjects[subject.key] = subject
    return list(subjects.values()), bad


async def run_inquire(
    gateway: GatewayClient,
    options: InquireOptions,
    schema: GraphQLSchema,
    *,
    started: Callable[[int, int], Advance] = lambda total, done: lambda n: None,
    writing: Callable[[int], Advance] | None = None,
) -> InquireResult:
    """Ask about every debtor of the file not done yet; write the workbook at the end.

    ``started(total, done)`` is told the work before the first batch and returns what to call
    with the number of subjects each batch finished (the progress bar). ``writing(rows)`` is
    told the rows of the workbook before they are written (seconds for thousands of debtors)
    and returns what to call with the number of rows written; without it, a line on standard
    error says that the workbook is being written."""
    check_output(options.source, options.out)
    rows = read_rows(options.source)
    debtors = await case_debtors(gateway, options.case_number)
    subjects, bad_rows = plan(rows, debtors)
    progress = Progress(options.out.with_name(options.out.name + ".progress"), options.case_number)
    progress.load(options.restart)
    pending = [s for s in subjects if s.key not in progress.profiles and s.key not in progress.bad]
    skipped = len(subjects) - len(pending)
    advance = started(len(subjects), skipped)
    query = debtors_query(schema)
    size = max(1, options.batch)
    while pending:
        batch = pending[:size]
        variables: dict[str, Any] = {
            "subjects": [{"kind": s.kind.name, "id": s.id, "name": s.name} for s in batch],
            "case": options.case_number,
            "deadline": options.deadline_ms,
        }
        try:
            data = await gateway.graphql(query, variables)
        except CliError as exc:
            if exc.code in SHRINK_CODES and size > 1:
                # the gateway's own limit where it tells it (BATCH_TOO_LARGE), else half
                size = min(exc.limit, size - 1) if exc.limit is not None else max(1, size // 2)
                continue
            refused = _refused_subject(exc, batch)
            if refused is None:
                raise
            # the case changed since it was read: that row is bad, the batch goes on without it
            line = next((r.line for r in rows if _same(r, refused)), 0)
            row_bad = BadRow(line, refused.id, exc.code, exc.message)
            progress.record([], {refused.key: row_bad})
            pending.remove(refused)
            advance(1)
            continue
        progress.record(list(data["debtors"]), {})
        pending = pending[len(batch) :]
        advance(len(batch))
    sheets = Sheets(schema)
    for subject in subjects:
        if subject.key in progress.profiles:
            sheets.add(progress.profiles[subject.key])
    sheets.bad = [*bad_rows, *progress.bad.values()]
    told = (writing or _announce(options.out))(sheets.size)
    sheets.write(options.out, options.case_number, told)
    return InquireResult(
        asked=len(subjects) - skipped,
        skipped=skipped,
        bad=len(sheets.bad),
        assets=len(sheets.assets),
    )


def _announce(out: Path) -> Callable[[int], Advance]:
    def writing(total: int) -> Advance:
        print(
            f"正在写入 {out}（{total} 行）… / writing {out} ({total} rows)…",
            file=sys.stderr,
            flush=True,
        )
        return lambda n: None

    return writing


def check_output(source: Path, out: Path) -> None:
    """``CliError`` unless the workbook (and its progress file beside it) can be written without
    touching the subjects file: checked before anybody is asked about, so that a wrong
    ``--out`` costs no inquiry (each one is audited)."""
    siblings = (out, out.with_name(out.name + ".progress"), out.with_name(out.name + ".partial"))
    if any(_same_file(source, path) for path in siblings):
        raise CliError(
            "OUTPUT_IS_INPUT",
            f"--out 与 --file 是同一个文件，结果会覆盖被执行人名单：请另取文件名 / --out is the "
            f"subjects file itself ({source}): the results would replace it; choose another name",
        )
    directory = out.parent
    if out.is_dir():
        problem = ("是一个目录", "is a directory")
    elif not directory.is_dir():
        problem = ("所在目录不存在", "is in a directory that does not exist")
    elif not os.access(directory, os.W_OK | os.X_OK):
        problem = ("所在目录不可写", "is in a directory that cannot be written")
    elif any(p.exists() and not os.access(p, os.W_OK) for p in siblings[1:]):
        problem = ("的进度文件不可写", "has a progress file that cannot be written")
    else:
        return
    raise CliError(
        "OUTPUT_NOT_WRITABLE",
        f"无法写入结果工作簿 {out}：{problem[0]}；尚未查询任何人 / cannot write the results "
        f"workbook {out}: it {problem[1]}; nobody has been asked about",
    )


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except OSError:  # a path that cannot be resolved is no file we read
        return False


async def fetch_report(
    gateway: GatewayClient, case_number: str, subject: str, kind: str | None, fmt: str
) -> tuple[bytes, str]:
    """The report's bytes and the file name the gateway gives it."""
    params = {"case": case_number, "subject": subject, "format": fmt}
    if kind:
        params["kind"] = kind
    response = await gateway.get("/report", params)
    disposition = response.headers.get("content-disposition", "")
    found = re.search(r"filename\*=UTF-8''([^;]+)", disposition)
    name = unquote(found[1]) if found else f"chakong-report.{fmt}"
    return response.content, Path(name).name  # a name, never a path


_POSITION = re.compile(r"subjects\[([0-9]+)\]")


# refusals of one subject's input, which name its position (``$subjects[49].name``)
_SUBJECT_INPUT_CODES = {"INVALID_TEXT", "INVALID_INPUT", "INVALID_SUBJECT_ID"}


def _refused_subject(exc: CliError, batch: Sequence[Subject]) -> Subject | None:
    """The subject a refusal names (``subjects[3]`` in NOT_A_DEBTOR, ``$subjects[49].name`` in
    INVALID_TEXT), if one does: that row is bad, the others are asked without it."""
    if exc.code not in {"NOT_A_DEBTOR", *_SUBJECT_INPUT_CODES}:
        return None
    found = _POSITION.search(exc.message)
    if found is None:
        return batch[0] if len(batch) == 1 and exc.code == "NOT_A_DEBTOR" else None
    index = int(found[1])
    return batch[index] if index < len(batch) else None


def _same(row: Row, subject: Subject) -> bool:
    try:
        return parse_row(row).key == subject.key
    except InvalidSubjectError:
        return False
