"""Asset inquiries: validate what the caller asked, then fan it out."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from connectors.registry import AGENCIES
from gateway.domain.cases import CaseNumber, parse_case_number
from gateway.domain.errors import InvalidInputError, InvalidSubjectError, LimitExceededError
from gateway.domain.subjects import Subject, SubjectKind, parse_subject
from gateway.services.fanout import FanOut, SubjectProfile
from gateway.services.turns import in_turns

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class InquiryOptions:
    """Everything about an inquiry but its subjects; hashable, so requests can be grouped."""

    case_number: CaseNumber
    agencies: tuple[str, ...]
    deadline_ms: int
    fresh: bool


@dataclass(frozen=True, slots=True)
class InquiryKey:
    """One subject asked about under some options: as a debtor, or as a lead of one."""

    subject: Subject
    options: InquiryOptions
    relation: str = "debtor"  # or a lead: spouse, controlled_enterprise
    related_to: str | None = None  # the debtor's key, for a lead


@dataclass(frozen=True, slots=True)
class InquiryLimits:
    default_deadline_ms: int = 5000
    max_deadline_ms: int = 30000
    max_batch_subjects: int = 500


class InquiryService:
    def __init__(self, fanout: FanOut, limits: InquiryLimits) -> None:
        self.fanout = fanout
        self.limits = limits

    def options(
        self,
        case_number: str,
        agencies: Sequence[str] | None,
        deadline_ms: int | None,
        fresh: bool,
    ) -> InquiryOptions:
        """Validate the inquiry's options; raises ``InvalidInputError`` subclasses."""
        case = parse_case_number(case_number)
        if agencies is not None and not agencies:
            raise InvalidInputError(
                "查询单位列表不能为空；省略即查询全部单位",
                "agencies must not be an empty list; leave it out to ask every agency",
            )
        chosen = tuple(dict.fromkeys(agencies)) if agencies else AGENCIES.names()
        deadline = self.limits.default_deadline_ms if deadline_ms is None else deadline_ms
        if not 100 <= deadline <= self.limits.max_deadline_ms:
            raise LimitExceededError(
                f"查询时限应在 100 至 {self.limits.max_deadline_ms} 毫秒之间",
                f"deadlineMs must be between 100 and {self.limits.max_deadline_ms}",
                code="DEADLINE_OUT_OF_RANGE",
            )
        return InquiryOptions(case, chosen, deadline, fresh)

    def subjects(
        self, items: Sequence[tuple[SubjectKind, str, str | None]], *, batch: bool = False
    ) -> list[Subject]:
        """Validate subjects; in a ``batch`` (``debtors``), even of one, an error names the
        position of the bad one (``subjects[3]``, in Chinese 第4个被执行人)."""
        if not items:
            raise InvalidInputError("被执行人列表不能为空", "subjects must not be empty")
        limit = self.limits.max_batch_subjects
        if len(items) > limit:
            raise LimitExceededError(
                f"一次最多查询 {limit} 个被执行人，本次为 {len(items)} 个",
                f"at most {limit} subjects per request, got {len(items)}",
                code="BATCH_TOO_LARGE",
                limit=limit,
            )
        parsed = []
        for index, (kind, value, name) in enumerate(items):
            try:
                parsed.append(parse_subject(kind, value, name))
            except InvalidSubjectError as exc:
                if not batch:
                    raise
                raise type(exc)(  # InvalidSubjectError or its kind, the code kept
                    f"第{index + 1}个被执行人：{exc.message_zh}",
                    f"subjects[{index}]: {exc.message_en}",
                ) from None
        return parsed

    async def inquire(
        self, subjects: Sequence[Subject], options: InquiryOptions
    ) -> list[SubjectProfile]:
        profiles = await self.fanout.inquire(
            subjects,
            options.case_number,
            court=options.case_number.court,
            agencies=options.agencies,
            deadline_s=options.deadline_ms / 1000,
            fresh=options.fresh,
        )
        if log.isEnabledFor(logging.INFO):
            log.info(
                "inquiry case=%s subjects=%s statuses=%s",
                options.case_number,
                subjects[0].masked_id if len(subjects) == 1 else len(subjects),
                await _status_summary(profiles),
            )
        return profiles


async def _status_summary(profiles: Sequence[SubjectProfile]) -> str:
    """``police:OK=2,NOT_FOUND=1 land:TIMEOUT=3``: what a log line needs, no personal data (a
    batch's counted in slices, the event loop free in between: ``gateway.services.turns``)."""
    counts: dict[str, Counter[str]] = {}
    async for group in in_turns(profiles):
        for profile in group:
            for result in profile.results:
                counts.setdefault(result.agency, Counter())[result.status.name] += 1
    return " ".join(
        f"{agency}:" + ",".join(f"{status}={n}" for status, n in sorted(c.items()))
        for agency, c in counts.items()
    )
