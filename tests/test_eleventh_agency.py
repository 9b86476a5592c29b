"""An eleventh agency is its records, its spec, its mock and one registration: nothing else.

The notary office (``tests/fake_agency``) is registered in a fresh process (the gateway reads
the registry once, when it builds its types) and asked about a debtor through a real gateway,
beside the bank's mock: its records, its status, its asset class in the summary and its place
in the ``Agency`` enum, the cost limit and the README's example all follow from the spec.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_a_registered_eleventh_agency_answers_an_inquiry(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "tests.fake_agency.run_inquiry", str(tmp_path / "gw.db")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    answer = result["answer"]
    assert "errors" not in answer, answer
    profile = answer["data"]["debtor"]
    statuses = {s["agency"]: (s["status"], s["recordCount"]) for s in profile["sources"]}
    assert statuses == {"NOTARY": ("OK", 1), "BANK": ("OK", statuses["BANK"][1])}
    assert profile["notary"] == {
        "escrows": [
            {
                "escrowNumber": "(2025)淮清证提字第7号",
                "amount": "86000.00",
                "depositedOn": "2025-03-02",
            }
        ]
    }
    escrow = next(c for c in profile["summary"]["classes"] if c["assetClass"] == "ESCROW")
    assert escrow == {
        "assetClass": "ESCROW",
        "agency": "NOTARY",
        "count": 1,
        "total": "86000.00",
        "complete": True,
    }
    names = [v["name"] for v in answer["data"]["__type"]["enumValues"]]
    assert names[-1] == "NOTARY"
    assert len(names) == 11
    assert result["cost_limit"] == 500 * 11
    assert result["example_mentions_notary"]
