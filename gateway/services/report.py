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

The last section lists the controls of this case on this debtor's assets (freezes, seizures,
deductions, releases, renewals), as the controls service recorded them: what was asked, what the
agency applied, the period, where each stands (an UNKNOWN control is printed as unknown, never as
failed) and the documents it was made under. Another case's controls are never printed, even on
the same debtor's assets: the information belongs to the case it was made in.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import jinja2
from markupsafe import Markup

from connectors.registry import AGENCIES
from gateway.domain.clock import CHINA
from gateway.domain.control_rules import counted_in_units
from gateway.domain.controls import ControlAction, ControlOperation, OperationState
from gateway.domain.errors import ChakongError
from gateway.domain.records import description, documented_properties, record_description
from gateway.domain.register import Case
from gateway.domain.sources import STATUS_LABELS, SourceResult, SourceStatus
from gateway.domain.subjects import Subject, SubjectKind
from gateway.domain.summary import AssetSummary
from gateway.services.audit import AuditEntry
from gateway.services.fanout import SubjectProfile

__all__ = [
    "CONTROL_STATE_LABELS",
    "FONT_DIR",
    "STATUS_LABELS",
    "Report",
    "ReportUnavailableError",
    "ensure_font",
    "font_faces",
    "render_html",
    "render_pdf",
]

_GATEWAY = Path(__file__).resolve().parents[1]
TEMPLATES = _GATEWAY / "report" / "templates"
FONT_DIR = _GATEWAY / "explorer" / "node_modules" / "@fontsource" / "noto-sans-sc"
FONT_WEIGHTS = (400, 700)  # text and headings
FONT_FAMILY = "Noto Sans SC"

# China Standard Time: the courts' clock (no DST, no tz database needed)

CONTROL_STATE_LABELS: dict[OperationState, tuple[str, str]] = {
    OperationState.AWAITING_APPROVAL: ("待第二名法官审批", "awaiting a second judge's approval"),
    OperationState.DECLINED: ("审批未通过（未发送）", "declined, never sent"),
    OperationState.PENDING: ("已登记、发送中", "recorded, being sent"),
    OperationState.APPLIED: ("已执行", "applied"),
    OperationState.REJECTED: ("协作单位拒绝", "rejected by the agency"),
    OperationState.UNKNOWN: (
        "结果未知、待核实（不是失败）",
        "unknown, being reconciled (not failed)",
    ),
}

CONTROL_ACTION_EN = {
    ControlAction.FREEZE: "freeze",
    ControlAction.SEIZE: "seizure",
    ControlAction.DEDUCT: "deduction",
    ControlAction.RELEASE: "release",
    ControlAction.RENEW: "renewal",
}

RELATIONS = {
    "debtor": ("被执行人", "Judgment debtor"),
    "spouse": ("配偶（线索）", "Spouse (lead)"),
    "controlled_enterprise": ("控制企业（线索）", "Controlled enterprise (lead)"),
}

# record lists that are encumbrances on assets: marked in the report
_ENCUMBRANCE = re.compile(r"freeze|seizure|mortgage")


class ReportUnavailableError(ChakongError):
    """The report cannot be produced here (e.g. its font is not installed): nothing was wrong
    with the request."""

    code = "REPORT_UNAVAILABLE"
    http_status = 503


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
    # this case's controls on the debtor's assets, oldest first; None: no controls service here
    controls: tuple[ControlOperation, ...] | None

    @property
    def inquired_at(self) -> datetime.datetime:
        return self.entry.at.astimezone(CHINA)

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


@dataclass(frozen=True, slots=True)
class ControlRow:
    """One control as the report prints it."""

    id: str
    action_zh: str
    action_en: str
    agency_zh: str
    agency_en: str
    asset_id: str
    asset_class_zh: str
    asset_class_en: str
    amount: str  # what was asked ("整项" for a whole asset)
    # what the agency applied, when not what was asked (less, or what "whole" came to)
    applied: str | None
    starts_on: str
    ends_on: str
    state: OperationState
    state_zh: str
    state_en: str
    queue_position: int | None  # a queued seizure (轮候查封): 1 = next in line
    ruling_number: str
    notice_number: str
    recorded_at: str
    updated_at: str
    reference: str | None
    message: str | None


def _split(text: str) -> tuple[str, str]:
    zh, _, en = " ".join(text.split()).partition(" / ")
    return zh, en


def amount_text(value: Decimal) -> str:
    """An amount with separators and two decimal places, or as many as it has: an agency's
    ``0.125`` is printed as such, never rounded to what the GraphQL answer does not say."""
    exponent = value.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{value:,.{places}f}"


