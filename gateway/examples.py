"""The example inquiry shown in the README and pre-filled in the explorer.

``tests/gateway/test_readme.py`` checks that the README's first ``graphql`` block is this query
and that it returns data from every connected agency in the demo.
"""

from __future__ import annotations

import json

from connectors.registry import AGENCIES

_HEAD = """\
query DebtorAssets($subject: SubjectInput!, $caseNumber: String!) {
  debtor(subject: $subject, caseNumber: $caseNumber) {
    ...Assets
    spouse { ...Assets }
    controlledEnterprises { ...Assets }
  }
}

fragment Assets on DebtorProfile {
  subject { kind id name }
  relation
  caseNumber
  sources { agency status latencyMs cached recordCount message }
  summary { classes { assetClass count total encumbered complete } }
"""


def _agency_block(name: str, selection: str) -> str:
    lines = selection.strip().splitlines()
    if len(lines) == 1:
        return f"  {name} {{ {lines[0]} }}\n"
    body = "".join(f"    {line}\n" for line in lines)
    return f"  {name} {{\n{body}  }}\n"


def example_query() -> str:
    """The README's example: every field of the profile, and of each agency what its spec
    chose to show (``AgencySpec.example_selection``)."""
    blocks = "".join(_agency_block(s.name, s.example_selection) for s in AGENCIES)
    return _HEAD + blocks + "}\n"


EXAMPLE_QUERY = example_query()

# a "rich", married subject of the mock agencies who controls enterprises: every agency and
# both leads have something to show (tests/gateway/test_readme.py checks it)
EXAMPLE_DEBTOR = {"kind": "NATURAL", "id": "320812198203151256", "name": "周坤"}
EXAMPLE_CASE_NUMBER = "(2026)苏0812执123号"

EXAMPLE_VARIABLES: dict[str, object] = {
    "subject": EXAMPLE_DEBTOR,
    "caseNumber": EXAMPLE_CASE_NUMBER,
}


def example_variables_json() -> str:
    return json.dumps(EXAMPLE_VARIABLES, ensure_ascii=False, indent=2)
