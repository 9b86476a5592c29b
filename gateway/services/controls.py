"""Controls, exactly once: freeze, seize, deduct, release and renew an asset an inquiry returned.

What the service promises (``gateway.domain.controls`` says why):

1. **Checked before any call.** The caller's scope (``gateway.auth.policy.check_control``), the
   idempotency key, then the legal checks (``gateway.domain.control_rules``) run in one unit of
   work holding the case row's lock, so two concurrent deductions cannot both fit under the
   same ceiling. A refused request (or approval) keeps nothing but its one ``denied`` audit
   entry with the refusal's code, written in its own transaction after the unit rolled back.
2. **Persisted before the first attempt.** The operation (state ``PENDING``, or
   ``AWAITING_APPROVAL`` for a deduction that needs a second judge), its idempotency key and its
   ``control.request`` audit entry commit together; only then is the agency called, with a
   ``requestId`` derived from the operation's id.
3. **One attempt, one outcome.** ``APPLIED``/``REJECTED`` settle it; anything else is
   ``UNKNOWN`` (never "failed"), settled later by ``reconcile``: it asks the agency, adopts what
   it says, and sends again, with the same ``requestId``, only when the agency never saw it.
   Every state change is a compare-and-set on the previous state, committed with its audit
   entry, so a late first attempt and a reconciler never both settle one operation; and a
   reconciler works an operation only under its lease (``claimed_until``), so two gateways'
   passes never look up or resend the same one at once.
4. **Idempotency keys**, per caller. The same key with the same input replays the operations
   it created (in their current state) and sends nothing; with another input it is refused
   (``IDEMPOTENCY_KEY_REUSED``). Keys are kept ``idempotency_days`` (at least 30).
5. **Money.** An applied deduction raises the case's performed amount in the same transaction.
"""

from __future__ import annotations

import asyncio
import datetime
import decimal
import hashlib
import json
import logging
import unicodedata
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from connectors.base import ControlConnector
from connectors.control import OutcomeRule
from connectors.errors import ConnectorError
from connectors.registry import AGENCIES
from gateway.auth.policy import check_approval, check_control
from gateway.auth.principal import Principal, Role
from gateway.domain.cases import CaseNumber, parse_case_number
from gateway.domain.clock import court_date
from gateway.domain.control_rules import (
    CaseLedger,
    ControlCheckError,
    ControlLimits,
    check_approved_deduction,
    check_documents,
    check_rules,
    refuse,
)
from gateway.domain.controls import (
    Asset,
    ControlAction,
    ControlOperation,
    ControlOutcome,
    ControlStatus,
    OperationState,
    request_id_for,
)
from gateway.domain.errors import (
    ChakongError,
    InvalidInputError,
    PermissionDeniedError,
    StoreUnavailableError,
)
from gateway.domain.inputs import printable
from gateway.domain.register import Case, PartyRole, amount
from gateway.domain.seizure_queue import Standing, standings
from gateway.domain.subjects import echoed
from gateway.services.audit import AuditUnavailableError
from gateway.services.auditing import Auditor
from gateway.store.controls import InquiryAnswer
from gateway.store.unit import Store, UnitOfWork

log = logging.getLogger(__name__)

# who the reconciler's audit entries name
RECONCILER = Principal(Role.ADMIN, subject="chakong-reconciler")
MAX_KEY_LENGTH = 128
MAX_DOCUMENT_LENGTH = 64
LEASE_MARGIN_S = 5.0  # a reconciler's lease on an operation: two attempt timeouts and this


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclass(frozen=True, slots=True)
class ControlCommand:
    """One control as a judge asks for it (validated by ``ControlService``)."""

    action: ControlAction
    case_number: CaseNumber
    ruling_number: str
    notice_number: str
    agency: str
    asset_id: str
    amount: Decimal | None = None
    until: datetime.date | None = None

    def __post_init__(self) -> None:
        # the texts as the control keeps them, trimmed once where the command is made; the
        # asset id in NFKC too, as the agencies' ids are ASCII (a full-width account number is
        # the same account), with any space inside kept as the agency wrote it
        for name in ("ruling_number", "notice_number"):
            object.__setattr__(self, name, getattr(self, name).strip())
        object.__setattr__(self, "asset_id", unicodedata.normalize("NFKC", self.asset_id).strip())

    def fingerprint_fields(self) -> dict[str, str | None]:
        """The command as the idempotency key is bound to it: each value as the control keeps
        it (the texts trimmed, the amount in yuan and fen), so that the same control written
        another way (``" R1 "``, ``10`` for ``"10.00"``) replays rather than being refused."""
        return {
            "action": self.action.value,
            "case": self.case_number.canonical,
            "ruling": self.ruling_number,
            "notice": self.notice_number,
            "agency": self.agency,
            "asset": self.asset_id,
            "amount": None if self.amount is None else _amount_text(self.amount),
            "until": None if self.until is None else self.until.isoformat(),
        }


