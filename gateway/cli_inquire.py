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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
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
from gateway.domain.errors import InvalidSubjectError
from gateway.domain.sources import SourceStatus
from gateway.domain.subjects import Subject, SubjectKind, infer_subject, parse_subject

DEFAULT_URL = "http://127.0.0.1:8000"
DEFAULT_BATCH = 100
SHRINK_CODES = {"BATCH_TOO_LARGE", "COST_LIMIT_EXCEEDED"}
PROGRESS_VERSION = 1

# the status labels the report prints, here for the spreadsheet
STATUS_ZH = {
    SourceStatus.OK.name: "已反馈",
    SourceStatus.NOT_FOUND.name: "查无此人",
    SourceStatus.TIMEOUT.name: "超时",
    SourceStatus.UNAVAILABLE.name: "暂不可用",
    SourceStatus.CIRCUIT_OPEN.name: "暂停调用",
    SourceStatus.REJECTED.name: "被拒绝",
    SourceStatus.ERROR.name: "响应异常",
    SourceStatus.NOT_APPLICABLE.name: "不适用",
    SourceStatus.NOT_CONFIGURED.name: "尚未接入",
}


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
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
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


@dataclass(frozen=True, slots=True)
class Row:
    """One row of the subjects file: its line number and cells."""

    line: int
    id: str
    name: str | None
    kind: str | None

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
        table = _xlsx_cells(path)
    elif suffix in (".csv", ".txt"):
        table = _csv_cells(path)
    else:
        raise CliError("UNSUPPORTED_FILE", f"仅支持 .csv 与 .xlsx / only .csv and .xlsx: {path}")
    return list(_rows(table))


def _csv_cells(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise CliError("UNSUPPORTED_FILE", f"无法识别文件编码 / unknown encoding: {path}")
    return [[_cell(c) for c in row] for row in csv.reader(io.StringIO(text))]


def _xlsx_cells(path: Path) -> list[list[str]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise CliError("UNSUPPORTED_FILE", f"无法读取 / cannot read {path}: {exc}") from None
    try:
        sheet = book.worksheets[0]
        return [[_cell(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _rows(table: list[list[str]]) -> Iterator[Row]:
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
        yield Row(number, at(cells, "id") or "", at(cells, "name"), at(cells, "kind"))


def parse_row(row: Row) -> Subject:
    """The row's subject; ``InvalidSubjectError`` with the gateway's own bilingual message."""
    if not row.id:
        raise InvalidSubjectError("缺少证件号码", "no ID number or credit code")
    if row.kind:
        kinds = {"natural": SubjectKind.NATURAL, "自然人": SubjectKind.NATURAL}
        kinds |= {"legal": SubjectKind.LEGAL, "法人": SubjectKind.LEGAL}
        kind = kinds.get(row.kind.strip().lower())
        if kind is None:
            raise InvalidSubjectError(
                f"类型应为 NATURAL 或 LEGAL：{row.kind}",
                f"kind must be NATURAL or LEGAL: {row.kind}",
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
        return [agency, _zh(description, name), encumbrance, amount, "；".join(details)]

    def write(self, path: Path, case_number: str) -> None:
        """The workbook, written beside ``path`` and moved over it (never half a file)."""
        import openpyxl
        from openpyxl.styles import Font

        book = openpyxl.Workbook()
        first = book.active
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
        for title, header, rows in sheets:
            sheet = book.create_sheet(title)
            sheet.append(header)
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for row in rows:
                sheet.append(row)
            sheet.freeze_panes = "A2"
        book.remove(first)
        book.properties.title = f"{case_number} 批量查询 / batch inquiry"
        partial = path.with_name(path.name + ".partial")
        book.save(partial)
        os.replace(partial, path)


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
        if restart or not self.path.exists():
            self._write_header()
            return
        lines = self.path.read_text(encoding="utf-8").splitlines()
        header = json.loads(lines[0]) if lines else {}
        if header.get("case") != self.case_number or header.get("version") != PROGRESS_VERSION:
            raise CliError(
                "PROGRESS_MISMATCH",
                f"{self.path} 属于另一次查询（案号 {header.get('case')}）；加 --restart 重新开始 / "
                f"belongs to another run (case {header.get('case')}): add --restart to start over",
            )
        for line in lines[1:]:
            try:
                batch = json.loads(line)
            except ValueError:
                break  # the last line of an interrupted write: its batch is asked again
            for profile in batch.get("profiles", []):
                subject = profile["subject"]
                self.profiles[self.key(subject["kind"], subject["id"])] = profile
            for key, bad in batch.get("bad", {}).items():
                self.bad[key] = BadRow(**bad)

    def _write_header(self) -> None:
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


def plan(rows: Iterable[Row], debtors: set[str]) -> tuple[list[Subject], list[BadRow]]:
    """The subjects to ask about, in file order, and the rows that cannot be asked about."""
    subjects: dict[str, Subject] = {}
    bad = []
    for row in rows:
        try:
            subject = parse_row(row)
        except InvalidSubjectError as exc:
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
) -> InquireResult:
    """Ask about every debtor of the file not done yet; write the workbook at the end.

    ``started(total, done)`` is told the work before the first batch and returns what to call
    with the number of subjects each batch finished (the progress bar)."""
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
    sheets.write(options.out, options.case_number)
    return InquireResult(
        asked=len(subjects) - skipped,
        skipped=skipped,
        bad=len(sheets.bad),
        assets=len(sheets.assets),
    )


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


def _refused_subject(exc: CliError, batch: Sequence[Subject]) -> Subject | None:
    """The subject a refusal names (``subjects[3]`` in NOT_A_DEBTOR), if one does."""
    if exc.code != "NOT_A_DEBTOR":
        return None
    found = _POSITION.search(exc.message)
    if found is None:
        return batch[0] if len(batch) == 1 else None
    index = int(found[1])
    return batch[index] if index < len(batch) else None


def _same(row: Row, subject: Subject) -> bool:
    try:
        return parse_row(row).key == subject.key
    except InvalidSubjectError:
        return False