def format_value(value: Any) -> str:
    """A record's value as the report prints it: amounts with separators, dates ISO."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return amount_text(value)
    if isinstance(value, datetime.datetime):
        return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
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
            total = _yuan(item.total) + "".join(
                f" + {m.currency} {amount_text(m.amount)}" for m in item.other_currencies
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


def _yuan(value: Decimal) -> str:
    return f"¥{amount_text(value)}"


def _asset_class(agency: str, name: str) -> tuple[str, str]:
    spec = AGENCIES.spec(agency) if agency in AGENCIES else None
    found = None if spec is None else next((c for c in spec.asset_classes if c.name == name), None)
    return (name, name) if found is None else _split(found.description)


def control_row(op: ControlOperation) -> ControlRow:
    """One control, worded for the report."""
    spec = AGENCIES.spec(op.agency) if op.agency in AGENCIES else None
    if op.amount is not None:
        asked = _yuan(op.amount)
    elif op.action in (ControlAction.FREEZE, ControlAction.SEIZE, ControlAction.RELEASE):
        asked = "整项 / whole"
    else:
        asked = "—"
    applied = op.applied_amount
    if applied is None or applied == op.amount:
        shown = None  # applied as asked (or not applied)
    elif counted_in_units(op.asset_class):
        shown = f"{applied:,f} 份 / units"
    else:
        shown = _yuan(applied)
    class_zh, class_en = _asset_class(op.agency, op.asset_class)
    state_zh, state_en = CONTROL_STATE_LABELS[op.state]
    return ControlRow(
        id=op.id,
        action_zh=op.action.label_zh,
        action_en=CONTROL_ACTION_EN[op.action],
        agency_zh=op.agency if spec is None else spec.label_zh,
        agency_en=op.agency if spec is None else spec.label_en,
        asset_id=op.asset_id,
        asset_class_zh=class_zh,
        asset_class_en=class_en,
        amount=asked,
        applied=shown,
        starts_on=format_value(op.starts_on),
        ends_on=format_value(op.until),
        state=op.state,
        state_zh=state_zh,
        state_en=state_en,
        queue_position=op.queue_position,
        ruling_number=op.ruling_number,
        notice_number=op.notice_number,
        recorded_at=format_value(op.created_at),
        updated_at=format_value(op.updated_at),
        reference=op.reference,
        message=op.message,
    )


def control_rows(report: Report) -> tuple[ControlRow, ...] | None:
    """The report's controls, oldest first; None when the gateway has no controls service."""
    if report.controls is None:
        return None
    case = report.case.case_number.canonical
    debtor = report.debtor.subject.key
    # the resolver reads them filtered; checked again here, where they are printed
    return tuple(
        control_row(op)
        for op in report.controls
        if op.case_number == case and op.subject_key == debtor
    )


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
    font: EmbeddedFont | None = None,
    generated_at: datetime.datetime | None = None,
) -> str:
    """The report as one HTML page: ``font_css_url`` links the served font (for a browser),
    ``font`` embeds slices of it from disk (for the PDF)."""
    case = report.case
    debtor_party = case.party(report.debtor.subject.key)
    generated = (generated_at or datetime.datetime.now(datetime.UTC)).astimezone(CHINA)
    template = _environment().get_template("report.html")
    return template.render(
        report=report,
        case=case,
        debtor_name=report.debtor.subject.name or (debtor_party and debtor_party.subject.name),
        sections=sections(report),
        controls=control_rows(report),
        inquired_at=report.inquired_at.strftime("%Y-%m-%d %H:%M:%S"),
        generated_at=generated.strftime("%Y-%m-%d %H:%M:%S"),
        judges="、".join(case.judges) or "—",
        font_css_url=font_css_url,
        # built by font_faces from the package's own CSS, never from the request
        font_face_css=Markup(font.css if font else ""),  # noqa: S704
        font_families=[css_string(f) for f in (font.families if font else (FONT_FAMILY,))],
    )


# --- the font and the PDF -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FontFace:
    """One slice of the font: one weight, one range of characters, one file."""

    index: int  # the slice's number in the package (one per range, shared by the weights)
    weight: int
    file: Path  # the slice's woff file
    ranges: tuple[tuple[int, int], ...]

    @property
    def family(self) -> str:
        # its own family per slice: WeasyPrint names embedded fonts after the family and
        # weight, so slices sharing a name would overwrite each other's glyphs in the PDF
        return f"{FONT_FAMILY} {self.index}"

    def covers(self, codepoints: Iterable[int]) -> bool:
        return any(lo <= cp <= hi for cp in codepoints for lo, hi in self.ranges)

    def css(self) -> str:
        ranges = ",".join(f"U+{lo:x}-{hi:x}" for lo, hi in self.ranges)
        return (
            f"@font-face {{ font-family: '{self.family}'; font-style: normal; "
            f"font-weight: {self.weight}; src: url({self.file.as_uri()}) format('woff'); "
            f"unicode-range: {ranges}; }}"
        )