_FEN = Decimal("0.01")


def _amount_text(amount: Decimal) -> str:
    """``amount`` with two decimal places when it has no more (``10`` and ``10.0`` are
    ``10.00``), else as written: the legal checks refuse it later, with their own code."""
    try:
        in_fen = amount.quantize(_FEN)
    except decimal.InvalidOperation:  # infinite, or too many digits for the context
        return str(amount)
    return str(in_fen) if in_fen == amount else str(amount)


@dataclass(frozen=True, slots=True)
class ControlPolicy:
    """The configurable part of the controls (``gateway.settings.ControlSettings``)."""

    limits: ControlLimits = field(default_factory=ControlLimits)
    # deductions above this need a second judge's approval; 0: every one; None: none
    approval_above: Decimal | None = Decimal(0)
    idempotency_days: int = 30
    attempt_timeout_s: float = 10.0
    # a PENDING operation untouched this long was interrupted in flight: reconcile it
    pending_grace_s: float = 60.0
    reconcile_batch: int = 200


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    examined: int = 0
    adopted: int = 0  # the agency's answer taken: APPLIED or REJECTED
    resent: int = 0  # the agency never saw it: sent again with the same requestId
    unresolved: int = 0  # still UNKNOWN (the agency could not say)


class IdempotencyConflictError(InvalidInputError):
    code = "IDEMPOTENCY_KEY_REUSED"


class ControlNotFoundError(InvalidInputError):
    code = "CONTROL_NOT_FOUND"


