"""JSON Schema checks against a committed contract document (Draft 2020-12).

``validator(document, "InquiryResponse")`` checks a JSON value against one of the document's
``components.schemas``, its ``#/components/schemas/...`` references resolved in the document.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from jsonschema.exceptions import best_match


def validator(document: dict[str, Any], schema: str) -> Draft202012Validator:
    """A validator of ``document``'s ``components.schemas[schema]`` (``KeyError`` if absent)."""
    components = document["components"]
    if schema not in components.get("schemas", {}):
        raise KeyError(f"the document has no schema {schema!r}")
    root = {"$ref": f"#/components/schemas/{schema}", "components": components}
    return Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)


def first_error(
    document: dict[str, Any],
    schema: str,
    value: Any,
    *,
    results_at: Sequence[int] | None = None,
) -> str | None:
    """None if ``value`` keeps ``schema``; else where and how it breaks it, in one line.
    ``results_at``: where each of ``value``'s ``results`` stood in the answer it was taken from
    (a few of many, ``Kit.answer``), so that the line names the answer's own position."""
    errors = list(validator(document, schema).iter_errors(value))
    if not errors:
        return None
    return f"{len(errors)} error(s), first at {describe(errors[0], results_at=results_at)}"


def describe(error: ValidationError, *, results_at: Sequence[int] | None = None) -> str:
    """Where and how: inside an ``anyOf`` (a record or null), the branch that came closest."""
    error = best_match([error])
    path = list(error.absolute_path)
    if results_at is not None and len(path) > 1 and path[0] == "results":
        path[1] = results_at[int(path[1])]
    where = ".".join(str(part) for part in path) or "body"
    return f"{where}: {error.message[:200]}"
