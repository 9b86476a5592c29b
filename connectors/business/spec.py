"""市场监管（工商）: the agency, declared once (see ``connectors.spec``)."""

from __future__ import annotations

from collections.abc import Iterator

from connectors.business.records import BusinessRecords
from connectors.spec import AgencySpec, ExampleSubject
from gateway.domain.controls import Asset
from gateway.domain.subjects import SubjectKind
from gateway.domain.summary import AssetClass, Tallies

ASSET_CLASSES = (
    AssetClass(
        "equity", "business", "股权（认缴出资额） / subscribed capital of equity held", rank=80
    ),
)


def tally(records: BusinessRecords, tallies: Tallies) -> None:
    equity = tallies["equity"]
    for holding in records.equity_holdings:
        equity.count += 1
        equity.add(holding.subscribed_capital)
    equity.encumbered += len({f.uscc for f in records.equity_freezes if f.status != "解除冻结"})


def assets(records: BusinessRecords) -> Iterator[Asset]:
    """Equity held, by the company's credit code, valued at the subscribed capital."""
    held: dict[str, list[str]] = {}
    for freeze in records.equity_freezes:
        if freeze.status != "解除冻结":
            held.setdefault(freeze.uscc, []).append(freeze.case_number)
    for holding in records.equity_holdings:
        # a company has many holders: the agency's asset id names this holding
        yield Asset(
            "business",
            holding.asset_id or holding.uscc,
            "equity",
            holding.subscribed_capital,
            "CNY",
            holding.company,
            tuple(held.get(holding.uscc, ())),
        )


SPEC = AgencySpec(
    name="business",
    name_zh="市场监管（工商）",
    title_zh="市场监督管理局 企业登记、任职投资、股权与股权冻结查询接口",
    title_en=(
        "Market regulation bureau: registrations, roles and investments, equity and its freezes"
    ),
    profile_doc=(
        "市场监管：登记、任职投资、股权及冻结 / "
        "Business registry: registration, roles, equity and its freezes"
    ),
    records=BusinessRecords,
    subject_kinds=frozenset(SubjectKind),
    example_selection="""\
registration { name legalRepresentative registeredCapital status }
enterprises { name uscc roles shareRatio enterpriseStatus controls }
equityHoldings { company shareRatio subscribedCapital paidInCapital }
equityFreezes { company frozenAmount court caseNumber status }
""",
    examples=(
        ExampleSubject(SubjectKind.NATURAL, "320802197805121129"),
        ExampleSubject(SubjectKind.LEGAL, "91320812MA00020007"),
    ),
    controls=frozenset({"freeze", "release", "renew"}),
    asset_classes=ASSET_CLASSES,
    tally=tally,
    assets=assets,
)
