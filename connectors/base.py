"""The connector contract: what the gateway needs from each agency's connector.

A connector turns one batched ``Inquiry`` into one ``POST /v1/inquiries`` call to its agency
and maps the agency's JSON into the frozen dataclasses of ``gateway.domain``. It does no
retrying, caching or deadline keeping: the read layer (``gateway.services.fanout``) wraps every
connector in the same policies, so a connector stays a page of code.

Contract for ``query``:

* it is called with one or more subjects that the connector ``applies_to``;
* it returns one entry per subject, keyed by ``Subject.key``: the agency's records, or ``None``
  when the agency does not know the subject;
* it raises only ``connectors.errors.ConnectorError`` subclasses (and ``CancelledError``),
  with messages that never contain a secret.

Consumers depend on the ``SourceConnector`` protocol, so tests can pass fakes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Generic, Protocol, TypeVar

import httpx

from gateway.domain.agencies import Agency
from gateway.domain.cases import CaseNumber
from gateway.domain.records import AgencyRecords
from gateway.domain.subjects import Subject, SubjectKind


@dataclass(frozen=True, slots=True)
class AgencyEndpoint:
    """Where and how to reach one agency."""

    base_url: str
    token: str = field(repr=False)
    max_batch: int = 500  # subjects per call; larger inquiries are split


@dataclass(frozen=True, slots=True)
class Inquiry:
    """One batched question to an agency: these subjects, for this case."""

    request_id: str
    case_number: CaseNumber
    court: str
    subjects: tuple[Subject, ...]


RecordsT = TypeVar("RecordsT", bound=AgencyRecords, covariant=True)


class SourceConnector(Protocol):
    """What the fan-out engine uses; ``Connector`` implements it, tests may fake it."""

    @property
    def agency(self) -> Agency: ...

    def applies_to(self, subject: Subject) -> bool: ...

    async def query(self, inquiry: Inquiry) -> Mapping[str, AgencyRecords | None]: ...

    async def aclose(self) -> None: ...


class Connector(ABC, Generic[RecordsT]):
    """Base of the HTTP connectors; subclasses set the class attributes and ``query``."""

    agency: ClassVar[Agency]
    subject_kinds: ClassVar[frozenset[SubjectKind]]

    def __init__(self, endpoint: AgencyEndpoint, client: httpx.AsyncClient) -> None:
        self.endpoint = endpoint
        self.client = client  # shared, owned by the application's lifespan

    def applies_to(self, subject: Subject) -> bool:
        return subject.kind in self.subject_kinds

    @abstractmethod
    async def query(self, inquiry: Inquiry) -> Mapping[str, RecordsT | None]:
        """Ask the agency about ``inquiry.subjects`` in one call (see the module docstring)."""

    async def aclose(self) -> None:
        """Release what the connector owns (the shared HTTP client is not its own)."""
