"""Each agency's committed contract document, ``connectors/<agency>/openapi.json``, as a file.

The mocks serve it as committed and are tested against it; they never build it, so a field
renamed on one side only shows as a failing test.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any


@functools.cache
def contract_bytes(agency: str) -> bytes:
    """The agency's OpenAPI document, byte for byte as committed (``FileNotFoundError`` if none)."""
    return (resources.files("connectors") / agency / "openapi.json").read_bytes()


def contract_document(agency: str) -> dict[str, Any]:
    """The agency's OpenAPI document, parsed (a fresh copy each call)."""
    document = json.loads(contract_bytes(agency))
    if not isinstance(document, dict):
        raise ValueError(f"connectors/{agency}/openapi.json is not a JSON object")
    return document