class ControlService:
    """The controls of the gateway's courts (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        auditor: Auditor,
        connectors: Mapping[str, ControlConnector],
        policy: ControlPolicy | None = None,
        *,
        clock: Callable[[], datetime.datetime] = _utc_now,
    ) -> None:
        self._store = store
        self._auditor = auditor
        self._connectors = connectors
        self.policy = policy or ControlPolicy()
        self._clock = clock

    # requests

    async def submit(
        self,
        principal: Principal,
        request_id: str,
        commands: Sequence[ControlCommand],
        idempotency_key: str,
        *,
        fingerprint: str | None = None,
        court: str | None = None,
    ) -> list[ControlOperation]:
        """Check, persist, then send each command (each exactly once); the operations.

        Every command must pass for any to be made (a plan is all or nothing before the calls);
        each then has its own outcome. ``fingerprint`` (default: of the commands) is what the
        idempotency key is bound to: a freeze plan binds it to the mutation's own input, since
        the plan it computes changes once it has been applied.

        A refused request (the caller's scope, the key, the input, a legal check) leaves one
        ``control.request`` entry, ``denied`` with the refusal's code, written in its own
        transaction once the refused unit of work has rolled back: nothing else is kept."""
        try:
            created, fresh = await self._request(
                principal, request_id, commands, idempotency_key, fingerprint, court
            )
        except ChakongError as exc:
            await self._refused(
                principal,
                request_id,
                exc,
                action="control.request",
                case_number=_case_of(commands),
                detail=_summary(commands),
            )
            raise
        if not fresh:
            return created
        # each sent once, concurrently (a plan's controls go to different agencies and assets)
        await asyncio.gather(
            *(self._attempt(op) for op in created if op.state is OperationState.PENDING)
        )
        return await self.operations([op.id for op in created])

    async def _request(
        self,
        principal: Principal,
        request_id: str,
        commands: Sequence[ControlCommand],
        idempotency_key: str,
        fingerprint: str | None,
        court: str | None,
    ) -> tuple[list[ControlOperation], bool]:
        """The checks and the unit of work of ``submit``: the operations, and whether they were
        made now (``False``: replayed from the key); a refusal is raised, not audited."""
        key = _key(principal, idempotency_key)
        if fingerprint is None:
            fingerprint = _fingerprint(commands)
        if court is None:
            court = commands[0].case_number.court if commands else ""
        replayed = await self._replay(court, key, fingerprint)
        if replayed is not None:
            return replayed, False
        if not commands:
            raise InvalidInputError("没有要办理的查控", "no control to make")
        cases = {c.case_number.canonical for c in commands}
        if len(cases) != 1 or commands[0].case_number.court != court:
            raise InvalidInputError("一次只能办理一个案件的查控", "controls of one case at a time")
        await self._enforce(principal, commands[0].case_number)
        try:
            return await self._create(principal, request_id, commands, key, fingerprint)
        except IntegrityError:
            # the same key, committed by a concurrent request a moment ago
            replayed = await self._replay(court, key, fingerprint)
            if replayed is None:
                raise
            return replayed, False

    async def _replay(
        self, court: str, key: str, fingerprint: str
    ) -> list[ControlOperation] | None:
        async with self._store.read() as unit:
            return await _replayed(unit, court, key, fingerprint)

    async def _create(
        self,
        principal: Principal,
        request_id: str,
        commands: Sequence[ControlCommand],
        key: str,
        fingerprint: str,
    ) -> tuple[list[ControlOperation], bool]:
        """The checks and the operations in one unit holding the case's lock, and whether they
        were made now: a request with the same key whose unit committed while this one waited
        for the lock (both read no key before) is replayed here, never checked against the
        controls it made (a second freeze of the same amount would be excessive)."""
        number = commands[0].case_number
        now = self._clock()
        today = court_date(now)
        created: list[ControlOperation] = []
        async with self._store.begin() as unit:
            await unit.controls.lock_case(number.canonical)
            replayed = await _replayed(unit, number.court, key, fingerprint)
            if replayed is not None:
                return replayed, False
            case = await unit.cases.get(number)
            check_control(principal, case)  # checked and audited before; the case may change
            if case is None:  # typed: check_control refuses a missing case
                raise refuse("CASE_NOT_REGISTERED", "案件未登记", "the case is not registered")
            ledger = CaseLedger.of(await unit.controls.for_case(number.canonical))
            answers = await unit.controls.answers(number.canonical)
            for index, command in enumerate(commands):
                try:
                    op = self._checked(principal, case, command, ledger, answers, now, today)
                except ControlCheckError as exc:
                    if len(commands) > 1:
                        raise ControlCheckError(
                            f"第 {index + 1} 项：{exc.message_zh}",
                            f"item {index + 1}: {exc.message_en}",
                            code=exc.code,
                        ) from None
                    raise
                await unit.controls.insert(op)
                ledger.add(op)
                created.append(op)
                await self._audit(unit, principal, request_id, "control.request", op)
            await unit.controls.put_key(
                number.court, key, fingerprint, [o.id for o in created], now
            )
        return created, True

    async def _enforce(self, principal: Principal, number: CaseNumber) -> None:
        """The caller's scope (``check_control``); ``submit`` audits a refusal."""
        async with self._store.read() as unit:
            case = await unit.cases.get(number)
        check_control(principal, case)

    async def _refused(
        self,
        principal: Principal,
        request_id: str,
        exc: ChakongError,
        *,
        action: str,
        case_number: str | None,
        detail: str | None,
    ) -> None:
        """Audit a refused request: one ``denied`` entry with the refusal's code, on the chain,
        in its own transaction (the refused unit of work has rolled back: no state changed).

        The store or the audit log being unavailable is a failure, not a refusal: not audited
        here. Never raises for the log (``Auditor.refused``): the refusal stands."""
        if isinstance(exc, (StoreUnavailableError, AuditUnavailableError)):
            return
        await self._auditor.refused(
            principal, request_id, exc, action=action, case_number=case_number, detail=detail
        )

    def _checked(
        self,
        principal: Principal,
        case: Case,
        command: ControlCommand,
        ledger: CaseLedger,
        answers: Sequence[InquiryAnswer],
        now: datetime.datetime,
        today: datetime.date,
    ) -> ControlOperation:
        check_documents(command.ruling_number, command.notice_number)
        for text in (command.ruling_number, command.notice_number, command.asset_id):
            if len(text) > MAX_DOCUMENT_LENGTH:
                raise InvalidInputError(
                    f"文号或财产标识超过 {MAX_DOCUMENT_LENGTH} 个字符",
                    f"a document number or asset id is over {MAX_DOCUMENT_LENGTH} characters",
                )
        asset, answer = _returned_asset(case, answers, command.agency, command.asset_id)
        value = None if command.amount is None else amount(command.amount, "金额", "the amount")
        if command.action is ControlAction.RELEASE:
            value = None  # a release lifts the whole freeze
        verdict = check_rules(
            action=command.action,
            asset=asset,
            amount=value,
            until=None if command.action is ControlAction.DEDUCT else command.until,
            ledger=ledger,
            unperformed=case.unperformed,
            obligation=case.obligation,
            today=today,
            limits=self.policy.limits,
            supported=sorted(AGENCIES.spec(command.agency).controls),
        )
        op_id = uuid.uuid4().hex
        threshold = self.policy.approval_above
        needs_approval = (
            command.action is ControlAction.DEDUCT
            and threshold is not None
            and (value or Decimal(0)) > threshold
        )
        holds = command.action in (ControlAction.FREEZE, ControlAction.SEIZE)
        return ControlOperation(
            id=op_id,
            request_id=request_id_for(op_id),
            case_number=case.case_number.canonical,
            court=case.court,
            action=command.action,
            agency=command.agency,
            asset_id=asset.asset_id,
            asset_class=asset.asset_class,
            subject_key=answer.subject_key,
            inquiry_seq=answer.audit_seq,
            ruling_number=command.ruling_number,
            notice_number=command.notice_number,
            amount=value,
            held_value=verdict.held_value if holds else None,
            applied_amount=None,
            queue_position=None,
            starts_on=verdict.starts_on if holds else None,
            until=command.until if command.action in _DATED else None,
            target_id=None if verdict.target is None else verdict.target.id,
            state=OperationState.AWAITING_APPROVAL if needs_approval else OperationState.PENDING,
            requested_by=principal.person,
            approved_by=None,
            attempts=0 if needs_approval else 1,
            reference=None,
            message=None,
            excess_reason=verdict.excess_reason,
            created_at=now,
            updated_at=now,
        )

    # maker-checker

    async def approve(
        self, principal: Principal, request_id: str, operation_id: str
    ) -> ControlOperation:
        """A second judge of the same court approves a deduction; it is then sent, once."""
        op = await self._decide(principal, request_id, operation_id, approve=True)
        await self._attempt(op)
        return await self.operation(op.id)

    async def decline(
        self, principal: Principal, request_id: str, operation_id: str
    ) -> ControlOperation:
        return await self._decide(principal, request_id, operation_id, approve=False)

    async def _decide(
        self, principal: Principal, request_id: str, operation_id: str, *, approve: bool
    ) -> ControlOperation:
        """Approve or decline; a refusal (no such control, not an approver, the requester, not
        awaiting approval) leaves one ``denied`` entry with its code, in its own transaction."""
        action = "control.approve" if approve else "control.decline"
        known: ControlOperation | None = None
        try:
            known = await self.operation(operation_id)
            return await self._decided(principal, request_id, known, action, approve=approve)
        except ChakongError as exc:
            await self._refused(
                principal,
                request_id,
                exc,
                action=action,
                case_number=None if known is None else known.case_number,
                detail=f"op={echoed(operation_id)}",
            )
            raise

    async def _decided(
        self,
        principal: Principal,
        request_id: str,
        op: ControlOperation,
        action: str,
        *,
        approve: bool,
    ) -> ControlOperation:
        """The decision itself, checked and committed with its entry (``_decide`` audits a
        refusal)."""
        operation_id = op.id
        check_approval(principal, op.court, op.requested_by)
        async with self._store.begin() as unit:
            if approve:
                await unit.controls.lock_case(op.case_number)
            op = await unit.controls.get(operation_id) or op
            if op.state is not OperationState.AWAITING_APPROVAL:
                raise refuse(
                    "NOT_AWAITING_APPROVAL",
                    f"该扣划不在待审批状态（{op.state.value}）",
                    f"the deduction is not awaiting approval ({op.state.value})",
                )
            if approve:
                await self._still_allowed(unit, op)
            state = OperationState.PENDING if approve else OperationState.DECLINED
            decided = replace(
                op,
                state=state,
                approved_by=principal.person,
                attempts=1 if approve else 0,
                updated_at=self._clock(),
            )
            if not await unit.controls.update(decided, expected=OperationState.AWAITING_APPROVAL):
                raise refuse(
                    "NOT_AWAITING_APPROVAL",
                    "该扣划已由他人处理",
                    "the deduction was decided by someone else",
                )
            await self._audit(unit, principal, request_id, action, decided)
        return decided

    async def _still_allowed(self, unit: UnitOfWork, op: ControlOperation) -> None:
        """A deduction about to be approved passes the checks again: the case still open, and
        the freeze still holding the amount, counting what was done since it was asked for (a
        release, a lapse, other deductions, the case closed)."""
        number = parse_case_number(op.case_number)
        case = await unit.cases.get(number)
        if case is None or not case.is_open:
            status = "未登记" if case is None else case.status.label_zh
            raise PermissionDeniedError(
                f"案件状态为{status}，不能扣划",
                f"the case is {'not registered' if case is None else case.status.name}: "
                "no deduction",
                code="CASE_NOT_OPEN",
            )
        others = [o for o in await unit.controls.for_case(op.case_number) if o.id != op.id]
        today = court_date(self._clock())
        check_approved_deduction(op, CaseLedger.of(others), case.unperformed, today)

    # attempts and reconciliation

    async def _attempt(self, op: ControlOperation) -> ControlOperation:
        """Send a PENDING operation once and record its outcome (UNKNOWN when unsure)."""
        outcome = await self._send(op)
        return await self._settle(op, OperationState.PENDING, outcome, "control.outcome")

    async def _send(self, op: ControlOperation) -> ControlOutcome:
        connector = self._connectors.get(op.agency)
        if connector is None:
            return OutcomeRule.NOT_SENT.outcome(op.agency, detail="not configured")
        try:
            async with asyncio.timeout(self.policy.attempt_timeout_s):
                return await connector.control(op.request())
        except TimeoutError:
            return OutcomeRule.TIMEOUT.outcome(op.agency)

    async def _settle(
        self,
        op: ControlOperation,
        expected: OperationState,
        outcome: ControlOutcome,
        action: str,
        principal: Principal | None = None,
    ) -> ControlOperation:
        outcome = _within_request(op, outcome)
        state = OperationState(outcome.status.value)
        settled = replace(
            op,
            state=state,
            applied_amount=outcome.applied_amount,
            queue_position=outcome.queue_position,
            reference=outcome.reference or op.reference,
            message=outcome.safe_message,
            updated_at=self._clock(),
        )
        async with self._store.begin() as unit:
            if not await unit.controls.update(settled, expected=expected):
                current = await unit.controls.get(op.id)
                return current or op  # someone else settled it first
            if state is OperationState.APPLIED and op.action is ControlAction.DEDUCT:
                await self._perform(unit, settled)
            await self._audit(unit, principal or _requester(op), op.request_id, action, settled)
        return settled

    async def _perform(self, unit: UnitOfWork, op: ControlOperation) -> None:
        """An applied deduction raises the case's performed amount (capped at the obligation)
        by what the agency says it deducted, else by what was asked."""
        number = parse_case_number(op.case_number)
        case = await unit.cases.get(number)
        deducted = op.amount if op.applied_amount is None else op.applied_amount
        if case is None or deducted is None:
            return
        performed = min(case.obligation, case.performed + deducted)
        await unit.cases.set_performed(number, performed, self._clock())

    async def reconcile(self, *, limit: int | None = None) -> ReconcileReport:
        """Settle UNKNOWN operations (and PENDING ones interrupted in flight), oldest first.

        Each is worked under a lease (``claimed_until``) taken just before: a pass of another
        gateway skips it while the lease runs, and finds it settled afterwards. ``examined``
        counts the operations this pass worked."""
        now = self._clock()
        stale = now - datetime.timedelta(seconds=self.policy.pending_grace_s)
        async with self._store.read() as unit:
            ops = await unit.controls.unsettled(stale, now, limit or self.policy.reconcile_batch)
        report = ReconcileReport()
        for op in ops:
            now = self._clock()
            lease = now + self._lease
            async with self._store.begin() as unit:
                if not await unit.controls.claim(op, now, lease):
                    continue  # another reconciler has it, or settled it since
            report = replace(report, examined=report.examined + 1)
            report = await self._reconcile_one(op, report)
            # a pass that stops before here leaves the lease to run out
            async with self._store.begin() as unit:
                await unit.controls.unclaim(op.id, lease)
        return report

    async def unsettled_count(self) -> int:
        """What is left for a reconciler: UNKNOWN operations and PENDING ones past the grace,
        including those another reconciler holds a lease on right now."""
        stale = self._clock() - datetime.timedelta(seconds=self.policy.pending_grace_s)
        async with self._store.read() as unit:
            return await unit.controls.count_unsettled(stale)

    @property
    def _lease(self) -> datetime.timedelta:
        """Long enough for one operation's work: a status lookup and one resend, each bounded
        by the attempt timeout, and the database's part."""
        return datetime.timedelta(seconds=2 * self.policy.attempt_timeout_s + LEASE_MARGIN_S)

    async def _reconcile_one(
        self, op: ControlOperation, report: ReconcileReport
    ) -> ReconcileReport:
        connector = self._connectors.get(op.agency)
        if connector is None:
            return replace(report, unresolved=report.unresolved + 1)
        try:
            async with asyncio.timeout(self.policy.attempt_timeout_s):
                known = await connector.control_status(op.request_id)
        except (ConnectorError, TimeoutError) as exc:
            log.warning("control %s: status lookup failed (%s)", op.id, type(exc).__name__)
            await self._note(op, f"lookup failed: {type(exc).__name__}")
            return replace(report, unresolved=report.unresolved + 1)
        if known is not None and known.status is not ControlStatus.UNKNOWN:
            await self._settle(op, op.state, known, "control.reconcile", RECONCILER)
            return replace(report, adopted=report.adopted + 1)
        if known is not None:
            await self._note(op, "the agency's answer is still unknown")
            return replace(report, unresolved=report.unresolved + 1)
        # the agency never saw it: send it again, with the same requestId, once
        resend = replace(
            op, state=OperationState.PENDING, attempts=op.attempts + 1, updated_at=self._clock()
        )
        async with self._store.begin() as unit:
            if not await unit.controls.update(resend, expected=op.state):
                return report
            await self._audit(unit, RECONCILER, op.request_id, "control.resend", resend)
        settled = await self._attempt(resend)
        if settled.state.terminal:
            return replace(report, resent=report.resent + 1)
        return replace(report, resent=report.resent + 1, unresolved=report.unresolved + 1)

    async def _note(self, op: ControlOperation, what: str) -> None:
        """Audit a reconciliation step that changed nothing (a failed status lookup, or an
        agency that cannot tell yet)."""
        try:
            async with self._store.begin() as unit:
                await self._audit(unit, RECONCILER, op.request_id, "control.reconcile", op, what)
        except ChakongError:
            log.exception("control %s: a reconciliation step could not be audited", op.id)

    async def purge_keys(self) -> int:
        """Forget idempotency keys older than the retention (never younger than 30 days)."""
        days = max(30, self.policy.idempotency_days)
        async with self._store.begin() as unit:
            return await unit.controls.purge_keys(self._clock() - datetime.timedelta(days=days))

    # reads

    async def operation(self, operation_id: str) -> ControlOperation:
        async with self._store.read() as unit:
            op = await unit.controls.get(operation_id)
        if op is None:
            raise _not_found(operation_id)
        return op

    async def operations(self, ids: Sequence[str]) -> list[ControlOperation]:
        async with self._store.read() as unit:
            return await unit.controls.many(ids)

    async def for_case(self, case_number: CaseNumber) -> list[ControlOperation]:
        """The case's controls; a seizure queued when applied shows its place today."""
        async with self._store.read() as unit:
            ops = await unit.controls.for_case(case_number.canonical)
            places = await queue_today(unit, ops, court_date(self._clock()))
        return [as_queued(op, places) for op in ops]

    async def of_subject(self, case_number: CaseNumber, subject_key: str) -> list[ControlOperation]:
        """The case's controls on one debtor's assets, oldest first (the inquiry report's)."""
        try:
            async with self._store.read() as unit:
                return await unit.controls.for_subject(case_number.canonical, subject_key)
        except SQLAlchemyError:
            log.exception("the controls could not be read")
            raise StoreUnavailableError(
                "查控记录暂不可读，请稍后再试", "the controls cannot be read: try again later"
            ) from None

    async def answers(self, case_number: CaseNumber) -> list[InquiryAnswer]:
        async with self._store.read() as unit:
            return await unit.controls.answers(case_number.canonical)

    async def _audit(
        self,
        unit: UnitOfWork,
        principal: Principal,
        request_id: str,
        action: str,
        op: ControlOperation,
        note: str | None = None,
    ) -> None:
        parts = [
            f"op={op.id}",
            op.action.value,
            f"{op.agency}/{op.asset_id}",
            f"state={op.state.value}",
            f"attempts={op.attempts}",
        ]
        if op.amount is not None:
            parts.append(f"amount={op.amount}")
        if op.until is not None:
            parts.append(f"until={op.until.isoformat()}")
        if op.inquiry_seq is not None:
            parts.append(f"inquiry={op.inquiry_seq}")
        if op.reference:
            parts.append(f"ref={op.reference}")
        if op.excess_reason and action == "control.request":
            parts.append("indivisible")
        if note:
            parts.append(note)
        await self._auditor.action(
            principal,
            request_id,
            action=action,
            case_number=op.case_number,
            detail=" ".join(parts),
            unit=unit,
        )


# an applied amount the operation's column can hold (``Numeric(18, 2)``)
_MAX_APPLIED = Decimal("9999999999999999.99")
# a place in a queue the operation's column can hold (``Integer``: 32 bits on PostgreSQL)
_MAX_QUEUE_POSITION = 2**31 - 1
# the agency's reference, as its column holds it (and the agency contract allows)
MAX_REFERENCE = 128
# the actions whose applied amount is at most the amount asked (a freeze of more than is
# available freezes what is; a release names what it lifted, which was not asked)
_AT_MOST_ASKED = (ControlAction.FREEZE, ControlAction.DEDUCT)


def _within_request(op: ControlOperation, outcome: ControlOutcome) -> ControlOutcome:
    """``outcome`` as the store keeps it, the same on SQLite and PostgreSQL.

    The agency's reference is kept printable (``printable``: a control character, a lone
    surrogate or a bidirectional control shown as U+FFFD, at most ``MAX_REFERENCE``
    characters): PostgreSQL refuses a NUL, and failed the settle of a control the agency had
    applied. An outcome that says the agency applied an amount the request cannot mean (not a
    number, negative, more than asked or than the store holds), or puts a seizure at a place in
    the queue the store cannot hold, is UNKNOWN instead, for people to settle with the agency,
    never counted as applied (nor as a deduction performed)."""
    if outcome.reference is not None:
        outcome = replace(outcome, reference=printable(outcome.reference, MAX_REFERENCE))
    if outcome.status is not ControlStatus.APPLIED:
        return outcome
    position = outcome.queue_position
    if position is not None and not 1 <= position <= _MAX_QUEUE_POSITION:
        return _malformed(
            op,
            outcome,
            f"轮候顺序 {echoed(str(position))} 无效",
            f"queue position {echoed(str(position))} is not a place in a queue",
        )
    applied = outcome.applied_amount
    if applied is None:
        return outcome
    ceiling = _MAX_APPLIED
    if op.amount is not None and op.action in _AT_MOST_ASKED:
        ceiling = min(ceiling, op.amount)
    if applied.is_finite() and Decimal(0) <= applied <= ceiling:
        return outcome
    return _malformed(
        op,
        outcome,
        f"已执行金额 {echoed(str(applied))} 超出请求",
        f"applied amount {echoed(str(applied))} is not within the request",
    )


def _malformed(op: ControlOperation, outcome: ControlOutcome, zh: str, en: str) -> ControlOutcome:
    """``outcome`` read as an answer outside the contract (``UNKNOWN``, for people to settle),
    saying why."""
    return OutcomeRule.MALFORMED.outcome(
        op.agency, http_status=outcome.http_status, detail=(zh, en)
    )


_DATED = (ControlAction.FREEZE, ControlAction.SEIZE, ControlAction.RENEW)


async def queue_today(
    unit: UnitOfWork, ops: Sequence[ControlOperation], today: datetime.date
) -> dict[str, Standing]:
    """Where each seizure among ``ops`` that was queued when applied stands ``today``, worked
    out from every control of its asset (``gateway.domain.seizure_queue``)."""
    assets = sorted(
        {
            (op.agency, op.asset_id)
            for op in ops
            if op.action is ControlAction.SEIZE
            and op.state is OperationState.APPLIED
            and op.queue_position is not None
        }
    )
    found: dict[str, Standing] = {}
    for agency, asset_id in assets:
        found |= standings(await unit.controls.for_asset(agency, asset_id), today)
    return found


def as_queued(op: ControlOperation, places: Mapping[str, Standing]) -> ControlOperation:
    """``op`` with its place in the queue and its start as ``queue_today`` found them."""
    place = places.get(op.id) if op.queue_position is not None else None
    if place is None:
        return op
    return replace(op, queue_position=place.position, starts_on=place.starts_on)


def _requester(op: ControlOperation) -> Principal:
    return Principal(Role.JUDGE, subject=op.requested_by, court=op.court)


def _not_found(operation_id: str) -> ControlNotFoundError:
    shown = echoed(operation_id)  # quoted: an empty id shows as such
    return ControlNotFoundError(f"查控“{shown}”不存在", f"no control '{shown}'")


def _key(principal: Principal, idempotency_key: str) -> str:
    """The stored key: the caller's own (two judges' equal keys never meet), hashed to a fixed
    length."""
    key = idempotency_key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInputError(
            f"幂等键应为 1 至 {MAX_KEY_LENGTH} 个字符",
            f"the idempotency key must be 1 to {MAX_KEY_LENGTH} characters",
        )
    return fingerprint_of([principal.subject, key])


async def _replayed(
    unit: UnitOfWork, court: str, key: str, fingerprint: str
) -> list[ControlOperation] | None:
    """The operations stored under ``key`` if it was used with this input, ``None`` if it was
    not used; ``IdempotencyConflictError`` if it was used with another input."""
    stored = await unit.controls.key(court, key)
    if stored is None:
        return None
    if stored[0] != fingerprint:
        raise IdempotencyConflictError(
            "该幂等键已用于另一组查控请求；请换用新的幂等键",
            "this idempotency key was used for a different control request: use a new key",
        )
    return await unit.controls.many(stored[1])


def _case_of(commands: Sequence[ControlCommand]) -> str | None:
    """The one case ``commands`` are of (``None`` when none, or more than one)."""
    cases = {c.case_number.canonical for c in commands}
    return cases.pop() if len(cases) == 1 else None


def _summary(commands: Sequence[ControlCommand]) -> str | None:
    """What a refused request asked for, as its audit entry's detail (bounded: the input was
    not necessarily valid)."""
    if not commands:
        return None
    parts = []
    for c in commands[:_SUMMARY_ITEMS]:
        asset = echoed(c.asset_id, MAX_DOCUMENT_LENGTH)
        part = f"{c.action.value} {echoed(c.agency, 16)}/{asset}"
        if c.amount is not None:
            part += f" amount={echoed(str(c.amount), 32)}"
        if c.until is not None:
            part += f" until={c.until.isoformat()}"
        parts.append(part)
    if len(commands) > _SUMMARY_ITEMS:
        parts.append(f"and {len(commands) - _SUMMARY_ITEMS} more")
    return "; ".join(parts)


_SUMMARY_ITEMS = 20


def _fingerprint(commands: Sequence[ControlCommand]) -> str:
    return fingerprint_of([c.fingerprint_fields() for c in commands])


def fingerprint_of(value: object) -> str:
    """SHA-256 of a JSON value: what an idempotency key is bound to."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _returned_asset(
    case: Case, answers: Sequence[InquiryAnswer], agency: str, asset_id: str
) -> tuple[Asset, InquiryAnswer]:
    """The asset as the latest inquiry in this case returned it, for a debtor of the case."""
    found: list[tuple[Asset, InquiryAnswer]] = [
        (asset, answer)
        for answer in answers
        if answer.agency == agency
        for asset in answer.assets
        if asset.asset_id == asset_id
    ]
    if not found:
        raise refuse(
            "ASSET_NOT_FROM_INQUIRY",
            "本案的财产查询没有返回该财产，须先在本案中查询",
            "no inquiry in this case returned this asset: inquire about it in this case first",
        )
    for asset, answer in found:
        party = case.party(answer.subject_key)
        if party is not None and party.role is PartyRole.DEBTOR:
            return asset, answer
    raise refuse(
        "NOT_A_DEBTOR",
        "该财产不属于本案被执行人（线索或申请执行人的财产不能查控）",
        "the asset is not a debtor's of this case (a lead's or a creditor's cannot be controlled)",
    )
