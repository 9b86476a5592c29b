"""``GET /report``: the inquiry report of one debtor of a case, as HTML or PDF.

    GET /report?case=(2026)苏0812执123号&subject=320812198203151256&format=pdf
    Authorization: Bearer <token>

Parameters: ``case`` and ``subject`` (required), ``kind`` (``NATURAL`` / ``LEGAL``; inferred
when left out), ``format`` (``html``, the default, or ``pdf``), each at most once. Behind the
same authentication and rate limit as ``/graphql``; the inquiry is the ``debtor`` field's
(``gateway.resolvers.report``). Every error is a coded GraphQL-shaped JSON body with the status
of its kind (400 bad input, 401, 403, 406 an ``Accept`` that admits neither the format's media
type nor ``*/*``, 429, 503), as on ``/graphql``. Only GET: the route refuses HEAD (405), which
would run the whole inquiry to send no body (``gateway.app``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from gateway.domain.errors import (
    INTERNAL_ERROR_EN,
    INTERNAL_ERROR_ZH,
    ChakongError,
    InvalidInputError,
)
from gateway.domain.inputs import check_text
from gateway.explorer import versioned_font_css_url  # the font a browser loads, and caches
from gateway.http.challenge import refusal_headers
from gateway.http.middleware import error_body
from gateway.http.negotiation import admits
from gateway.http.params import repeated
from gateway.http.status import PRIVATE_ANSWER
from gateway.resolvers.report import report_inquiry
from gateway.schema.context import Context
from gateway.services.report import ensure_font, render_html, render_pdf

log = logging.getLogger(__name__)

FORMATS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}
PARAMETERS = ("case", "subject", "kind", "format")


class NotAcceptableError(ChakongError):
    """The caller's ``Accept`` admits neither the report's media type nor ``*/*``."""

    code = "NOT_ACCEPTABLE"
    http_status = 406


class ReportEndpoint:
    """The ASGI endpoint; ``context(request)`` is the application's (as for ``/graphql``)."""

    def __init__(
        self,
        context: Callable[[Request], Awaitable[Context]],
        *,
        font_css_url: str | None = None,
    ) -> None:
        self._context = context
        # with the explorer's ``?v=``: the browser keeps it for good, not asking on every report
        self.font_css_url = font_css_url or versioned_font_css_url()
        self._printing = asyncio.Semaphore(1)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.handle(Request(scope, receive))
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        try:
            case, subject, kind, fmt = _params(request)
            _check_accept(request.headers.get("accept"), fmt)
            context = await self._context(request)
            ready = ensure_font if fmt == "pdf" else None  # checked once the caller may ask
            report = await report_inquiry(context, case, subject, kind, ready=ready)
            if fmt == "pdf":
                async with self._printing:  # one at a time: it takes a core for seconds
                    body = await asyncio.to_thread(render_pdf, report)
            else:
                body = render_html(report, font_css_url=self.font_css_url).encode("utf-8")
        except ChakongError as exc:
            return _error(exc)
        except Exception:
            log.exception("unexpected failure producing a report")
            internal = ChakongError(INTERNAL_ERROR_ZH, INTERNAL_ERROR_EN, code="INTERNAL_ERROR")
            return _error(internal, 500)
        name = f"chakong-report-{report.entry.seq}.{fmt}"
        disposition = "attachment" if fmt == "pdf" else "inline"
        headers = {
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(name)}",
            **PRIVATE_ANSWER,  # personal data: never kept by a proxy or browser cache
            "X-Audit-Entry": str(report.entry.seq),
        }
        return Response(body, media_type=FORMATS[fmt], headers=headers)


def _params(request: Request) -> tuple[str, str, str | None, str]:
    params = request.query_params
    for name, value in params.multi_items():  # the rule of every request's text, as /graphql's
        check_text(name, "参数名", "a parameter's name")
        check_text(value, f"参数 {name}", f"parameter {name}")
    twice = repeated(params, PARAMETERS)  # which one was meant is not ours to guess
    if twice:
        raise InvalidInputError(
            f"参数重复：{'、'.join(twice)}", f"parameter given more than once: {', '.join(twice)}"
        )
    missing = [name for name in ("case", "subject") if not params.get(name, "").strip()]
    if missing:
        names = "、".join(missing)
        raise InvalidInputError(f"缺少参数：{names}", f"missing parameter: {', '.join(missing)}")
    fmt = params.get("format", "html").strip().lower()
    if fmt not in FORMATS:
        raise InvalidInputError("format 应为 html 或 pdf", "format must be html or pdf")
    kind = params.get("kind") or None
    return params["case"], params["subject"], kind, fmt


def _check_accept(accept: str | None, fmt: str) -> None:
    """A 406 unless ``Accept`` admits the format's media type (by name, ``type/*`` or ``*/*``,
    with a q above 0); no ``Accept`` admits anything (RFC 9110 12.5.1)."""
    media = FORMATS[fmt].split(";")[0]
    if not admits(accept, media):
        raise NotAcceptableError(
            f"报告仅能以 {media} 答复（format={fmt}），请求的 Accept 不接受",
            f"the report (format={fmt}) is {media} only, which the request's Accept refuses",
        )


def _error(exc: ChakongError, status: int | None = None) -> Response:
    code = status or exc.http_status or 400
    headers = {**PRIVATE_ANSWER, **refusal_headers(code, exc)}
    return Response(
        error_body(exc),
        status_code=code,
        media_type="application/json; charset=utf-8",
        headers=headers,
    )
