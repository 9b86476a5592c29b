"""What can go wrong when the gateway talks to an agency, grouped by what to do about it.

This is the agency branch of the gateway's one error tree (``gateway.domain.errors``): every
class here is a ``ChakongError``, and no name is used twice in the tree.

    ConnectorError                    ``safe_message`` is bilingual and never holds a secret
    ├── TransientError                try again later: the read layer retries these in the deadline
    │   ├── SourceTimeoutError        no answer in time
    │   ├── SourceUnavailableError    connection refused or dropped, 5xx
    │   └── AgencyRateLimitedError    429, with the agency's Retry-After when given
    ├── RequestRejectedError          the agency refused this request (other 4xx): do not retry
    ├── AgencyAuthenticationError     401/403: the gateway's credentials for the agency are wrong
    └── MalformedResponseError        the agency answered outside the contract (a redirect too)

Transport exceptions (httpx, and aiohttp underneath it) are mapped to these in one place,
``connectors.http.map_transport_errors``, with ``raise ... from exc``.
"""

from __future__ import annotations

from gateway.domain.errors import ChakongError


class ConnectorError(ChakongError):
    """Root of the errors a connector raises. They never reach a caller as errors: the fan-out
    turns them into a ``SourceResult`` status (``gateway.services.fanout``)."""

    code = "AGENCY_ERROR"

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_zh, message_en)

    @property
    def safe_message(self) -> str:
        return f"{self.message_zh} / {self.message_en}"


class TransientError(ConnectorError):
    """The agency may answer if asked again later."""


class SourceTimeoutError(TransientError):
    pass


class SourceUnavailableError(TransientError):
    pass


class AgencyRateLimitedError(TransientError):
    def __init__(self, message_zh: str, message_en: str, retry_after: float | None) -> None:
        super().__init__(message_zh, message_en)
        self.retry_after = retry_after


class RequestRejectedError(ConnectorError):
    """The agency understood the request and refused it."""


class AgencyAuthenticationError(ConnectorError):
    """The agency does not accept the gateway's credentials: an operator must fix them."""


class MalformedResponseError(ConnectorError):
    """The agency's answer does not follow the agency contract."""
