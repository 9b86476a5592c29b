"""GraphQL types made from the records' one declaration (``gateway.schema.records``)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import strawberry

from connectors.business.records import BusinessRecords, EnterpriseRole
from connectors.registry import AGENCIES
from gateway.domain.records import doc, record
from gateway.schema.records import graphql_annotation, record_type


@record
class Parcel:
    """地块 / Parcel"""

    number: str = doc("编号 / Number")
    area_m2: Decimal = doc("面积 / Area")
    owners: tuple[str, ...] = doc("权利人 / Owners", default=())
    surveyed_on: datetime.date | None = doc("测绘日期 / Surveyed on", default=None)

    @property
    def shared(self) -> bool:
        """是否共有 / Owned by more than one"""
        return len(self.owners) > 1


@strawberry.type
class Query:
    parcel: record_type(Parcel)  # type: ignore[valid-type]


def test_the_type_has_the_records_fields_names_and_descriptions():
    sdl = strawberry.Schema(query=Query).as_str()
    assert '"""地块 / Parcel"""\ntype Parcel {' in sdl
    assert '"""面积 / Area"""\n  areaM2: Decimal!' in sdl
    assert '"""权利人 / Owners"""\n  owners: [String!]!' in sdl
    assert '"""测绘日期 / Surveyed on"""\n  surveyedOn: Date\n' in sdl
    assert '"""是否共有 / Owned by more than one"""\n  shared: Boolean!' in sdl


def test_the_type_reads_the_record_itself():
    parcel = Parcel(number="P-1", area_m2=Decimal("12.50"), owners=("甲", "乙"))
    result = strawberry.Schema(query=Query).execute_sync(
        "{ parcel { number areaM2 owners surveyedOn shared } }",
        root_value=Query(parcel=parcel),
    )
    assert result.errors is None
    assert result.data == {
        "parcel": {
            "number": "P-1",
            "areaM2": "12.50",
            "owners": ["甲", "乙"],
            "surveyedOn": None,
            "shared": True,
        }
    }


def test_a_type_is_made_once_and_named_after_its_record():
    assert record_type(Parcel) is record_type(Parcel)
    assert record_type(EnterpriseRole).__strawberry_definition__.name == "EnterpriseRole"
    nested = graphql_annotation(BusinessRecords.__dataclass_fields__["enterprises"].type)
    assert nested is not None


def test_every_agencys_records_make_a_type_and_unions_are_refused():
    for spec in AGENCIES:
        assert record_type(spec.records).__strawberry_definition__.name == spec.records.__name__
    with pytest.raises(TypeError, match="optional unions"):
        graphql_annotation(int | str)
    with pytest.raises(TypeError, match=r"tuple\[X, \.\.\.\]"):
        graphql_annotation(tuple[int, str])
