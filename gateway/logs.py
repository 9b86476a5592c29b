"""Log lines never carry a full ID number or credit code.

Masking happens on the finished line: ``MaskingFormatter`` wraps a handler's formatter, lets
it format the record as usual (uvicorn's access formatter reads ``record.args``, so the record
itself is left alone), then masks every identifier in the text (``320812********1256``),
whichever logger wrote it: the gateway's own lines, strawberry's error reports, tracebacks,
uvicorn's access log (a GET request's query string can carry a subject's number).

The gateway accepts one number written in many ways as the same person, so the line is matched
on a normalised copy: percent-encoding (``%33``, ``%EF%BC%93``) and GraphQL / JSON escapes
(``\\u0033``) decoded, full-width and other Unicode digits read as ASCII digits, and spaces,
``+`` and dashes between digits dropped. What matches is masked in the line as written, so the
line stays readable: ``320812 ******** 1256``, ``%33%32%30%38%31%32********1256``. A valid number
glued to letters is masked too (``ID320812********1256``, or a URL encoded twice:
``%253A320812********1256``), in a run of up to 31 letters and digits: longer runs are the
gateway's own ids (32 hex digits), hashes and signatures, which a log must keep whole to be read.

Nor does a line carry a bearer token: a JWT (``eyJ...``) keeps its header, which names the key,
and loses its claims and signature (``eyJhbGciOi...J9.***``), wherever it was written (a client
that sends its token in the URL puts it in the access log).
"""

from __future__ import annotations

import copy
import logging
import logging.config
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from uvicorn.config import LOGGING_CONFIG

from gateway.domain.subjects import (
    contains_id_like,
    mask_id,
    mask_ids_in_text,
    valid_ids_inside,
)

# one UTF-8 encoded character, percent-encoded (a malformed sequence is left as written)
_PERCENT_CHAR = re.compile(
    r"%[0-7][0-9A-F]|%[CD][0-9A-F]%[89AB][0-9A-F]|%E[0-9A-F](?:%[89AB][0-9A-F]){2}"
    r"|%F[0-7](?:%[89AB][0-9A-F]){3}",
    re.IGNORECASE,
)
# GraphQL and JSON escapes (\u0033, GraphQL's \u{33}); a JSON string inside a JSON string
# doubles the backslash
_ESCAPE = re.compile(r"\\+u(?:([0-9A-Fa-f]{4})|\{([0-9A-Fa-f]{1,6})\})")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# what may stand between the digits of a number the gateway accepts: whitespace, a dash,
# a query string's "+" for a space
_SEP_CHAR = r"[\s+\-\u2010-\u2015\u2212\ufe63\uff0d]"
_SEP = _SEP_CHAR + "{1,3}"
_BETWEEN_DIGITS = re.compile(rf"(?<=\d){_SEP}(?=\d)")
# a credit code's letters (91320812 MA0002015P), or an ID number's final X
_BESIDE_DIGITS = re.compile(rf"(?<=\d){_SEP}(?=[0-9A-Za-z])|(?<=[0-9A-Za-z]){_SEP}(?=\d)")
# what every identifier a view may hold is made of: 15 or more of these in a row (digits, and a
# credit code's letters, which the identifiers' pattern matches ignoring case: with it, [A-Z]
# also matches these four non-ASCII letters), six digits in a row among them; the views join
# characters only across runs of at most three separators
_ID_CHAR = r"[A-Za-z\d\u0130\u0131\u017f\u212a]"  # \d: every Unicode digit, ASCII ones too
_ID_RUN = re.compile(rf"{_ID_CHAR}(?:{_SEP_CHAR}{{0,3}}{_ID_CHAR})*")
_SIX_DIGITS = re.compile(rf"\d(?:{_SEP_CHAR}{{0,3}}\d){{5}}")
# a run of letters and digits short enough to be a number glued to a word ("abc320812...", "ID"
# typed against it, a "%3A" left encoded) rather than a hash, a key or a signature: the gateway's
# own request, control and list entry ids are 32 hex digits, a SHA-256 64 and a signature longer,
# and a third of the 32-character ones would hold a credit code's form by chance
_GLUED_RUN = re.compile(r"(?<![\dA-Z])[\dA-Z]{15,31}(?![\dA-Z])", re.IGNORECASE)
# a JWT: base64url header (always a JSON object: "eyJ"), claims and signature
_JWT = re.compile(r"(eyJ[\w-]+)\.[\w-]+\.[\w-]*", re.ASCII)


class _View:
    """A normalised copy of a text; ``spans[i]`` is where its i-th character came from."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans = [(i, i + 1) for i in range(len(text))]

    def rewrite(self, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]) -> None:
        """Replace each match of ``pattern``; a replacement's characters span the whole match."""
        parts: list[str] = []
        spans: list[tuple[int, int]] = []
        last = 0
        for match in pattern.finditer(self.text):
            start, end = match.span()
            new = replace(match)
            if new == match.group(0):
                continue
            parts.append(self.text[last:start])
            spans.extend(self.spans[last:start])
            if new:
                span = (self.spans[start][0], self.spans[end - 1][1])
                parts.append(new)
                spans.extend([span] * len(new))
            last = end
        if not parts:
            return
        parts.append(self.text[last:])
        spans.extend(self.spans[last:])
        self.text = "".join(parts)
        self.spans = spans

    def masked_spans(self) -> set[tuple[int, int]]:
        """Where, in the original text, the characters that masking hides came from."""
        masked = _GLUED_RUN.sub(_glued, mask_ids_in_text(self.text))
        if masked == self.text:
            return set()
        return {
            self.spans[i]
            for i, (was, now) in enumerate(zip(self.text, masked, strict=True))
            if now == "*" and was != "*"
        }


