"""The example inquiry shown in the README and pre-filled in the explorer.

``tests/gateway/test_readme.py`` checks that the README's first ``graphql`` block is this query
and that it returns data from every connected agency in the demo.
"""

from __future__ import annotations

import json

EXAMPLE_QUERY = """\
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
  police {
    household { name gender birthDate address status }
    vehicles { plate brandModel status seizureCount }
  }
  land {
    realEstate { certificateNumber location floorAreaM2 ownership coOwners status }
    mortgages { mortgagee securedAmount termEnd }
    seizures { court caseNumber seizedUntil waiting }
  }
  fund { accounts { centre employer depositBase balance status } freezes { court frozenAmount } }
  business {
    registration { name legalRepresentative registeredCapital status }
    enterprises { name uscc roles shareRatio enterpriseStatus controls }
    equityHoldings { company shareRatio subscribedCapital paidInCapital }
    equityFreezes { company frozenAmount court caseNumber status }
  }
  tax {
    registration { taxpayerType creditRating status }
    arrears { taxType period amount lateFee }
    penalties { decisionNumber amount status }
  }
  civil {
    currentSpouse { name idNumber }
    marriages { registrationType spouseName registeredOn }
    assistance { program status monthlyAmount }
  }
  bank {
    accounts { bank accountNumber accountType currency balance availableBalance status }
    deposits { bank depositType currency amount maturesOn }
    wealthProducts { bank productName holdingValue }
    freezes { bank accountNumber court frozenAmount frozenUntil }
  }
  securities {
    accounts { market broker accountNumber status }
    holdings { securityCode securityName quantity marketValue }
    freezes { securityCode quantity court frozenUntil }
  }
  insurance {
    policies { insurer productName policyType role cashValue status }
    wealthProducts { insurer productName accountValue }
  }
  permits {
    safetyPermits { permitNumber scope expiresOn status }
    productRegistrations { category registrationNumber productName status }
    inspectionCredit { rating ratedOn }
  }
}
"""

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
