"""The inquiry report (财产查控报告) for the case file: one debtor's inquiry as HTML and as PDF.

``Report`` holds what one inquiry found (the debtor's profile and its leads' profiles), with the
case it was made in and the audit entry that records it. ``render_html`` turns it into a
printable page (templates in ``gateway/report/templates``); ``render_pdf`` prints that page
with WeasyPrint. Every page of the print carries the case number, the court, the judges, the
time of the inquiry and the audit entry's number in its running header and footer (CSS paged
media margin boxes, which WeasyPrint and Chromium's print both honour).

Chinese needs a font. The page names Noto Sans SC, installed from the npm registry into
``gateway/explorer/node_modules/@fontsource/noto-sans-sc`` (split by Unicode range): a browser
loads it from the gateway's ``font_css_url``; the PDF embeds, read from disk, only the slices
whose range covers a character of the report. Nothing is fetched from anywhere else: the PDF's
URL fetcher accepts ``file:`` and ``data:`` URLs only.

What the report does not know how to find is not made up: the controls applied (freezes,
deductions) are a marked hook until controls are built.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from connectors.registry import AGENCIES
from gateway.domain.records import description, documented_properties, record_description
from gateway.domain.register import Case
from gateway.domain.sources import SourceResult, SourceStatus
from gateway.domain.subjects import Subject, SubjectKind
from gateway.domain.summary import AssetSummary
from gateway.services.audit import AuditEntry
from gateway.services.fanout import SubjectProfile

__all__ = [
    "STATUS_LABELS",
    "Report",
    "render_html",
]

_GATEWAY = Path(__file__).resolve().parents[1]
TEMPLATES = _GATEWAY / "report" / "templates"
FONT_FAMILY = "Noto Sans SC"

# China Standard Time: the courts' clock (no DST, no tz database needed)
CST = datetime.timezone(datetime.timedelta(hours=8), "CST")

STATUS_LABELS: dict[SourceStatus, tuple[str, str]] = {
    SourceStatus.OK: ("已反馈", "answered"),
    SourceStatus.NOT_FOUND: ("查无此人", "not found"),
    SourceStatus.TIMEOUT: ("超时", "timed out"),
    SourceStatus.UNAVAILABLE: ("暂不可用", "unavailable"),
    SourceStatus.CIRCUIT_OPEN: ("暂停调用", "paused after failures"),
    SourceStatus.REJECTED: ("被拒绝", "rejected"),
    SourceStatus.ERROR: ("响应异常", "bad answer"),
    SourceStatus.NOT_APPLICABLE: ("不适用", "not applicable"),
    SourceStatus.NOT_CONFIGURED: ("尚未接入", "not connected"),
}

RELATIONS = {
    "debtor": ("被执行人", "Judgment debtor"),
    "spouse": ("配偶（线索）", "Spouse (lead)"),
    "controlled_enterprise": ("控制企业（线索）", "Controlled enterprise (lead)"),
}

# record lists that are encumbrances on assets: marked in the report
_ENCUMBRANCE = re.compile(r"freeze|seizure|mortgage")


@dataclass(frozen=True, slots=True)
class Report:
    """One inquiry about one debtor of a case, with its leads, as the case file keeps it."""

    case: Case
    debtor: SubjectProfile
    spouse: SubjectProfile | None
    enterprises: tuple[SubjectProfile, ...]
    entry: AuditEntry  # the debtor's inquiry entry: its seq is the report's audit number
    inquirer: str  # who asked: the token's subject (a judge's id, a court system)
    summaries: dict[str, AssetSummary]  # by subject key

    @property
    def inquired_at(self) -> datetime.datetime:
        return self.entry.at.astimezone(CST)

    @property
    def audit_id(self) -> str:
        return f"#{self.entry.seq}"


# --- what the template reads ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class Table:
    title_zh: str
    title_en: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    encumbrance: bool


@dataclass(frozen=True, slots=True)
class AgencySection:
    agency: str
    name_zh: str
    name_en: str
    status: SourceStatus
    status_zh: str
    status_en: str
    latency: str
    cached: bool
    records: int
    message: str | None
    tables: tuple[Table, ...]


@dataclass(frozen=True, slots=True)
class SummaryRow:
    zh: str
    en: str
    count: int
    total: str
    encumbered: int
    complete: bool


@dataclass(frozen=True, slots=True)
class SubjectSection:
    anchor: str
    relation_zh: str
    relation_en: str
    subject: Subject
    kind_zh: str
    agencies: tuple[AgencySection, ...]
    summary: tuple[SummaryRow, ...]


def _split(text: str) -> tuple[str, str]:
    zh, _, en = " ".join(text.split()).partition(" / ")
    return zh, en


def format_value(value: Any) -> str:
    """A record's value as the report prints it: amounts with separators, dates ISO."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, datetime.datetime):
        return value.astimezone(CST).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, tuple | list):
        return "、".join(format_value(v) for v in value) or "—"
    return str(value)


