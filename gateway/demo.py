"""What the demo registers and hands out: example cases, and a token per role.

The README's example inquiry runs against ``EXAMPLE_CASE`` as the judge ``J001`` of the
清江浦区 court (苏0812); the court system token can register more cases.
"""

from __future__ import annotations

import datetime
import socket
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import uvicorn

from gateway.auth.principal import Principal, Role
from gateway.auth.tokens import TokenService
from gateway.domain.register import Case, Party, PartyRole, new_case
from gateway.domain.subjects import SubjectKind, parse_subject
from gateway.examples import EXAMPLE_CASE_NUMBER, EXAMPLE_DEBTOR
from gateway.server import uvicorn_options
from gateway.settings import Settings
from mocks.runner import AppServer

if TYPE_CHECKING:
    from gateway.app import Resources

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


def demo_tokens(tokens: TokenService) -> dict[str, str]:
    """One token per role a newcomer wants to try, valid for the token lifetime."""
    return {
        "JUDGE (苏0812, J001)": tokens.issue(
            Role.JUDGE, subject=f"judge:{DEMO_JUDGE}", court=DEMO_COURT, judge=DEMO_JUDGE
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
