"""Talking to the running processes: GraphQL to the gateway, and the mocks' own endpoints.

``Client`` posts to the gateway and checks every answer is whole before it counts; the court's
case system registers the benchmark's cases through it. The mocks' ``/_mock/stats`` count the
calls they received, ``/_mock/faults`` sets their latency, and ``direct_floor`` asks them
without the gateway.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx

from bench.fanout import procs, queries


class Client:
    """Posts GraphQL to the gateway with a bearer token; checks every answer is whole before it
    counts."""

    def __init__(self, http: httpx.AsyncClient, url: str, token: str) -> None:
        self.http = http
        self.url = f"{url}/graphql"
        self.headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Bearer {token}",
        }
        self.last_size = 0  # the bytes of the last answer's body, as the gateway sent them

    async def post(self, body: bytes) -> tuple[float, dict[str, Any]]:
        """(seconds until the whole response was read, the response's ``data``)."""
        start = time.perf_counter()
        response = await self.http.post(self.url, content=body, headers=self.headers)
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise RuntimeError(
                f"the gateway answered HTTP {response.status_code}: {response.text[:500]}"
            )
        self.last_size = len(response.content)
        payload = response.json()
        if payload.get("errors") or not payload.get("data"):
            raise RuntimeError(f"the query failed: {json.dumps(payload)[:1000]}")
        data: dict[str, Any] = payload["data"]
        return elapsed, data


def encode(query: str, variables: dict[str, Any]) -> bytes:
    return json.dumps({"query": query, "variables": variables}, ensure_ascii=False).encode()


async def register_cases(http: httpx.AsyncClient, gateway: procs.Gateway, batch_size: int) -> None:
    """Register the benchmark's two cases (OPEN, judge J001) as the court's case system: the
    example case with its one debtor, for the single inquiry, and the batch's case with the
    batch's debtors. The gateway answers inquiries only within a registered case, and looks the
    case up before every inquiry, so a case's size is part of what is measured: most cases have
    one or a few debtors."""
    await register_case(http, gateway, [queries.example_subject()], queries.CASE_NUMBER)
    batch = queries.batch_subjects(batch_size)
    await register_case(http, gateway, batch, queries.BATCH_CASE_NUMBER)


async def register_case(
    http: httpx.AsyncClient,
    gateway: procs.Gateway,
    debtors: list[dict[str, str]],
    case_number: str,
) -> None:
    system = Client(http, gateway.url, gateway.system_token)
    variables = queries.case_variables(debtors, case_number)
    _, data = await system.post(encode(queries.SAVE_CASE, variables))
    saved = data["saveCase"]
    if saved["caseNumber"] != case_number or saved["status"] != "OPEN":
        raise RuntimeError(f"the case was not registered as expected: {saved}")


async def mock_stats(http: httpx.AsyncClient, mocks: procs.Mocks) -> dict[str, dict[str, int]]:
    auth = {"Authorization": f"Bearer {mocks.token}"}
    stats = {}
    for agency, url in mocks.urls.items():
        response = await http.get(f"{url}/_mock/stats", headers=auth)
        response.raise_for_status()
        stats[agency] = response.json()
    return stats


def stats_delta(
    before: dict[str, dict[str, int]], after: dict[str, dict[str, int]], key: str
) -> dict[str, int]:
    return {a: after[a][key] - before[a][key] for a in after}


async def set_latency(http: httpx.AsyncClient, mocks: procs.Mocks, latency_ms: float) -> None:
    auth = {"Authorization": f"Bearer {mocks.token}"}
    for url in mocks.urls.values():
        response = await http.put(
            f"{url}/_mock/faults", json={"latency_ms": latency_ms}, headers=auth
        )
        response.raise_for_status()


def direct_agencies(mocks: procs.Mocks) -> dict[str, str]:
    """The mocks the gateway calls about the example debtor (a natural person): all but permits."""
    serving = set(queries.serving(queries.example_subject()["kind"]))
    return {agency: url for agency, url in mocks.urls.items() if agency in serving}


async def direct_floor(http: httpx.AsyncClient, mocks: procs.Mocks, count: int) -> list[float]:
    """Ms for the bench itself to ask at once every mock the gateway asks: the floor of (a)."""
    auth = {"Authorization": f"Bearer {mocks.token}", "Content-Type": "application/json"}
    urls = direct_agencies(mocks)
    samples = []
    for index in range(count):
        body = queries.agency_inquiry_body(f"bench-direct-{index}")
        start = time.perf_counter()
        answers = await asyncio.gather(
            *(http.post(f"{url}/v1/inquiries", content=body, headers=auth) for url in urls.values())
        )
        samples.append((time.perf_counter() - start) * 1000)
        for answer in answers:
            answer.raise_for_status()
    return samples
