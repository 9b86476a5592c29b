"""GraphQL's own messages (graphql-core's parse, validation and coercion errors) in Chinese and
English, as every message of the gateway's own is.

graphql-core writes its messages in English only. A judge who mistypes a field in the explorer
gets the common ones in Chinese beside the English (``bilingual``), matched by their wording in
graphql-core 3.3 (and strawberry's own scalars'); names and values stay as written. A message
not matched here gets a Chinese line that says what kind of error it is and points to the
English. Both are masked as the gateway's own are, and more widely (``mask_ids_in_words``):
graphql-core quotes a refused value whole, and an ID number written as a number, not a string,
or glued to letters (``"abc320812199001011256"`` as a ``Decimal``), would otherwise come back in
full: at least as widely as the gateway masks a refused value it echoes itself (``echoed``).
"""

from __future__ import annotations

import re

from gateway.domain.subjects import mask_ids_in_words

_NAMES = re.compile(r"'([^']*)'")
_SUGGESTION = re.compile(r"^(?P<head>.*?)\s*Did you mean (?P<names>.+)\?$")

PARSE_FALLBACK = "查询语句无法解析（详见英文说明）"
VALIDATION_FALLBACK = "查询语句或变量不符合接口定义（详见英文说明）"

# a name in graphql-core's wording below: ``'{field}'`` matches ``'(?P<field>[^']*)'``
_PLACE = re.compile(r"\{(\w+)\}")
# (graphql-core's wording, its Chinese): the first that matches is taken, and the Chinese is
# filled in with what it matched (``_render``: ``{at}`` and ``{reason}`` in Chinese too)
_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(_PLACE.sub(r"(?P<\1>[^']*)", pattern), re.DOTALL), zh)
    for pattern, zh in [
        (r"^Syntax Error: (?P<detail>.*)$", "查询语句语法错误：{detail}"),
        (r"^Cannot query field '{field}' on type '{type}'\.$", "类型 {type} 没有字段 {field}"),
        (
            r"^Field '{field}' of type '{type}' must have a selection of subfields\.$",
            "字段 {field}（类型 {type}）须选择子字段",
        ),
        (
            r"^Field '{field}' must not have a selection since type '{type}' has no subfields\.$",
            "字段 {field}（类型 {type}）没有子字段，不能再选择",
        ),
        (
            r"^Argument '{argument}' of type '{type}' is required, but it was not provided\.$",
            "缺少必填参数 {argument}（类型 {type}）",
        ),
        (
            r"^Unknown argument '{argument}' on field '{field}'\.$",
            "字段 {field} 没有参数 {argument}",
        ),
        (r"^Unknown type '{type}'\.$", "未知类型 {type}"),
        (r"^Value '{value}' does not exist in '{enum}' enum\.$", "枚举 {enum} 没有取值 {value}"),
        (
            r"^Expected a value of non-null type '{type}' to be provided\.$",
            "须提供 {type} 类型的值",
        ),
        (
            r"^Expected value of type '{type}' to include required field '{field}', found: .*$",
            "类型 {type} 缺少必填字段 {field}",
        ),
        (
            r"^Expected value of type '{type}' not to include unknown field '{field}', found: .*$",
            "类型 {type} 没有字段 {field}",
        ),
        (
            r"^(?P<scalar>String|Int|Float|Boolean|ID) cannot represent (?P<detail>.*)$",
            "值不是 {scalar} 类型（{detail}）",
        ),
        # strawberry's own scalars (Decimal, Date, ...)
        (
            r"^Value cannot represent an? (?P<scalar>\w+): (?P<value>.*?)\.?$",
            "值 {value} 不是 {scalar} 类型",
        ),
        (
            r"^Enum '{enum}' cannot represent non-enum value: (?P<value>.*?)\.?$",
            "枚举 {enum} 不能取 {value}（枚举值不加引号）",
        ),
        (
            r"^Expected value of non-null type '{type}' not to be None\.$",
            "{type} 类型的值不能为 null",
        ),
        (
            r"^Expected value of type '{type}' to be an object, found: (?P<found>.*?)\.?$",
            "{type} 类型的值须为对象，不是 {found}",
        ),
        (r"^Fields '{field}' conflict because .*$", "字段 {field} 冲突：请用不同的别名分别查询"),
        (
            r"^Variable '{variable}' has invalid value(?: at (?P<at>\S+))?: (?P<reason>.*)$",
            "变量 {variable}{at} 取值无效：{reason}",
        ),
        (
            r"^Variable '{variable}' is never used(?: in operation '[^']*')?\.$",
            "变量 {variable} 未被使用",
        ),
        (
            r"^Variable '{variable}' is not defined(?: by operation '[^']*')?\.$",
            "变量 {variable} 未定义",
        ),
        (
            r"^Variable '{variable}' of type '{type}' used in position expecting "
            r"type '{expected}'\.$",
            "变量 {variable} 的类型 {type} 与所需类型 {expected} 不符",
        ),
        (r"^Unknown fragment '{name}'\.$", "未知片段 {name}"),
        (r"^Fragment '{name}' is never used\.$", "片段 {name} 未被使用"),
        (r"^Unknown directive '{name}'\.$", "未知指令 {name}"),
        (r"^There can be only one operation named '{name}'\.$", "只能有一个名为 {name} 的操作"),
        # graphql-core stops validating a document too large for its recursion (a field
        # repeated a thousand times), or with more errors than it reports
        (r"^Validation aborted\.$", "查询语句过大，无法完成校验：请减少字段（含重复的字段）"),
        (
            r"^Too many validation errors, error limit reached\. Validation aborted\.$",
            "校验错误过多，已中止校验：请先修正前面的错误",
        ),
    ]
]


def _render(zh: str, matched: re.Match[str]) -> str:
    names = {key: value or "" for key, value in matched.groupdict().items()}
    if names.get("at"):
        names["at"] = " 的 " + names["at"].lstrip(".")
    if names.get("reason"):
        names["reason"] = _inner(names["reason"])
    return zh.format(**names)


def _inner(reason: str) -> str:
    """A message quoted inside another: its Chinese where known, else as written."""
    return bilingual_zh(reason) or reason


def bilingual_zh(message: str) -> str | None:
    """The Chinese of one of graphql-core's messages, or ``None`` where it is not one of
    those known here. A "Did you mean ...?" suggestion is kept, its names listed."""
    head, suggested = message, ""
    if found := _SUGGESTION.match(message):
        head = found["head"]
        names = _NAMES.findall(found["names"])
        if names:
            suggested = "，是否想用 " + "、".join(names) + "？"
    for pattern, zh in _RULES:
        if matched := pattern.match(head):
            return _render(zh, matched) + suggested
    return None


def bilingual(message: str, *, parse_failed: bool) -> tuple[str, str]:
    """(Chinese, English) for one of graphql-core's messages, both masked."""
    zh = bilingual_zh(message)
    if zh is None:
        zh = PARSE_FALLBACK if parse_failed else VALIDATION_FALLBACK
    return mask_ids_in_words(zh), mask_ids_in_words(message)
