"""证券: the agency, declared once (see ``connectors.spec``)."""

from __future__ import annotations

from collections.abc import Iterator

from connectors.securities.records import SecuritiesRecords
from connectors.spec import AgencySpec, ExampleSubject
from gateway.domain.controls import Asset
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
    # the holdings under a freeze (of the security or of its whole account), each once, as
    # ``assets`` holds them: the freezes themselves may be several on one holding
    whole = {f.account_number for f in records.freezes if f.security_code is None}
    held = {(f.account_number, f.security_code) for f in records.freezes}
    securities.encumbered += sum(
        1
        for h in records.holdings
        if h.account_number in whole or (h.account_number, h.security_code) in held
    )


def assets(records: SecuritiesRecords) -> Iterator[Asset]:
    """Holdings, as ``account:code``, at their market value."""
    held: dict[str, list[str]] = {}
    for freeze in records.freezes:
        # a freeze of the whole account holds every holding in it
        keys = [freeze.account_number] if freeze.security_code is None else []
        keys.append(f"{freeze.account_number}:{freeze.security_code}")
        for key in keys:
            held.setdefault(key, []).append(freeze.case_number)
    for holding in records.holdings:
        asset_id = f"{holding.account_number}:{holding.security_code}"
        yield Asset(
            "securities",
            asset_id,
            "securities",
            holding.market_value,
            "CNY",
            holding.security_name,
            tuple(held.get(asset_id, ()) or held.get(holding.account_number, ())),
        )


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
    assets=assets,
)
