"""RFC 9457 problem documents, as the mocks send them: bilingual, never echoing a secret."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import JSONResponse

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "urn:chakong:problem:"


def problem_response(
    status: int,
    slug: str,
    title: tuple[str, str],
    detail: tuple[str, str],
    *,
    headers: Mapping[str, str] | None = None,
    instance: str | None = None,
) -> JSONResponse:
    """A problem+json response; ``title`` and ``detail`` are (Chinese, English) pairs.

    Callers pass fixed texts or values they have checked; never a header or a token.
    """
    problem: dict[str, str | int] = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": f"{title[0]} / {title[1]}",
        "status": status,
        "detail": f"{detail[0]} / {detail[1]}",
    }
    if instance is not None:
        problem["instance"] = instance
    return JSONResponse(
        problem,
        status_code=status,
        headers=dict(headers or {}),
        media_type=PROBLEM_MEDIA_TYPE,
    )


UNAUTHORIZED = (
    ("未授权", "Unauthorized"),
    ("缺少或无效的访问令牌", "a valid bearer token is required"),
)
