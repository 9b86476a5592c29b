"""Run an inquiry through a real gateway with the notary office as an eleventh agency.

``python -m tests.fake_agency.run_inquiry DB_PATH`` prints the answer as JSON. The agency is
registered before anything of the gateway is imported (the gateway reads the registry once).
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from connectors.registry import AGENCIES
from tests.fake_agency.spec import SPEC

AGENCIES.register(SPEC)

QUERY = """
query($subject: SubjectInput!, $case: String!) {
  debtor(subject: $subject, caseNumber: $case, agencies: [NOTARY, BANK]) {
    sources { agency status recordCount }
    notary { escrows { escrowNumber amount depositedOn } }
    summary { classes { assetClass agency count total complete } }
  }
  __type(name: "Agency") { enumValues { name } }
}
"""


async def main(db: Path) -> dict[str, object]:
    from pydantic import SecretStr

    from gateway.examples import EXAMPLE_QUERY
    from gateway.settings import AgencySettings, Settings
    from mocks.runner import AppServer
    from tests.conftest import CASE, MOCK_TOKEN, run_gateway
    from tests.fake_agency import mock

    notary = AppServer(mock.create_app())
    await notary.start()
    try:
        from mocks.runner import MockServers

        async with MockServers(["bank"], token=MOCK_TOKEN) as others:
            agencies = {
                "notary": AgencySettings(url=notary.url, token=SecretStr(mock.TOKEN)),
                "bank": AgencySettings(url=others.urls["bank"], token=SecretStr(MOCK_TOKEN)),
            }
            settings = Settings(
                database_url=f"sqlite+aiosqlite:///{db}", agencies=agencies, demo=True
            )
            async with run_gateway(settings) as gateway:
                subject = {"kind": "NATURAL", "id": "320802197805121129"}
                await gateway.register([subject])
                answer = await gateway.query(QUERY, {"subject": subject, "case": CASE})
        return {
            "answer": answer,
            "cost_limit": settings.request_limits.max_cost,
            "example_mentions_notary": "notary { escrows" in EXAMPLE_QUERY,
        }
    finally:
        await notary.stop()


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(Path(sys.argv[1]))), ensure_ascii=False))
