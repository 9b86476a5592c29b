"""RFC 9457 problem documents, as the mocks send them: bilingual, never echoing a secret.

``validation_detail`` says where a body breaks a mock's model, in both languages: the field's
location and the reason ``gateway.domain.reasons`` gives for each pydantic error type, never
pydantic's own English message or the input. A validator of the mocks' own raises that module's
``bilingual_error``.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from starlette.responses import JSONResponse

from gateway.domain.reasons import validation_reason

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


def validation_detail(exc: ValidationError, shown: int = 5) -> tuple[str, str]:
    """(Chinese, English): how many errors, and the first ``shown`` as ``location: reason``."""
    zh, en = [], []
    for error in exc.errors(include_url=False, include_input=False)[:shown]:
        where = ".".join(str(part) for part in error["loc"]) or "body"
        reason_zh, reason_en = _reason(error)
        zh.append(f"{where}：{reason_zh}")
        en.append(f"{where}: {reason_en}")
    count = exc.error_count()
    return f"{count} 处错误：{'；'.join(zh)}", f"{count} error(s): {'; '.join(en)}"


def _reason(error: ErrorDetails) -> tuple[str, str]:
    kind = error["type"]
    return validation_reason(error) or (f"取值无效（{kind}）", f"invalid value ({kind})")
