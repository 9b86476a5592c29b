"""What the demo registers and hands out: example cases, and a token per role.

The README's example inquiry runs against ``EXAMPLE_CASE`` as the judge ``J001`` of the
清江浦区 court (苏0812); the court system token can register more cases; the judge ``J002``
approves deductions. One freeze in the example case ends soon (``seed_demo_controls``).
"""

from __future__ import annotations

import datetime
import logging
import socket
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import uvicorn

from gateway.auth.principal import APPROVE_DEDUCTIONS, Principal, Role
from gateway.auth.tokens import TokenService
from gateway.domain.clock import court_today
from gateway.domain.controls import ControlAction
from gateway.domain.errors import ChakongError
from gateway.domain.register import Case, Party, PartyRole, new_case
from gateway.domain.subjects import SubjectKind, parse_subject
from gateway.examples import EXAMPLE_CASE_NUMBER, EXAMPLE_DEBTOR
from gateway.server import uvicorn_options
from gateway.services.controls import ControlCommand
from gateway.services.inquiry import InquiryKey
from gateway.settings import Settings
from mocks.runner import AppServer

if TYPE_CHECKING:
    from gateway.app import Resources

log = logging.getLogger(__name__)

DEMO_COURT = "苏0812"  # 淮安市清江浦区人民法院
DEMO_JUDGE = "J001"


def demo_cases() -> list[Case]:
    debtor = parse_subject(SubjectKind.NATURAL, EXAMPLE_DEBTOR["id"], EXAMPLE_DEBTOR["name"])
    creditor = parse_subject(SubjectKind.LEGAL, "91320812MA0002015P", "淮安市华瑞盐化有限公司")
    company = parse_subject(SubjectKind.LEGAL, "91320812MA00020007", "淮安市洪泽湖置业有限公司")
    return [
        new_case(
            EXAMPLE_CASE_NUMBER,
            court=DEMO_COURT,
            judges=[DEMO_JUDGE],
            parties=[Party(PartyRole.DEBTOR, debtor), Party(PartyRole.CREDITOR, creditor)],
            obligation=Decimal("1860000.00"),
            performed=Decimal("120000.00"),
            filed_on=datetime.date(2026, 3, 9),
        ),
        new_case(
            "(2026)苏0812执456号",
            court=DEMO_COURT,
            judges=[DEMO_JUDGE, "J002"],
            parties=[Party(PartyRole.DEBTOR, company), Party(PartyRole.CREDITOR, creditor)],
            obligation=Decimal("5200000.00"),
            filed_on=datetime.date(2026, 5, 21),
        ),
    ]


async def seed_demo_cases(resources: Resources) -> None:
    """Register the demo's cases as the court's case system would, audited as such."""
    seeder = Principal(Role.COURT_SYSTEM, subject="demo:seed", court=DEMO_COURT)
    for case in demo_cases():
        await resources.cases.save(
            case, principal=seeder, request_id=uuid.uuid4().hex, detail="demo"
        )


EXPIRING_IN_DAYS = 20  # the demo's freeze that shows on the renewal list


async def seed_demo_controls(resources: Resources) -> None:
    """One freeze in the example case that ends soon, so ``expiringControls`` has something to
    show: the judge inquires about the example debtor's bank, then freezes part of the largest
    deposit. Idempotent (its key replays on a reused database); skipped, with a log line, when
    the bank has nothing to freeze."""
    judge = Principal(Role.JUDGE, subject=f"judge:{DEMO_JUDGE}", court=DEMO_COURT, judge=DEMO_JUDGE)
    debtor = parse_subject(SubjectKind.NATURAL, EXAMPLE_DEBTOR["id"], EXAMPLE_DEBTOR["name"])
    options = resources.inquiries.options(EXAMPLE_CASE_NUMBER, ["bank"], 5000, True)
    (profile,) = await resources.inquiries.inquire([debtor], options)
    await resources.auditor.inquiries(judge, "demo", [(InquiryKey(debtor, options), profile)])
    answers = await resources.controls.answers(options.case_number)
    deposits = [a for ans in answers for a in ans.assets if a.asset_class == "deposits" and a.value]
    if not deposits:
        log.warning("demo: the example debtor's bank has no deposits; no freeze seeded")
        return
    largest = max(deposits, key=lambda a: a.value or 0)
    until = court_today() + datetime.timedelta(days=EXPIRING_IN_DAYS)
    command = ControlCommand(
        ControlAction.FREEZE,
        options.case_number,
        "(2026)苏0812执123号之一",
        "(2026)苏0812执123号协助冻结通知书",
        "bank",
        largest.asset_id,
        min(largest.value or Decimal(0), Decimal("50000.00")),
        until,
    )
    try:
        await resources.controls.submit(judge, "demo", [command], "demo-expiring-freeze")
    except ChakongError as exc:
        log.warning("demo: the freeze was not seeded (%s)", exc.code)


def demo_tokens(tokens: TokenService) -> dict[str, str]:
    """One token per role a newcomer wants to try, valid for the token lifetime."""
    return {
        "JUDGE (苏0812, J001)": tokens.issue(
            Role.JUDGE, subject=f"judge:{DEMO_JUDGE}", court=DEMO_COURT, judge=DEMO_JUDGE
        ),
        "JUDGE (苏0812, J002, approver)": tokens.issue(
            Role.JUDGE,
            subject="judge:J002",
            court=DEMO_COURT,
            judge="J002",
            permissions=[APPROVE_DEDUCTIONS],
        ),
        "COURT_SYSTEM (苏0812)": tokens.issue(
            Role.COURT_SYSTEM, subject="system:苏0812", court=DEMO_COURT
        ),
        "ADMIN": tokens.issue(Role.ADMIN, subject="admin:demo"),
    }


class GatewayServer(AppServer):
    """The demo's gateway on an embedded uvicorn (``AppServer``, which shares the event loop
    with the mocks), run with ``uvicorn_options``: forwarded headers believed only from
    ``settings.trusted_proxies``, not from loopback as uvicorn would."""

    def __init__(self, app: Any, settings: Settings) -> None:
        super().__init__(app, host=settings.host, port=settings.port)
        self.options = uvicorn_options(settings)

    async def _serve(self, server: uvicorn.Server, sock: socket.socket) -> None:
        # AppServer builds uvicorn's configuration itself; it is loaded when serving starts
        for name, value in self.options.items():
            setattr(server.config, name, value)
        await super()._serve(server, sock)