def _glued(match: re.Match[str]) -> str:
    """A short run of letters and digits with each valid number written in it masked as
    ``mask_id`` masks one standing alone: ``abc320812********1256``."""
    run = match.group(0)
    for start, end in valid_ids_inside(run):
        run = run[:start] + mask_id(run[start:end]) + run[end:]
    return run


def _holds_in_view(text: str) -> bool:
    """Whether ``_View.masked_spans`` finds anything to hide in a view's text."""
    return contains_id_like(text) or any(valid_ids_inside(run) for run in _GLUED_RUN.findall(text))


def _percent(match: re.Match[str]) -> str:
    raw = bytes.fromhex(match.group(0).replace("%", ""))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return match.group(0)


def _escape(match: re.Match[str]) -> str:
    code = int(match.group(1) or match.group(2), 16)
    return chr(code) if code <= 0x10FFFF else match.group(0)


def _ascii(match: re.Match[str]) -> str:
    char = match.group(0)
    digit = unicodedata.decimal(char, None)  # ３, ٣, ३ ...
    if digit is not None:
        return str(digit)
    folded = unicodedata.normalize("NFKC", char)  # full-width letters (Ｘ) and dashes (－)
    return folded if len(folded) == 1 and folded.isascii() else char


# the decodings, in order, each with when it is needed (cheaper than matching for nothing), then
# the separators dropped one kind after the other: the same steps for the check and the masking
_DECODINGS: tuple[
    tuple[Callable[[str], bool], re.Pattern[str], Callable[[re.Match[str]], str]], ...
] = (
    (lambda text: "%" in text, _PERCENT_CHAR, _percent),
    (lambda text: "\\" in text, _ESCAPE, _escape),
    (lambda text: not text.isascii(), _NON_ASCII, _ascii),
)
_SEPARATORS = (_BETWEEN_DIGITS, _BESIDE_DIGITS)


def _holds_identifier(text: str) -> bool:
    """Whether any of the views ``mask_identifiers`` matches holds an identifier: the same
    rewrites, on the text alone. Most lines hold none (a subject's number is logged masked), and
    for them this is all the work: the views' spans, a pair of numbers per character, cost about
    five times as much. Most of those lines have no room for one at all (no 15 characters an
    identifier is written with, six digits among them, in a row but for separators), which one
    pass over the decoded text tells: 13 us for the inquiry's log line, against 46 us for
    matching its three views."""
    for needed, pattern, replace in _DECODINGS:
        if needed(text):
            text = pattern.sub(replace, text)
    if not any(len(run) >= 15 and _SIX_DIGITS.search(run) for run in _ID_RUN.findall(text)):
        return False  # no view of the text has room for one (a log line's usual case)
    if _holds_in_view(text):
        return True
    for separator in _SEPARATORS:
        text = separator.sub("", text)
        if _holds_in_view(text):
            return True
    return False


def mask_identifiers(text: str) -> str:
    """``text`` with every ID number and credit code masked, in whichever form it is written,
    and every bearer token's claims and signature hidden."""
    if "eyJ" in text:
        text = _JWT.sub(r"\1.***", text)
    return _masked(text) if _holds_identifier(text) else text


def _masked(text: str) -> str:
    """``mask_identifiers`` without the check first."""
    view = _View(text)
    for needed, pattern, replace in _DECODINGS:
        if needed(view.text):
            view.rewrite(pattern, replace)
    spans = view.masked_spans()
    # without the separators between a number's parts; each view is matched, as dropping a
    # separator may also glue a number to its neighbour ("200 320812...", "id 320812..."),
    # which then no longer stands alone
    for separator in _SEPARATORS:
        view.rewrite(separator, lambda _: "")
        spans |= view.masked_spans()
    if not spans:
        return text
    out: list[str] = []
    last = 0
    for start, end in sorted(spans):
        if start < last:
            continue  # spans are the same or disjoint; the same was written already
        out.append(text[last:start])
        out.append("*")
        last = end
    out.append(text[last:])
    return "".join(out)


class MaskingFormatter(logging.Formatter):
    """Formats a record with ``inner`` (any formatter), then masks the identifiers in the line."""

    def __init__(self, inner: logging.Formatter | None = None) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        return mask_identifiers(self.inner.format(record))


def masking_formatter(
    inner: str | Callable[..., logging.Formatter], **kwargs: Any
) -> MaskingFormatter:
    """A ``logging.config.dictConfig`` factory: ``{"()": masking_formatter, "inner": factory,
    ...the inner formatter's own arguments}``."""
    factory = inner if callable(inner) else logging.config.BaseConfigurator({}).resolve(inner)
    return MaskingFormatter(factory(**kwargs))


def mask_root_handlers() -> None:
    """Mask identifiers on every handler of the root logger (after ``basicConfig``)."""
    for handler in logging.getLogger().handlers:
        if not isinstance(handler.formatter, MaskingFormatter):
            handler.setFormatter(MaskingFormatter(handler.formatter))


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration, with identifiers masked by each of its formatters."""
    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    formatters: dict[str, dict[str, Any]] = config["formatters"]
    for name, conf in formatters.items():
        own = dict(conf)
        inner = own.pop("()", "logging.Formatter")
        if inner == "logging.Formatter":  # dictConfig's own keys, as the constructor names them
            own = {{"format": "fmt"}.get(k, k): v for k, v in own.items()}
        formatters[name] = {"()": masking_formatter, "inner": inner, **own}
    return config
