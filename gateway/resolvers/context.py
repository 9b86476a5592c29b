"""The per-request context: typed, built for each request, holding that request's dataloaders."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from gateway.auth.principal import Principal
from gateway.domain.subjects import Subject
from gateway.services.fanout import SubjectProfile
from gateway.services.inquiry import InquiryOptions, InquiryService


@dataclass(frozen=True, slots=True)
class InquiryKey:
    subject: Subject
    options: InquiryOptions


def inquiry_loader(service: InquiryService) -> DataLoader[InquiryKey, SubjectProfile]:
    """Coalesce every inquiry of one request with the same options into one fan-out.

    ``debtors(subjects: [...])`` and several aliased ``debtor`` fields alike end up as one
    batched call per agency.
    """

    async def load(keys: Sequence[InquiryKey]) -> list[SubjectProfile]:
        by_key: dict[InquiryKey, SubjectProfile] = {}
        ordered = sorted(keys, key=lambda k: hash(k.options))
        for options, group in itertools.groupby(ordered, key=lambda k: k.options):
            members = list(group)
            profiles = await service.inquire([k.subject for k in members], options)
            by_key.update(zip(members, profiles, strict=True))
        return [by_key[k] for k in keys]

    return DataLoader(load_fn=load, max_batch_size=service.limits.max_batch_subjects * 4)


@dataclass(slots=True)
class Context:
    inquiries: InquiryService
    principal: Principal
    loader: DataLoader[InquiryKey, SubjectProfile] = field(init=False)

    def __post_init__(self) -> None:
        self.loader = inquiry_loader(self.inquiries)
