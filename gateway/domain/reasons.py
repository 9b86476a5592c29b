"""Why pydantic refused a value, in Chinese and English: a reason written here for each of its
error types, never pydantic's own English message or the input.

The mocks' 400s and the command line's refused settings say the same thing the same way. A
validator of our own raises :func:`bilingual_error` to give its reason in both languages.
"""

from __future__ import annotations

from pydantic_core import ErrorDetails, PydanticCustomError

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
    "url_parsing": ("不是有效的地址", "not a valid URL"),
    "url_scheme": ("地址的协议不受支持", "the URL's scheme is not supported"),
    "int_parsing_size": ("数值过大", "too large a number"),
    "string_pattern_mismatch": ("格式不符", "not in the expected form"),
}
_BILINGUAL = "bilingual"  # the type of a ``bilingual_error``


def bilingual_error(zh: str, en: str) -> PydanticCustomError:
    """What a validator raises to say why in both languages (``en`` is the
    ``ValidationError``'s message, for Python callers and logs)."""
    return PydanticCustomError(_BILINGUAL, "{en}", {"zh": zh, "en": en})


def validation_reason(error: ErrorDetails) -> tuple[str, str] | None:
    """(Chinese, English) for an error of a type written here or a ``bilingual_error``; None
    for any other (the caller says what it may: the mocks a neutral reason, the command line
    pydantic's message beside a Chinese one)."""
    context = {key: str(value) for key, value in error.get("ctx", {}).items()}
    kind = error["type"]
    if kind == _BILINGUAL:
        return context["zh"], context["en"]
    if kind not in _REASONS:
        return None
    zh, en = _REASONS[kind]
    if kind == "literal_error":  # pydantic lists the values as "'a', 'b' or 'c'"
        expected = context["expected"]
        return zh.format(expected=expected.replace(" or ", "、").replace(", ", "、")), en.format(
            expected=expected
        )
    return zh.format_map(context), en.format_map(context)


__all__ = ["bilingual_error", "validation_reason"]
