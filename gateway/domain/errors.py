"""Errors the gateway raises to its callers, grouped by what the caller should do.

    ChakongError                 root; every error carries a stable ``code`` and a bilingual message
    ├── InvalidInputError        fix the request and send it again (GraphQL error, never a 500)
    │   ├── InvalidSubjectError  an ID number or credit code that does not validate
    │   │   └── InvalidSubjectNameError  a name too long to send to an agency (INVALID_INPUT)
    │   └── InvalidCaseNumberError
    ├── LimitExceededError       make the request smaller (batch size, deadline range, cost)
    │   └── RateLimitedError     slow down: wait ``retry_after_s`` (HTTP 429)
    ├── AuthenticationError      send a valid token (HTTP 401): missing, expired, badly signed
    ├── PermissionDeniedError    this caller may not do this (HTTP 403); audited
    ├── StoreUnavailableError    the gateway's database is down: try again later (HTTP 503)
    └── ConnectorError           an agency failed (``connectors.errors``: its own branch, with
                                 AgencyAuthenticationError, AgencyRateLimitedError, ...)

Failures of an agency are *not* errors of the request: the fan-out turns them into data, a
``SourceResult`` with a status (see ``gateway.domain.sources``).
"""

from __future__ import annotations

# the one text of an unexpected failure, masked: every layer answers it the same way
INTERNAL_ERROR_ZH = "网关内部错误"
INTERNAL_ERROR_EN = "internal gateway error"
INTERNAL_ERROR_MESSAGE = f"{INTERNAL_ERROR_ZH} / {INTERNAL_ERROR_EN}"


class ChakongError(Exception):
    """Root of the gateway's own errors: ``code`` is stable, messages are in Chinese and English."""

    code = "CHAKONG_ERROR"
    http_status: int | None = None  # set where the error decides the response's status

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


class InvalidSubjectNameError(InvalidSubjectError):
    """A subject whose number validates but whose name is longer than the agency contract
    carries; every place that names a bad subject's position names this one's too."""

    code = "INVALID_INPUT"


class InvalidCaseNumberError(InvalidInputError):
    code = "INVALID_CASE_NUMBER"


class LimitExceededError(ChakongError):
    """The request asks for more than the gateway allows; the caller must ask for less.

    ``limit``, where there is one number to respect (the subjects of a batch), is told to the
    caller too (``extensions.limit``), so a client can size its next request to it."""

    code = "LIMIT_EXCEEDED"

    def __init__(
        self, message_zh: str, message_en: str, *, code: str | None = None, limit: int | None = None
    ) -> None:
        super().__init__(message_zh, message_en, code=code)
        self.limit = limit


class RateLimitedError(LimitExceededError):
    code = "RATE_LIMITED"
    http_status = 429

    def __init__(self, retry_after_s: float) -> None:
        self.retry_after_s = retry_after_s
        wait = max(1, round(retry_after_s + 0.499))
        super().__init__(
            f"请求过于频繁，请 {wait} 秒后再试",
            f"too many requests: try again in {wait} s",
        )


class AuthenticationError(ChakongError):
    """No usable credentials: the caller must (re)authenticate."""

    code = "UNAUTHENTICATED"
    http_status = 401


class PermissionDeniedError(ChakongError):
    """The caller is known but may not do this."""

    code = "FORBIDDEN"
    http_status = 403


class StoreUnavailableError(ChakongError):
    code = "STORE_UNAVAILABLE"
    http_status = 503
