"""Following the leads: the debtor's spouse (civil affairs) and the enterprises it controls
(business registry), each asked of the same agencies with the same fan-out.

Leads are followed one level deep, only from a debtor of the case, and each lead is audited as
such (``relation``). When the debtor's own inquiry did not include the agency a lead comes from,
that agency is asked about the debtor first (usually a cache hit).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Iterable
from typing import Protocol, TypeVar

from connectors.business.records import BusinessRecords
from connectors.civil.records import CivilRecords
from gateway.domain.errors import InvalidSubjectError, InvalidSubjectNameError
from gateway.domain.records import AgencyRecords
from gateway.domain.subjects import Subject, SubjectKind, parse_subject
from gateway.services.fanout import SubjectProfile
from gateway.services.inquiry import InquiryKey, InquiryOptions

log = logging.getLogger(__name__)

SPOUSE = "spouse"
CONTROLLED_ENTERPRISE = "controlled_enterprise"

R = TypeVar("R", bound=AgencyRecords)


class ProfileLoader(Protocol):
    """Batches inquiries (the request's dataloader): leads join the request's other inquiries."""

    def load(self, key: InquiryKey) -> Awaitable[SubjectProfile]: ...

    def load_many(self, keys: Iterable[InquiryKey]) -> Awaitable[list[SubjectProfile]]: ...


async def spouse(
    loader: ProfileLoader, debtor: SubjectProfile, options: InquiryOptions
) -> SubjectProfile | None:
    civil = await _records(loader, debtor, options, "civil", CivilRecords)
    if civil is None or civil.current_spouse is None:
        return None
    found = civil.current_spouse
    lead = _subject(SubjectKind.NATURAL, found.id_number, found.name)
    if lead is None:
        return None
    return await loader.load(
        InquiryKey(lead, options, relation=SPOUSE, related_to=debtor.subject.key)
    )


async def controlled_enterprises(
    loader: ProfileLoader, debtor: SubjectProfile, options: InquiryOptions
) -> list[SubjectProfile]:
    business = await _records(loader, debtor, options, "business", BusinessRecords)
    if business is None:
        return []
    names = {e.uscc: e.name for e in business.enterprises}
    leads = [
        lead
        for code in business.controlled_enterprises
        if (lead := _subject(SubjectKind.LEGAL, code, names.get(code))) is not None
        and lead.key != debtor.subject.key
    ]
    keys = [
        InquiryKey(lead, options, relation=CONTROLLED_ENTERPRISE, related_to=debtor.subject.key)
        for lead in leads
    ]
    return list(await loader.load_many(keys))


async def _records(
    loader: ProfileLoader,
    debtor: SubjectProfile,
    options: InquiryOptions,
    agency: str,
    kind: type[R],
) -> R | None:
    """The debtor's records from ``agency``: from its profile, or asked now."""
    profile = debtor
    if agency not in options.agencies:
        only = dataclasses.replace(options, agencies=(agency,))
        profile = await loader.load(InquiryKey(debtor.subject, only))
    for result in profile.results:
        if isinstance(result.records, kind):
            return result.records
    return None


def _subject(kind: SubjectKind, value: str, name: str | None) -> Subject | None:
    try:
        return parse_subject(kind, value, name)
    except InvalidSubjectNameError:
        # the agency's name is longer than the contract carries: the lead is asked about by its
        # number alone, which is what the agencies match on
        log.warning("a lead's %s name over the contract's length was left out", kind.value)
        return parse_subject(kind, value)
    except InvalidSubjectError:
        # an agency's bad identifier is its data problem, not the judge's: skip the lead
        log.warning("a lead with an invalid %s identifier was skipped", kind.value)
        return None
