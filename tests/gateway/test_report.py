"""The inquiry report: ``GET /report`` as HTML and PDF against the mock agencies, the running
header on every page, and the same refusals (audited) as the ``debtor`` field."""

from __future__ import annotations

import datetime
import html
import io
import re
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import httpx
import pypdf
import pytest

from connectors.registry import AGENCIES
from gateway.domain.controls import ControlAction, ControlOperation, OperationState
from gateway.domain.errors import InvalidSubjectError
from gateway.domain.subjects import SubjectKind
from gateway.examples import EXAMPLE_DEBTOR
from gateway.explorer import BUILD_URL_PREFIX
from gateway.resolvers.report import report_subject
from gateway.services import report as report_service
from gateway.services.report import (
    CONTROL_STATE_LABELS,
    ReportUnavailableError,
    control_row,
    css_string,
    font_faces,
    format_value,
)
from mocks.runner import MockServers
from mocks.synthetic import Tier, example_subjects
from tests.conftest import CASE, TOKENS, Gateway, gateway_settings, run_gateway

DEBTOR = EXAMPLE_DEBTOR["id"]  # 周坤: married, controls an enterprise
CREDITOR = example_subjects()["legal"][Tier.EMPTY]
OTHER_CASE = "(2026)苏0812执124号"  # the same court, the same debtor


@pytest.fixture
async def gateway(mocks: MockServers, tmp_path: Path) -> AsyncIterator[Gateway]:
    """A gateway over every mock, with ``CASE`` registered: 周坤 its debtor."""
    async with run_gateway(gateway_settings(mocks, tmp_path)) as gw:
        await gw.register([{"kind": "NATURAL", "id": DEBTOR, "name": EXAMPLE_DEBTOR["name"]}])
        yield gw


async def report(gateway: Gateway, who: str | None = "judge", **params: str) -> httpx.Response:
    query = {"case": CASE, "subject": DEBTOR, **params}
    headers = {} if who is None else {"Authorization": f"Bearer {TOKENS[who]}"}
    # a PDF takes seconds to print, more on a busy machine: no deadline of ours applies
    return await gateway.client.get("/report", params=query, headers=headers, timeout=600)


def controls_section(page: str) -> str:
    return page.split('<section id="controls"')[1].split("</section>")[0]


BANK_INQUIRY = """query($id: String!, $case: String!) {
  debtor(subject: {kind: NATURAL, id: $id}, caseNumber: $case, agencies: [BANK]) {
    bank { deposits { accountNumber amount } } } }"""
FREEZE = """mutation($case: String!, $ruling: String!, $asset: String!, $amount: Decimal!,
                   $until: Date!, $key: String!) {
  freezeAsset(caseNumber: $case, rulingNumber: $ruling, noticeNumber: "通知-1",
              asset: {agency: BANK, assetId: $asset}, amount: $amount, until: $until,
              idempotencyKey: $key) { id state appliedAmount } }"""


async def freeze_deposit(
    gateway: Gateway, case: str, ruling: str, amount: str, until: datetime.date
) -> dict:
    """Inquire about the debtor's bank in ``case``, then freeze part of its first deposit
    through the ``freezeAsset`` mutation (the controls service, against the bank mock)."""
    found = await gateway.query(BANK_INQUIRY, {"id": DEBTOR, "case": case})
    deposits = found["data"]["debtor"]["bank"]["deposits"]
    assert deposits, found
    variables = {
        "case": case,
        "ruling": ruling,
        "asset": deposits[0]["accountNumber"],
        "amount": amount,
        "until": until.isoformat(),
        "key": f"freeze-{ruling}",
    }
    body = await gateway.query(FREEZE, variables)
    assert "errors" not in body, body
    control: dict = body["data"]["freezeAsset"]
    assert control["state"] == "APPLIED", control
    return control


async def debtor_entries(gateway: Gateway) -> list[dict]:
    body = await gateway.query(
        "{ auditLog(limit: 50) { seq action outcome code relation caseNumber requestId } }",
        who="admin",
    )
    return [e for e in body["data"]["auditLog"] if e["relation"] == "debtor"]


