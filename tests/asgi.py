"""Requests straight through ASGI, for what no HTTP client would send."""

from __future__ import annotations

from starlette.types import ASGIApp, Message


async def raw_post(
    app: ASGIApp,
    path: str,
    content_length: str,
    body: bytes,
    *,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    """One POST straight through ASGI, with a Content-Length header no HTTP client would send."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"content-type", b"application/json"),
            (b"accept", b"application/json"),
            (b"content-length", content_length.encode("latin-1")),  # as the wire carries it
            *((k.lower().encode(), v.encode()) for k, v in (headers or {}).items()),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[Message] = []

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
