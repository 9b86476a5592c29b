"""Errors the gateway raises to its callers, grouped by what the caller should do.

    ChakongError                 root; every error carries a stable ``code`` and a bilingual message
    ├── InvalidInputError        fix the request and send it again (GraphQL error, never a 500)
    │   ├── InvalidSubjectError  an ID number or credit code that does not validate
    │   └── InvalidCaseNumberError
    └── LimitExceededError       make the request smaller (batch size, deadline range)

Failures of an agency are *not* errors of the request: they are data, a
``SourceResult`` with a status (see ``gateway.domain.sources``).
"""

from __future__ import annotations


class ChakongError(Exception):
    """Root of the gateway's own errors: ``code`` is stable, messages are in Chinese and English."""

    code = "CHAKONG_ERROR"

    def __init__(self, message_zh: str, message_en: str, *, code: str | None = None) -> None:
        self.message_zh = message_zh
        self.message_en = message_en
        if code is not None:
            self.code = code
        super().__init__(f"{message_zh} / {message_en}")


class InvalidInputError(ChakongError):
    """The request is wrong; the caller must fix it."""

    code = "INVALID_INPUT"


class InvalidSubjectError(InvalidInputError):
    code = "INVALID_SUBJECT_ID"


class InvalidCaseNumberError(InvalidInputError):
    code = "INVALID_CASE_NUMBER"


class LimitExceededError(ChakongError):
    """The request asks for more than the gateway allows; the caller must ask for less."""

    code = "LIMIT_EXCEEDED"