async def test_the_html_report_shows_every_agency_the_summary_and_the_leads(gateway: Gateway):
    response = await report(gateway)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    page = response.text
    for heading in ("财产查控报告", "各单位反馈情况", "财产汇总", "配偶（线索）", "控制企业"):
        assert heading in page
    debtor = page.split('id="debtor"')[1].split("</section>")[0]
    for spec in AGENCIES:
        row = re.search(rf'<tr class="[^"]*" data-agency="{spec.name}">(.*?)</tr>', debtor, re.S)
        assert row is not None, spec.name
        assert spec.label_zh in row[1]
    # a natural person: the permit offices keep nothing on one; the others answered
    assert "不适用" in debtor.split('data-agency="permits"')[1].split("</tr>")[0]
    # each status named as the schema names it to the explorer ("有记录" for OK, where the
    # report said "已反馈", which NOT_FOUND is too)
    said = await gateway.client.post(
        "/graphql",
        json={"query": '{ __type(name: "SourceStatus") { description } }'},
        headers={"Authorization": f"Bearer {TOKENS['judge']}"},
    )
    named = said.json()["data"]["__type"]["description"].split(" / ")[0].split("。")[1]
    labels = dict(pair.split(" ", 1) for pair in named.split("；"))
    assert labels["OK"] == "有记录"
    police = debtor.split('data-agency="police"')[1].split("</tr>")[0]
    assert labels["OK"] in police
    assert labels["NOT_APPLICABLE"] in debtor.split('data-agency="permits"')[1].split("</tr>")[0]
    assert "吴蕾" in page  # the spouse, from civil affairs
    assert "周坤" in page
    # the audit entry is the debtor's inquiry entry of this request
    seq = response.headers["x-audit-entry"]
    (entry,) = [e for e in await debtor_entries(gateway) if str(e["seq"]) == seq]
    assert entry["action"] == "inquiry"
    assert entry["outcome"] == "allowed"
    assert entry["requestId"] in page
    # every printed page's margin boxes carry the case, the court, the judges, time and entry
    page_rule = page.split("@page")[1].split("</style>")[0]
    assert css_string(CASE) in page_rule
    assert css_string("苏0812") in page_rule
    assert css_string("J001") in page_rule
    assert css_string(f"#{seq}") in page_rule
    assert "查询时间" in page_rule
    # no control yet: the section says so, in both languages
    controls = controls_section(page)
    assert "本案尚未对该被执行人的财产采取控制措施" in controls
    assert "No control has been applied to this debtor's assets in this case" in controls
    assert "<table" not in controls


async def test_the_html_report_links_the_font_the_browser_may_keep_for_good(gateway: Gateway):
    """The report links the served font with the explorer's current ``?v=``: the one URL cached
    as immutable (without it the browser asked again on every report)."""
    page = (await report(gateway)).text
    (url,) = re.findall(r'<link rel="stylesheet" href="([^"]*)">', page)
    assert url.startswith(f"{BUILD_URL_PREFIX}/fonts.css?v=")
    explorer = (await gateway.client.get("/graphql", headers={"Accept": "text/html"})).text
    assert f'href="{url}"' in explorer  # the explorer's own link, version and all
    font = await gateway.client.get(html.unescape(url))
    assert font.status_code == 200, font.text
    assert font.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_the_pdf_report_has_the_case_and_the_audit_entry_on_every_page(gateway: Gateway):
    until = datetime.date.today() + datetime.timedelta(days=200)
    await freeze_deposit(gateway, CASE, "(2026)苏0812执123号之一", "1234.56", until)
    response = await report(gateway, format="pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    seq = response.headers["x-audit-entry"]
    assert f"chakong-report-{seq}.pdf" in response.headers["content-disposition"]
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages]
    assert len(pages) > 1
    for number, text in enumerate(pages, 1):
        assert CASE in text, number
        assert "苏0812" in text, number
        assert f"#{seq}" in text, number
        assert f"第 {number} 页，共 {len(pages)} 页" in text, number
    text = "\n".join(pages)
    # the Chinese is text in an embedded font, not boxes: it extracts as written
    for words in ("财产查控报告", "各单位反馈情况", "周坤", "吴蕾", "已采取的控制措施"):
        assert words in text
    for spec in AGENCIES:
        assert spec.label_zh in text
    # the freeze, as the HTML prints it (a cell's text may wrap onto a second line)
    flat = text.replace("\n", "")
    assert "1,234.56" in flat
    assert until.isoformat() in flat
    assert "已执行" in flat


