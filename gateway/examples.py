"""The example inquiry shown in the README and pre-filled in the explorer.

``tests/gateway/test_readme.py`` checks that the README's first ``graphql`` block is this query
and that it returns data from every connected agency in the demo.
"""

from __future__ import annotations

import json

EXAMPLE_QUERY = """\
query DebtorAssets($subject: SubjectInput!, $caseNumber: String!) {
  debtor(subject: $subject, caseNumber: $caseNumber) {
    subject { kind id name }
    caseNumber
    sources { agency status latencyMs cached recordCount message }
    police {
      household { name gender birthDate address policeStation status }
      travelDocuments { documentType number expiresOn status lastExitOn }
      vehicles { plate brandModel vehicleType status seizureCount }
    }
    land {
      realEstate { certificateNumber location usage floorAreaM2 ownership status }
      land { parcelNumber location rightType grantPrice grantPaid constructionCompletedOn }
      mortgages { mortgagee securedAmount termEnd }
      seizures { court caseNumber seizedUntil waiting }
    }
    bank {
      accounts { bank branch accountNumber accountType currency balance availableBalance status }
      cards { bank cardNumber cardType status }
      deposits { bank depositType currency amount maturesOn }
      wealthProducts { bank productName holdingValue maturesOn }
      freezes { bank accountNumber court caseNumber frozenAmount frozenUntil }
    }
  }
}
"""

EXAMPLE_VARIABLES: dict[str, object] = {
    # a "rich" subject of the mock agencies (mocks.synthetic.example_subjects)
    "subject": {"kind": "NATURAL", "id": "320802197805121129", "name": "贾敏倩"},
    "caseNumber": "(2026)苏0802执123号",
}


def example_variables_json() -> str:
    return json.dumps(EXAMPLE_VARIABLES, ensure_ascii=False, indent=2)
