"""docs/schema.graphql is the schema the gateway serves: regenerate it with `chakong schema`."""

from __future__ import annotations

from pathlib import Path

from gateway.api import build_schema

DOC = Path(__file__).resolve().parents[3] / "docs" / "schema.graphql"


def test_schema_docs_are_current():
    expected = build_schema().as_str() + "\n"
    assert DOC.read_text(encoding="utf-8") == expected, (
        "docs/schema.graphql is stale: run `.venv/bin/chakong schema > docs/schema.graphql`"
    )


def test_every_type_field_and_argument_is_described_in_both_languages():
    schema = build_schema()._schema
    missing = []
    for name, graphql_type in schema.type_map.items():
        if name.startswith("__") or name in {"String", "Boolean", "Int", "Float", "ID"}:
            continue
        description = graphql_type.description or ""
        if name not in {"Date", "DateTime", "Decimal"} and " / " not in description:
            missing.append(name)
        for field_name, field in getattr(graphql_type, "fields", {}).items():
            if " / " not in (field.description or ""):
                missing.append(f"{name}.{field_name}")
            for arg_name, arg in getattr(field, "args", {}).items():
                if " / " not in (arg.description or ""):
                    missing.append(f"{name}.{field_name}({arg_name})")
    assert missing == []