async def test_the_report_lists_this_cases_controls_and_no_other_cases(gateway: Gateway):
    until = datetime.date.today() + datetime.timedelta(days=200)
    other_until = datetime.date.today() + datetime.timedelta(days=90)
    # the same debtor in another case of the court, frozen there first
    await gateway.register(
        [{"kind": "NATURAL", "id": DEBTOR, "name": EXAMPLE_DEBTOR["name"]}], case=OTHER_CASE
    )
    other = await freeze_deposit(
        gateway, OTHER_CASE, "(2026)苏0812执124号之一", "777.00", other_until
    )
    mine = await freeze_deposit(gateway, CASE, "(2026)苏0812执123号之一", "1234.56", until)

    response = await report(gateway)
    assert response.status_code == 200, response.text
    controls = controls_section(response.text)
    row = re.search(
        rf'<tr class="control [^"]*" data-control="{mine["id"]}">(.*?)</tr>', controls, re.S
    )
    assert row is not None, controls
    cells = row[1]
    assert "冻结" in cells
    assert "银行" in cells
    assert "¥1,234.56" in cells
    assert f"至 {until.isoformat()}" in cells
    assert "已执行" in cells
    assert "APPLIED" in cells
    assert "(2026)苏0812执123号之一" in cells
    assert "通知-1" in cells
    assert "本案尚未" not in controls
    # the other case's freeze of the same debtor's deposit is not this case's: not printed
    assert other["id"] not in response.text
    assert "执124号之一" not in response.text
    assert "¥777.00" not in controls
    assert other_until.isoformat() not in controls
    # and its own report shows only its own
    response = await report(gateway, case=OTHER_CASE)
    assert response.status_code == 200, response.text
    assert other["id"] in controls_section(response.text)
    assert mine["id"] not in response.text


def test_a_partial_freeze_and_a_queued_seizure_read_as_such():
    now = datetime.datetime(2026, 3, 1, 2, 30, tzinfo=datetime.UTC)
    freeze = ControlOperation(
        id="f1",
        request_id="r-f1",
        case_number=CASE,
        court="苏0812",
        action=ControlAction.FREEZE,
        agency="bank",
        asset_id="6222000011112222",
        asset_class="deposits",
        subject_key="k",
        inquiry_seq=3,
        ruling_number="裁-1",
        notice_number="通-1",
        amount=Decimal("50000.00"),
        held_value=Decimal("50000.00"),
        applied_amount=Decimal("12000.50"),
        queue_position=None,
        starts_on=datetime.date(2026, 3, 1),
        until=datetime.date(2027, 2, 28),
        target_id=None,
        state=OperationState.APPLIED,
        requested_by="judge:J001",
        approved_by=None,
        attempts=1,
        reference="BANK-1",
        message=None,
        excess_reason=None,
        created_at=now,
        updated_at=now,
    )
    row = control_row(freeze)
    assert (row.amount, row.applied) == ("¥50,000.00", "¥12,000.50")
    assert (row.action_zh, row.agency_zh, row.asset_class_zh) == ("冻结", "银行", "存款")
    assert (row.starts_on, row.ends_on) == ("2026-03-01", "2027-02-28")
    assert row.recorded_at == "2026-03-01 10:30"  # UTC+8
    assert control_row(replace(freeze, applied_amount=Decimal("50000.00"))).applied is None
    seizure = replace(
        freeze,
        action=ControlAction.SEIZE,
        agency="land",
        asset_class="real_estate",
        amount=None,
        applied_amount=None,
        queue_position=2,
        state=OperationState.APPLIED,
    )
    row = control_row(seizure)
    assert (row.action_zh, row.amount, row.applied, row.queue_position) == (
        "查封",
        "整项 / whole",
        None,
        2,
    )
    # a whole holding of securities: the agency counts what it froze in shares, not yuan
    holding = replace(
        freeze, agency="securities", asset_class="securities", amount=None,
        applied_amount=Decimal("3000"),
    )  # fmt: skip
    row = control_row(holding)
    assert (row.amount, row.applied) == ("整项 / whole", "3,000 份 / units")
    unknown = control_row(replace(freeze, state=OperationState.UNKNOWN))
    assert "未知" in unknown.state_zh
    assert "not failed" in unknown.state_en
    # every state has its words in both languages
    assert set(CONTROL_STATE_LABELS) == set(OperationState)


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (Decimal("1234567.5"), "1,234,567.50"),  # yuan: two places at least
        (Decimal("0.125"), "0.125"),  # an agency's third place is printed, not rounded away
        (Decimal("33.3333"), "33.3333"),
        (Decimal("-12.30"), "-12.30"),
        (Decimal("1E+3"), "1,000.00"),
    ],
)
def test_amounts_are_printed_as_the_agency_gave_them(value: Decimal, printed: str):
    assert format_value(value) == printed