def _table(name: str, doc: str, items: Sequence[Any]) -> Table:
    """One table of records of one class: a column per field and per documented property."""
    cls = type(items[0])
    fields = [f for f in dataclasses.fields(cls) if description(f)]
    props = documented_properties(cls)
    columns = [Column(*_split(description(f) or f.name)) for f in fields]
    columns += [Column(*_split(text)) for _, text in props.values()]
    rows = tuple(
        tuple(format_value(getattr(item, f.name)) for f in fields)
        + tuple(format_value(get(item)) for get, _ in props.values())
        for item in items
    )
    zh, en = _split(doc or record_description(cls))
    return Table(zh, en, tuple(columns), rows, bool(_ENCUMBRANCE.search(name)))


def record_tables(records: Any) -> tuple[Table, ...]:
    """Every non-empty list (or single record) of an agency's records, as a table."""
    tables = []
    for field in dataclasses.fields(records):
        value = getattr(records, field.name)
        items = list(value) if isinstance(value, tuple) else [] if value is None else [value]
        if items and dataclasses.is_dataclass(items[0]):
            tables.append(_table(field.name, description(field) or "", items))
    return tuple(tables)


def _agency(result: SourceResult) -> AgencySection:
    spec = AGENCIES.spec(result.agency)
    zh, en = STATUS_LABELS[result.status]
    latency = "—" if result.latency_ms is None else f"{result.latency_ms:,.0f} ms"
    return AgencySection(
        agency=result.agency,
        name_zh=spec.label_zh,
        name_en=spec.label_en,
        status=result.status,
        status_zh=zh,
        status_en=en,
        latency=latency,
        cached=result.cached,
        records=result.record_count,
        message=result.message,
        tables=() if result.records is None else record_tables(result.records),
    )


def _summary(summary: AssetSummary) -> tuple[SummaryRow, ...]:
    rows = []
    for item in summary.classes:
        zh, en = _split(item.asset_class.description)
        if item.total is None:
            total = "计数 / counted"
        else:
            total = f"¥{item.total:,.2f}" + "".join(
                f" + {m.currency} {m.amount:,.2f}" for m in item.other_currencies
            )
        rows.append(SummaryRow(zh, en, item.count, total, item.encumbered, item.complete))
    return tuple(rows)


def _section(anchor: str, relation: str, profile: SubjectProfile, report: Report) -> SubjectSection:
    zh, en = RELATIONS.get(relation, (relation, relation))
    kind = "自然人" if profile.subject.kind is SubjectKind.NATURAL else "法人或其他组织"
    return SubjectSection(
        anchor=anchor,
        relation_zh=zh,
        relation_en=en,
        subject=profile.subject,
        kind_zh=kind,
        agencies=tuple(_agency(r) for r in profile.results),
        summary=_summary(report.summaries[profile.subject.key]),
    )


def sections(report: Report) -> tuple[SubjectSection, ...]:
    """The debtor first, then each lead: the same layout for each."""
    found = [_section("debtor", "debtor", report.debtor, report)]
    if report.spouse is not None:
        found.append(_section("spouse", "spouse", report.spouse, report))
    for index, enterprise in enumerate(report.enterprises, 1):
        found.append(_section(f"enterprise-{index}", "controlled_enterprise", enterprise, report))
    return tuple(found)


# --- HTML --------------------------------------------------------------------------------------


def css_string(value: object) -> Markup:
    """``value`` as a quoted CSS string, safe inside ``<style>`` (no quote, no ``<`` survives)."""
    out = []
    for char in str(value):
        if char.isalnum() or char in " ()（）-_:.,#/":
            out.append(char)
        else:
            out.append(f"\\{ord(char):06x}")
    return Markup('"' + "".join(out) + '"')  # noqa: S704 - every other character is escaped


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    return env


def render_html(
    report: Report,
    *,
    font_css_url: str | None = None,
    generated_at: datetime.datetime | None = None,
) -> str:
    """The report as one HTML page: ``font_css_url`` links the served font (for a browser)."""
    case = report.case
    debtor_party = case.party(report.debtor.subject.key)
    generated = (generated_at or datetime.datetime.now(datetime.UTC)).astimezone(CST)
    template = _environment().get_template("report.html")
    return template.render(
        report=report,
        case=case,
        debtor_name=report.debtor.subject.name or (debtor_party and debtor_party.subject.name),
        sections=sections(report),
        inquired_at=report.inquired_at.strftime("%Y-%m-%d %H:%M:%S"),
        generated_at=generated.strftime("%Y-%m-%d %H:%M:%S"),
        judges="、".join(case.judges) or "—",
        font_css_url=font_css_url,
        font_face_css="",
        font_families=[css_string(FONT_FAMILY)],
    )
