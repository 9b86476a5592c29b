"""证券: the agency, declared once (see ``connectors.spec``)."""

from __future__ import annotations

from connectors.securities.records import SecuritiesRecords
from connectors.spec import AgencySpec, ExampleSubject
from gateway.domain.subjects import SubjectKind
from gateway.domain.summary import AssetClass, Tallies

ASSET_CLASSES = (
    AssetClass(
        "securities",
        "securities",
        "证券（持仓市值与资金余额） / market value of holdings plus cash at brokers",
        rank=40,
    ),
)


def tally(records: SecuritiesRecords, tallies: Tallies) -> None:
    securities = tallies["securities"]
    for holding in records.holdings:
        securities.count += 1
        securities.add(holding.market_value)
    for funds in records.funds_accounts:
        securities.add(funds.balance)
    securities.encumbered += len(records.freezes)


SPEC = AgencySpec(
    name="securities",
    name_zh="证券",
    title_zh="中国证券登记结算公司及证券公司 证券账户、持仓与资金查询接口",
    title_en="Securities depository and brokers: securities accounts, holdings, cash and freezes",
    profile_doc="证券：账户、持仓、资金、冻结 / Securities: accounts, holdings, cash, freezes",
    records=SecuritiesRecords,
    subject_kinds=frozenset(SubjectKind),
    example_selection="""\
accounts { market broker accountNumber status }
holdings { securityCode securityName quantity marketValue }
freezes { securityCode quantity court frozenUntil }
""",
    examples=(
        ExampleSubject(SubjectKind.NATURAL, "320802197805121129"),
        ExampleSubject(SubjectKind.LEGAL, "91320812MA00020007"),
    ),
    controls=frozenset({"freeze", "release", "renew"}),
    asset_classes=ASSET_CLASSES,
    tally=tally,
)