@pytest.mark.parametrize(
    ("who", "params", "status", "code"),
    [
        (None, {}, 401, "UNAUTHENTICATED"),
        ("admin", {}, 403, "FORBIDDEN_OPERATION"),
        ("department", {"format": "pdf"}, 403, "FORBIDDEN_OPERATION"),
        ("other-judge", {}, 403, "NOT_ASSIGNED"),
        ("foreign-judge", {}, 403, "FORBIDDEN_COURT"),
        ("judge", {"subject": CREDITOR}, 403, "NOT_A_DEBTOR"),
        ("judge", {"case": "(2026)苏0812执999号"}, 403, "CASE_NOT_REGISTERED"),
        ("judge", {"subject": "320812198203151257"}, 400, "INVALID_SUBJECT_ID"),
        ("judge", {"case": "not a case"}, 400, "INVALID_CASE_NUMBER"),
        ("judge", {"format": "docx"}, 400, "INVALID_INPUT"),
        ("judge", {"subject": ""}, 400, "INVALID_INPUT"),
        ("judge", {"kind": "ROBOT"}, 400, "INVALID_SUBJECT_ID"),
        # the rule of every request's text, as /graphql's: never read, never echoed
        ("judge", {"case": "(2026)苏0812执123号\x00"}, 400, "INVALID_TEXT"),
        ("judge", {"subject": "\x1b"}, 400, "INVALID_TEXT"),
        ("judge", {"kind": "NATURAL", "x\x7f": "1"}, 400, "INVALID_TEXT"),
    ],
)
async def test_refusals_are_coded_and_audited(
    gateway: Gateway, who: str | None, params: dict[str, str], status: int, code: str
):
    response = await report(gateway, who, **params)
    assert response.status_code == status, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == code
    assert " / " in error["message"]
    if code == "INVALID_TEXT" and "subject" in params:  # a word apart: "参数 subject 含有"
        assert error["extensions"]["messageZh"].startswith("参数 subject 含有")
    assert DEBTOR not in response.text
    assert "x-audit-entry" not in response.headers
    assert await debtor_entries(gateway) == []  # nobody was asked about
    if status in (401, 403):
        denied = await gateway.query('{ auditLog(outcome: "denied") { code } }', who="admin")
        assert code in {e["code"] for e in denied["data"]["auditLog"]}


def agencies_asked(mocks: MockServers) -> int:
    """The ``/v1/inquiries`` calls every mock agency has answered so far."""
    return sum(app.state.mock.stats.inquiries for app in mocks.apps.values())


async def test_a_head_is_refused_before_anybody_is_asked(gateway: Gateway, mocks: MockServers):
    # Starlette adds HEAD to a GET route: it ran the inquiry (and printed the PDF) for no body
    query = {"case": CASE, "subject": DEBTOR, "format": "pdf"}
    judge = {"Authorization": f"Bearer {TOKENS['judge']}"}
    for fmt in ("pdf", "html"):
        response = await gateway.client.head(
            "/report", params={**query, "format": fmt}, headers=judge
        )
        assert response.status_code == 405
        assert response.headers["allow"] == "GET"
        assert response.headers["content-type"].startswith("application/json")
        assert "x-audit-entry" not in response.headers
    assert await debtor_entries(gateway) == []
    assert agencies_asked(mocks) == 0
    # the other methods get the same coded 405, which a HEAD's answer has no body to show
    response = await gateway.client.post("/report", params=query, headers=judge)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    # what was counted is what a GET does
    assert (await report(gateway)).status_code == 200
    assert len(await debtor_entries(gateway)) == 1
    assert agencies_asked(mocks) > 0


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("case", [("case", OTHER_CASE), ("case", CASE), ("subject", DEBTOR)]),
        ("subject", [("case", CASE), ("subject", CREDITOR), ("subject", DEBTOR)]),
        ("format", [("case", CASE), ("subject", DEBTOR), ("format", "pdf"), ("format", "html")]),
        ("kind", [("case", CASE), ("subject", DEBTOR), ("kind", "LEGAL"), ("kind", "NATURAL")]),
    ],
)
async def test_a_parameter_given_twice_is_refused_not_its_last_value_taken(
    gateway: Gateway, mocks: MockServers, name: str, params: list[tuple[str, str]]
):
    judge = {"Authorization": f"Bearer {TOKENS['judge']}"}
    response = await gateway.client.get("/report", params=tuple(params), headers=judge)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert name in error["extensions"]["messageZh"]
    assert name in error["extensions"]["messageEn"]
    assert " / " in error["message"]
    assert await debtor_entries(gateway) == []
    assert agencies_asked(mocks) == 0


