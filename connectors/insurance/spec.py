"""保险: the agency, declared once (see ``connectors.spec``)."""

from __future__ import annotations

from connectors.insurance.records import InsuranceRecords
from connectors.spec import AgencySpec, ExampleSubject
from gateway.domain.subjects import SubjectKind
from gateway.domain.summary import AssetClass, Tallies

ASSET_CLASSES = (
    AssetClass(
        "insurance",
        "insurance",
        "保险（投保人保单现金价值与保险理财） / cash value of policies the subject holds plus "
        "insurance wealth products",
        rank=50,
    ),
)


def tally(records: InsuranceRecords, tallies: Tallies) -> None:
    insurance = tallies["insurance"]
    for policy in records.policies:
        if policy.role == "投保人" and policy.status in ("有效", "冻结"):
            insurance.count += 1
            insurance.add(policy.cash_value)  # only the policyholder's is enforceable
    for product in records.wealth_products:
        insurance.count += 1
        insurance.add(product.account_value)
    insurance.encumbered += len({f.policy_number for f in records.freezes})


SPEC = AgencySpec(
    name="insurance",
    name_zh="保险",
    title_zh="保险监管信息平台 保单、现金价值与保险理财产品查询接口",
    title_en="Insurance regulator's platform: policies, cash values, wealth products and freezes",
    profile_doc="保险：保单、保险理财、冻结 / Insurance: policies, wealth products, freezes",
    records=InsuranceRecords,
    subject_kinds=frozenset(SubjectKind),
    example_selection="""\
policies { insurer productName policyType role cashValue status }
wealthProducts { insurer productName accountValue }
""",
    examples=(
        ExampleSubject(SubjectKind.NATURAL, "320802197805121129"),
        ExampleSubject(SubjectKind.LEGAL, "91320812MA00020007"),
    ),
    asset_classes=ASSET_CLASSES,
    tally=tally,
)
