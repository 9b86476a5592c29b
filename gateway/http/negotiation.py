"""Media types: which one an answer has, and what a request body says it is.

The answer's media type comes from ``Accept``: ``application/graphql-response+json`` when the
caller names it (and prefers it), ``application/json`` otherwise, including for ``*/*`` and a
missing ``Accept``; 406 when neither is acceptable. ``Content-Type`` always says utf-8.
"""

from __future__ import annotations

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"


def _media_ranges(header: str) -> list[tuple[str, float]]:
    """``Accept`` as (media range, q) pairs; malformed q-values count as 0."""
    ranges = []
    for part in header.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
                if not 0.0 <= q <= 1.0:
                    q = 0.0
        ranges.append((media.lower(), q))
    return ranges


def _quality(ranges: list[tuple[str, float]], media: str) -> tuple[float, int]:
    """The q-value ``Accept`` gives ``media`` and how specific its matching range is (2 named,
    1 ``type/*``, 0 ``*/*``, -1 not acceptable)."""
    kind = media.split("/")[0]
    best: tuple[int, float] = (-1, 0.0)
    for candidate, q in ranges:
        if candidate == media:
            specificity = 2
        elif candidate == f"{kind}/*":
            specificity = 1
        elif candidate == "*/*":
            specificity = 0
        else:
            continue
        best = max(best, (specificity, q), key=lambda sq: sq[0])
    specificity, q = best
    return (q, specificity) if q > 0 else (0.0, -1)


def negotiate(accept: str | None) -> str | None:
    """The response media type for an ``Accept`` header, or ``None`` (406).

    No header means ``application/json``; so does a wildcard, for older clients. A caller that
    names ``application/graphql-response+json`` gets it unless it prefers ``application/json``.
    """
    if accept is None or not accept.strip():
        return JSON
    ranges = _media_ranges(accept)
    graphql_q, graphql_named = _quality(ranges, GRAPHQL_RESPONSE_JSON)
    json_q, _ = _quality(ranges, JSON)
    if graphql_q == 0 and json_q == 0:
        return None
    if graphql_q > json_q or (graphql_q == json_q and graphql_named == 2):
        return GRAPHQL_RESPONSE_JSON
    return JSON


def admits(accept: str | None, media: str) -> bool:
    """Does ``Accept`` admit ``media`` (by name, ``type/*`` or ``*/*``, with a q above 0)? No
    header admits anything (RFC 9110 12.5.1)."""
    if accept is None or not accept.strip():
        return True
    quality, _ = _quality(_media_ranges(accept), media)
    return quality > 0


def accepts_html(accept: str | None) -> bool:
    if not accept:
        return False
    return any(m == "text/html" and q > 0 for m, q in _media_ranges(accept))


def content_type(header: str | None) -> tuple[str, dict[str, str]]:
    """A ``Content-Type`` header as its media type and its parameters, all lower case."""
    media, *params = (header or "").split(";")
    values = {}
    for param in params:
        name, _, value = param.partition("=")
        values[name.strip().lower()] = value.strip().strip('"').lower()
    return media.strip().lower(), values


__all__ = ["GRAPHQL_RESPONSE_JSON", "JSON", "accepts_html", "admits", "content_type", "negotiate"]
