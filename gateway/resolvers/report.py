"""The inquiry report's inquiry: the ``debtor`` query's path, without GraphQL.

A report is an inquiry of its own, not a copy of an earlier answer: it runs the checks of the
``debtor`` field (the permission table's row for ``Query.debtor``, then the case-scoped
``check_inquiry``, each refusal audited), asks every agency through the request's dataloader
(the cache answers what it holds, as for any inquiry), follows the same leads, and writes the
same audit entries, one per subject. The report then names the debtor's entry. What is printed
is therefore exactly what the audit log says was asked, by whom and when; reading back an older
answer would print data the log cannot vouch for (the gateway keeps no answers).

The report also lists the controls of this case on this debtor's assets, read through the
controls service (``ControlService.of_subject``) after the inquiry. Reading them needs no check
of its own: ``check_inquiry`` (passed above) admits only the case's own court's judges and
systems, which is all that ``check_case_read`` (the ``controls`` field's check) asks.
"""

from __future__ import annotations

from collections.abc import Callable

from gateway.auth.policy import check_root_fields
from gateway.domain.errors import InvalidSubjectError, StoreUnavailableError
from gateway.domain.subjects import Subject, SubjectKind, infer_subject, parse_subject
from gateway.resolvers.debtors import authorize
from gateway.schema.context import Context
from gateway.schema.summary import PLAN
from gateway.services import leads
from gateway.services.inquiry import InquiryKey
from gateway.services.report import Report

# the report is the debtor field's answer, printed: the same row of the permission table
REPORT_FIELD = "Query.debtor"


def report_subject(value: str, kind: str | None) -> Subject:
    """The debtor asked about; without ``kind``, told from the number (``infer_subject``)."""
    if kind is not None:
        try:
            chosen = SubjectKind[kind.strip().upper()]
        except KeyError:
            raise InvalidSubjectError(
                "kind 应为 NATURAL 或 LEGAL", "kind must be NATURAL or LEGAL"
            ) from None
        return parse_subject(chosen, value)
    return infer_subject(value)


async def report_inquiry(
    context: Context,
    case_number: str,
    subject_id: str,
    kind: str | None = None,
    *,
    ready: Callable[[], None] | None = None,
) -> Report:
    """Inquire about one debtor of a case, with its leads, for the report; raises the same
    coded errors as the ``debtor`` field (and audits the same refusals). ``ready`` runs once the
    caller is allowed and before any agency is asked (a PDF that cannot be printed is refused
    there: a caller who may not ask is told so first, and nobody is asked for nothing)."""
    principal = context.principal
    await context.enforce(
        lambda: check_root_fields(principal, [REPORT_FIELD]),
        action="operation",
        detail=f"report:{REPORT_FIELD}",
    )
    service = context.inquiries
    options = service.options(case_number, None, None, False)
    subject = report_subject(subject_id, kind)
    # the report prints the case: read it whole first, and the check reads the same case
    case = await context.case(options.case_number)
    await authorize(context, options.case_number, [subject])
    if ready is not None:
        ready()
    party = None if case is None else case.party(subject.key)
    if party is not None and party.subject.name:
        subject = parse_subject(subject.kind, subject.id, party.subject.name)
    profile = await context.loader.load(InquiryKey(subject, options))
    spouse = await leads.spouse(context.loader, profile, options)
    enterprises = tuple(await leads.controlled_enterprises(context.loader, profile, options))
    failure = await context.settle()
    if failure is not None:
        raise failure
    entry = next(
        (
            e
            for e in context.audit.written
            if e.relation == "debtor" and e.subject_digest == _digest(context, subject)
        ),
        None,
    )
    if case is None or entry is None:  # authorize passed, so neither can be missing
        raise StoreUnavailableError(
            "审计记录或案件登记不可读", "the audit entry or the case could not be read"
        )
    profiles = [profile, *([spouse] if spouse else []), *enterprises]
    controls = None
    if context.controls is not None:
        found = await context.controls.of_subject(options.case_number, subject.key)
        controls = tuple(found)
    return Report(
        case=case,
        debtor=profile,
        spouse=spouse,
        enterprises=enterprises,
        entry=entry,
        inquirer=principal.subject,
        summaries={p.subject.key: PLAN.summarize(p.results) for p in profiles},
        controls=controls,
    )


def _digest(context: Context, subject: Subject) -> str | None:
    return None if context.audit_log is None else context.audit_log.subject_digest(subject)
