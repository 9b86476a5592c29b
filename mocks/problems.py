"""RFC 9457 problem documents, as the mocks send them: bilingual, never echoing a secret.

``validation_detail`` says where a body breaks a mock's model, in both languages: the field's
location and a reason written here for each pydantic error type, never pydantic's own English
message or the input. A validator of the mocks' own raises ``bilingual_error``.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError
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


# pydantic's error types, as (Chinese, English) reasons; ``{...}`` are the error's context
# values, which come from the model (a limit, the values allowed), never from the input
_NUMBER = ("应为数字", "must be a number")
_WHOLE = ("应为整数", "must be a whole number")
_DATE = ("应为日期，如 2026-01-31", "must be a date such as 2026-01-31")
_OBJECT = ("应为 JSON 对象", "must be a JSON object")
_REASONS: dict[str, tuple[str, str]] = {
    "json_invalid": ("不是有效的 JSON", "not valid JSON"),
    "json_type": ("不是有效的 JSON", "not valid JSON"),
    "missing": ("缺少此字段", "required"),
    "extra_forbidden": ("不接受此字段", "not an accepted field"),
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "dict_type": _OBJECT,
    "list_type": ("应为数组", "must be an array"),
    "string_type": ("应为字符串", "must be a string"),
    "string_too_short": ("至少 {min_length} 个字符", "at least {min_length} character(s)"),
    "string_too_long": ("至多 {max_length} 个字符", "at most {max_length} character(s)"),
    "too_short": ("至少 {min_length} 项", "at least {min_length} item(s)"),
    "too_long": ("至多 {max_length} 项", "at most {max_length} item(s)"),
    "literal_error": ("应为 {expected} 之一", "must be {expected}"),
    "greater_than_equal": ("应不小于 {ge}", "must be at least {ge}"),
    "less_than_equal": ("应不大于 {le}", "must be at most {le}"),
    "greater_than": ("应大于 {gt}", "must be more than {gt}"),
    "less_than": ("应小于 {lt}", "must be less than {lt}"),
    "finite_number": ("应为有限的数", "must be a finite number"),
    "float_type": _NUMBER,
    "float_parsing": _NUMBER,
    "decimal_type": _NUMBER,
    "decimal_parsing": _NUMBER,
    "int_type": _WHOLE,
    "int_parsing": _WHOLE,
    "int_from_float": _WHOLE,
    "bool_type": ("应为 true 或 false", "must be true or false"),
    "bool_parsing": ("应为 true 或 false", "must be true or false"),
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
}
_BILINGUAL = "bilingual"  # the type of a ``bilingual_error``


def bilingual_error(zh: str, en: str) -> PydanticCustomError:
    """What a mock's validator raises: its ``validation_detail`` reason in both languages (and
    ``en`` as the ``ValidationError``'s message, for Python callers)."""
    return PydanticCustomError(_BILINGUAL, "{en}", {"zh": zh, "en": en})


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
    context = {key: str(value) for key, value in error.get("ctx", {}).items()}
    kind = error["type"]
    if kind == _BILINGUAL:
        return context["zh"], context["en"]
    if kind not in _REASONS:
        return f"取值无效（{kind}）", f"invalid value ({kind})"
    zh, en = _REASONS[kind]
    if kind == "literal_error":  # pydantic lists the values as "'a', 'b' or 'c'"
        expected = context["expected"]
        return zh.format(expected=expected.replace(" or ", "、").replace(", ", "、")), en.format(
            expected=expected
        )
    return zh.format_map(context), en.format_map(context)