@pytest.mark.parametrize(
    ("fmt", "accept"),
    [
        ("html", "application/json"),
        ("html", "image/png"),
        ("html", "application/pdf"),
        ("html", "text/html;q=0, */*"),  # named, and refused: the wildcard does not override it
        ("html", "*/*;q=0"),
        ("pdf", "text/html"),
        ("pdf", "application/json, text/*"),
    ],
)
async def test_an_accept_that_refuses_the_format_is_406_and_asks_nobody(
    gateway: Gateway, mocks: MockServers, fmt: str, accept: str
):
    query = {"case": CASE, "subject": DEBTOR, "format": fmt}
    headers = {"Authorization": f"Bearer {TOKENS['judge']}", "Accept": accept}
    response = await gateway.client.get("/report", params=query, headers=headers)
    assert response.status_code == 406, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "NOT_ACCEPTABLE"
    assert " / " in error["message"]
    assert ("application/pdf" if fmt == "pdf" else "text/html") in error["message"]
    assert await debtor_entries(gateway) == []
    assert agencies_asked(mocks) == 0


async def test_an_accept_that_admits_the_format_or_none_at_all_gets_the_report(gateway: Gateway):
    judge = {"Authorization": f"Bearer {TOKENS['judge']}"}
    query = {"case": CASE, "subject": DEBTOR}
    for accept in (
        "text/html",
        "text/*",
        "application/json, */*;q=0.1",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",  # a browser's
    ):
        response = await gateway.client.get(
            "/report", params=query, headers={**judge, "Accept": accept}
        )
        assert response.status_code == 200, (accept, response.text)
        assert response.headers["content-type"] == "text/html; charset=utf-8"
    request = gateway.client.build_request("GET", "/report", params=query, headers=judge)
    del request.headers["accept"]  # httpx sends */* unless told not to
    response = await gateway.client.send(request)
    assert response.status_code == 200, response.text


def test_a_subject_without_a_kind_is_a_resident_id_or_a_credit_code():
    assert report_subject(DEBTOR, None).kind is SubjectKind.NATURAL
    assert report_subject(CREDITOR, None).kind is SubjectKind.LEGAL
    assert report_subject(CREDITOR, "legal").id == CREDITOR
    with pytest.raises(InvalidSubjectError):
        report_subject(CREDITOR, "NATURAL")
    # a mistyped ID number is told as one, not as a bad credit code
    with pytest.raises(InvalidSubjectError) as raised:
        report_subject(DEBTOR[:-1] + "7", None)
    assert "resident ID" in raised.value.message_en
    with pytest.raises(InvalidSubjectError) as raised:
        report_subject(CREDITOR[:-1] + "Q", None)
    assert "credit code" in raised.value.message_en


def test_css_strings_cannot_leave_the_style_element():
    quoted = str(css_string('x"</style><script>alert(1)</script>\\'))
    assert quoted[0] == quoted[-1] == '"'
    inner = quoted[1:-1]
    assert not {'"', "<", ">"} & set(inner)
    assert "\\" + f"{ord('<'):06x}" in inner
    assert str(css_string("(2026)苏0812执123号")) == '"(2026)苏0812执123号"'


def test_the_pdf_embeds_only_the_slices_the_text_needs():
    font = font_faces("周坤 Asset")
    assert 1 < len(font.families) < 10
    assert font.css.count("@font-face") == 2 * len(font.families)  # regular and bold
    assert "file://" in font.css
    assert "http" not in font.css


def test_without_the_font_the_report_is_unavailable_not_boxes(tmp_path: Path):
    with pytest.raises(ReportUnavailableError) as raised:
        font_faces("周坤", tmp_path)
    assert raised.value.code == "REPORT_UNAVAILABLE"
    assert "make install" in raised.value.message_en


async def test_a_pdf_without_pango_is_refused_before_anybody_is_asked(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if its import failed
    response = await report(gateway, format="pdf")
    assert response.status_code == 503, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "REPORT_UNAVAILABLE"
    assert "Pango" in error["message"]
    assert await debtor_entries(gateway) == []
    assert (await report(gateway, format="html")).status_code == 200  # the HTML still works
    # who may not ask is told so, not that the PDF cannot be printed
    refused = await report(gateway, who="admin", format="pdf")
    assert refused.status_code == 403, refused.text
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN_OPERATION"


async def test_a_pdf_without_its_font_asks_nobody(
    gateway: Gateway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(report_service, "FONT_DIR", tmp_path)
    response = await report(gateway, format="pdf")
    assert response.status_code == 503, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "REPORT_UNAVAILABLE"
    assert await debtor_entries(gateway) == []
