"""uvicorn believes X-Forwarded-For only from the configured proxies: the real processes of
``chakong demo`` and ``chakong serve``, with tight rate limits."""

from __future__ import annotations

import httpx

from gateway.server import uvicorn_options
from gateway.settings import Settings
from tests.gateway.processes import SERVE_KEYS, Process

TIGHT = {"CHAKONG_LIMITS__RATE_PER_MINUTE": "1", "CHAKONG_LIMITS__RATE_BURST": "3"}
ME = {"query": "{ me { role } }"}


def test_uvicorn_trusts_forwarded_headers_only_from_the_trusted_proxies():
    assert uvicorn_options(Settings())["proxy_headers"] is False
    options = uvicorn_options(Settings(trusted_proxies=["10.0.0.5", "10.1.0.0/16"]))
    assert options == {"proxy_headers": True, "forwarded_allow_ips": ["10.0.0.5", "10.1.0.0/16"]}


def statuses(url: str, forwarded: list[str], **headers: str) -> list[int]:
    with httpx.Client(base_url=url, timeout=30) as client:
        return [
            client.post("/graphql", json=ME, headers={"X-Forwarded-For": f, **headers}).status_code
            for f in forwarded
        ]


def test_the_demo_counts_a_local_caller_rotating_x_forwarded_for_as_one(tmp_path, processes):
    demo = Process("demo", "--port", "0", "--mock-latency-ms", "0", cwd=tmp_path, env=TIGHT)
    processes.append(demo)
    url = demo.wait_for(r"Open the explorer: (http://\S+)/graphql")[1]
    rotated = [f"198.51.100.{i}" for i in range(8)]
    assert statuses(url, rotated) == [200] * 3 + [429] * 5
    # a bad token costs the same address its rate
    assert statuses(url, rotated, Authorization="Bearer forged.token.value") == [429] * 8
    assert demo.interrupt() == 0


def test_serve_believes_its_trusted_proxy(tmp_path, processes):
    env = {
        **SERVE_KEYS,
        **TIGHT,
        "CHAKONG_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'g.db'}",
        "CHAKONG_TRUSTED_PROXIES": "127.0.0.1",  # the test is the proxy
    }
    serve = Process("serve", "--port", "0", cwd=tmp_path, env=env)
    processes.append(serve)
    url = serve.wait_for(r"Uvicorn running on (http://\S+)")[1]
    assert statuses(url, [f"198.51.100.{i}" for i in range(8)]) == [200] * 8
    # one client behind the proxy, whatever it writes to the left of the proxy's entry
    one = [f"192.0.2.{i}, 203.0.113.9" for i in range(5)]
    assert statuses(url, one) == [200] * 3 + [429] * 2
    assert serve.interrupt() == 0
