"""Who the client is: the address of the direct peer, unless that peer is a trusted proxy.

``X-Forwarded-For`` is written by whoever sends the request, so it is believed only when the
connection comes from one of the operator's proxies (``Settings.trusted_proxies``, addresses and
networks, none by default). Each proxy appends the address it received the request from, so the
list is read from the right: the client is the rightmost address that is not a trusted proxy
(what a client wrote to the left of it is ignored). uvicorn does the same with the same list
(``forwarded_allow_ips``), so both agree on the client whether uvicorn rewrote the peer or not.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TypeAlias

from starlette.types import Scope

Network: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network

_MAX_LENGTH = 64  # a forwarded value that is not an address is kept, but not at any length


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """The networks of ``entries`` (``10.0.0.5``, ``10.1.0.0/16``, ``::1``); ``ValueError`` for
    anything else."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


class TrustedProxies:
    def __init__(self, proxies: Iterable[str] = ()) -> None:
        self.networks = parse_networks(proxies)

    def trusts(self, host: str | None) -> bool:
        if not self.networks or not host:
            return False
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def client(self, scope: Scope) -> str:
        """The client's address: the peer's, or the one its trusted proxies forwarded."""
        peer = scope.get("client")
        host: str = peer[0] if peer else "unknown"
        if not self.trusts(host):
            return host
        hops = [
            _host(hop)
            for name, value in scope.get("headers", ())
            if name == b"x-forwarded-for"
            for hop in value.decode("latin-1").split(",")
            if hop.strip()
        ]
        for hop in reversed(hops):
            if not self.trusts(hop):
                return hop
        return hops[0] if hops else host  # proxies all the way: the first one is the client


def _host(hop: str) -> str:
    """The address of one forwarded hop, without a port (``1.2.3.4:5``, ``[::1]:5``)."""
    hop = hop.strip()
    if hop.startswith("["):
        hop = hop[1:].partition("]")[0]
    elif hop.count(":") == 1:
        hop = hop.partition(":")[0]
    try:
        return str(ipaddress.ip_address(hop))
    except ValueError:
        return hop[:_MAX_LENGTH]
