"""What one agency answered for one subject: a status, never an exception."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gateway.domain.records import AgencyRecords


class SourceStatus(enum.Enum):
    OK = "ok"  # the agency knows the subject; records attached
    NOT_FOUND = "not_found"  # the agency answered and does not know the subject
    TIMEOUT = "timeout"  # no answer within the source timeout or the request deadline
    UNAVAILABLE = "unavailable"  # refused connection, 5xx, 429, reset: try again later
    CIRCUIT_OPEN = "circuit_open"  # not called: the agency failed repeatedly just now
    REJECTED = "rejected"  # the agency refused this request (4xx)
    ERROR = "error"  # a bad answer (malformed body) or a gateway misconfiguration
    NOT_APPLICABLE = "not_applicable"  # the agency holds nothing for this kind of subject
    NOT_CONFIGURED = "not_configured"  # no connector for this agency in this deployment

    @property
    def answered(self) -> bool:
        """True when the agency's answer is known (records or a definite absence)."""
        return self in (SourceStatus.OK, SourceStatus.NOT_FOUND)


# how each status is named to people, (Chinese, English): the same words in the schema's
# description (which the explorer shows), the report and the spreadsheet of ``chakong inquire``
STATUS_LABELS: dict[SourceStatus, tuple[str, str]] = {
    SourceStatus.OK: ("有记录", "records found"),
    SourceStatus.NOT_FOUND: ("查无此人", "not found"),
    SourceStatus.TIMEOUT: ("超时", "timed out"),
    SourceStatus.UNAVAILABLE: ("暂不可用", "unavailable"),
    SourceStatus.CIRCUIT_OPEN: ("连续失败暂停调用", "paused after failures"),
    SourceStatus.REJECTED: ("被拒绝", "rejected"),
    SourceStatus.ERROR: ("响应异常", "bad answer"),
    SourceStatus.NOT_APPLICABLE: ("不适用于该类主体", "not applicable"),
    SourceStatus.NOT_CONFIGURED: ("尚未接入", "not connected"),
}


@dataclass(frozen=True, slots=True)
class SourceResult:
    agency: str  # the agency's name (``connectors.registry``)
    status: SourceStatus
    latency_ms: float | None = None
    cached: bool = False
    fetched_at: datetime.datetime | None = None
    message: str | None = None  # safe for the caller: never a secret, never a stack trace
    records: AgencyRecords | None = None
    attempts: int = 0

    @property
    def record_count(self) -> int:
        return 0 if self.records is None else self.records.count()
