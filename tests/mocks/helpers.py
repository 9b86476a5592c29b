"""Helpers for the mock harness tests: a long token, request bodies, in-process clients."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette

from connectors.envelope import SubjectKindName
from mocks.synthetic import Tier, example_subjects

TOKEN = "mock-test-token-7f3a9c2e51d84b06"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EXAMPLES = example_subjects()


def subject(kind: SubjectKindName, tier: Tier, name: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"kind": kind, "id": EXAMPLES[kind][tier]}
    if name is not None:
        entry["name"] = name
    return entry


def inquiry(*subjects: dict[str, Any], request_id: str = "req-0001") -> dict[str, Any]:
    return {
        "requestId": request_id,
        "caseNumber": "(2025)苏0812执1号",
        "court": "淮安市清江浦区人民法院",
        "subjects": list(subjects) or [subject("natural", Tier.RICH)],
    }


def client_for(app: Starlette) -> httpx.AsyncClient:
    """An httpx client that calls ``app`` in process."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock")
