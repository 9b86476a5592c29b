"""The headers a refusal carries, decided in one place for every layer that refuses.

* every 401 carries ``WWW-Authenticate`` (RFC 9110 §11.6.1), a Bearer challenge (RFC 6750 §3):
  ``Bearer realm="chakong"`` when the request had no token (§3.1: no error code then), and
  ``error="invalid_token"`` with the refusal's code as ``error_description`` when the token it
  had was refused (malformed, badly signed, expired, not yet valid);
* a 429 carries ``Retry-After`` in whole seconds.

The authentication middleware (a bad token), the GraphQL view (a refusal of its context) and
the status of a GraphQL answer (an anonymous caller asking for what needs a token, or for the
schema) all take their headers from ``refusal_headers``.
"""

from __future__ import annotations

import math

from gateway.auth.tokens import TokenExpiredError, TokenInvalidError
from gateway.domain.errors import ChakongError, RateLimitedError

REALM = "chakong"


def www_authenticate(error: ChakongError | None = None) -> str:
    """The Bearer challenge of a 401 answered because of ``error``."""
    if isinstance(error, TokenInvalidError | TokenExpiredError):
        return f'Bearer realm="{REALM}", error="invalid_token", error_description="{error.code}"'
    return f'Bearer realm="{REALM}"'


def refusal_headers(status: int, error: ChakongError | None = None) -> dict[str, str]:
    """The headers of a response with ``status``, refused because of ``error`` (if known)."""
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = www_authenticate(error)
    if status == 429 and isinstance(error, RateLimitedError):
        headers["Retry-After"] = str(max(1, math.ceil(error.retry_after_s)))
    return headers