@dataclass(frozen=True, slots=True)
class EmbeddedFont:
    """What the PDF's page needs: ``@font-face`` rules and the families, in order."""

    css: str
    families: tuple[str, ...]


_FACE = re.compile(r"@font-face\s*\{(.*?)\}", re.DOTALL)
# the woff (zlib) file, not the woff2: WeasyPrint turns either into a TrueType font, and
# rebuilding woff2's transformed glyph table in Python takes ten times as long
_SRC = re.compile(r"url\(\./files/([\w-]+?-(\d+)-\d+-normal\.woff)\)")
_RANGE = re.compile(r"unicode-range:\s*([^;]+);")


def _ranges(text: str) -> tuple[tuple[int, int], ...]:
    found = []
    for part in text.split(","):
        value = part.strip().removeprefix("U+").removeprefix("u+")
        lo, _, hi = value.partition("-")
        if "?" in lo:  # U+4?? wildcards: the whole block
            found.append((int(lo.replace("?", "0"), 16), int(lo.replace("?", "f"), 16)))
        else:
            found.append((int(lo, 16), int(hi or lo, 16)))
    return tuple(found)


@cache
def _faces(font_dir: Path) -> tuple[FontFace, ...]:
    faces = []
    for weight in FONT_WEIGHTS:
        css = (font_dir / f"{weight}.css").read_text(encoding="utf-8")
        for block in _FACE.findall(css):
            src, ranges = _SRC.search(block), _RANGE.search(block)
            if src and ranges:
                file, index = font_dir / "files" / src[1], int(src[2])
                faces.append(FontFace(index, weight, file, _ranges(ranges[1])))
    return tuple(faces)


def ensure_font(font_dir: Path | None = None) -> None:
    """``ReportUnavailableError`` unless the PDF can be printed (its font installed, WeasyPrint
    able to load Pango): checked before the inquiry, so that nobody is asked about for a PDF
    that cannot be printed."""
    font_faces("", font_dir)
    _weasyprint()


def _weasyprint() -> ModuleType:
    """WeasyPrint, imported on first use (loading Pango takes a moment; only the PDF needs it).

    Pango is a system library (Debian: libpango-1.0-0, libpangoft2-1.0-0), not a PyPI package:
    where it is missing, WeasyPrint's import fails with ``OSError``, and a PDF is refused with a
    coded 503 while the HTML report still works. Without HarfBuzz's subsetter
    (libharfbuzz-subset0) WeasyPrint warns at import that a future version will need it, and
    subsets the font with fontTools meanwhile: the PDF is the same, so that warning is dropped."""
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "HarfBuzz-Subset", DeprecationWarning)
            import weasyprint
    except (OSError, ImportError):  # no Pango, or WeasyPrint itself not installed
        raise ReportUnavailableError(
            "打印 PDF 所需的系统库 Pango 未安装（Debian：apt-get install libpango-1.0-0 "
            "libpangoft2-1.0-0）；HTML 报告不受影响",
            "Pango, the system library that prints the PDF, is not installed (Debian: apt-get "
            "install libpango-1.0-0 libpangoft2-1.0-0); the HTML report still works",
        ) from None
    module: ModuleType = weasyprint
    return module


def font_faces(text: str, font_dir: Path | None = None) -> EmbeddedFont:
    """``@font-face`` rules for the slices of the font that ``text`` needs, as ``file:`` URLs.

    ``ReportUnavailableError`` when the font is not installed (``make install``)."""
    try:
        faces = _faces(font_dir or FONT_DIR)
    except OSError:
        faces = ()
    if not faces or not all(f.file.is_file() for f in faces):
        raise ReportUnavailableError(
            "报告所需的中文字体未安装：请运行 make install（或 npm ci --prefix gateway/explorer）",
            "the report's Chinese font is not installed: run make install "
            "(or npm ci --prefix gateway/explorer)",
        )
    codepoints = {ord(c) for c in text}
    needed = [face for face in faces if face.covers(codepoints)]
    families = tuple(dict.fromkeys(face.family for face in needed))
    return EmbeddedFont("\n".join(face.css() for face in needed), families)


def render_pdf(
    report: Report,
    *,
    font_dir: Path | None = None,
    generated_at: datetime.datetime | None = None,
) -> bytes:
    """The report as a PDF (A4), its Chinese in the embedded font. CPU-bound: run it in a
    worker thread."""
    weasyprint = _weasyprint()
    page = render_html(report, generated_at=generated_at)
    font = font_faces(page, font_dir)
    page = render_html(report, font=font, generated_at=generated_at)
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols={"file", "data"})
    document = weasyprint.HTML(string=page, url_fetcher=fetcher, base_url=str(TEMPLATES))
    pdf: bytes = document.write_pdf()
    return pdf
