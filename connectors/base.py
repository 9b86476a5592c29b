"""The connector contract: what the gateway needs from each agency's connector.

A connector turns one batched ``Inquiry`` into one ``POST /v1/inquiries`` call to its agency
and validates the agency's JSON straight into the agency's ``@record`` classes. It does no
retrying, caching or deadline keeping: the read layer (``gateway.services.fanout``) wraps every
connector in the same policies. Every agency is served by the same ``HttpConnector``
(``connectors.http``), configured by its ``AgencySpec``; a subclass is only for an agency whose
wire format really differs.

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
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from gateway.domain.cases import CaseNumber
from gateway.domain.records import AgencyRecords
from gateway.domain.subjects import Subject

if TYPE_CHECKING:
    from connectors.spec import AgencySpec


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


class SourceConnector(Protocol):
    """What the fan-out engine uses; ``Connector`` implements it, tests may fake it."""

    @property
    def agency(self) -> str: ...

    def applies_to(self, subject: Subject) -> bool: ...

    async def query(self, inquiry: Inquiry) -> Mapping[str, AgencyRecords | None]: ...

    async def aclose(self) -> None: ...


class Connector(ABC):
    """Base of the connectors: the agency's spec, its endpoint and the shared HTTP client."""

    def __init__(
        self, spec: AgencySpec[Any], endpoint: AgencyEndpoint, client: httpx.AsyncClient
    ) -> None:
        self.spec = spec
        self.endpoint = endpoint
        self.client = client  # shared, owned by the application's lifespan

    @property
    def agency(self) -> str:
        return self.spec.name

    def applies_to(self, subject: Subject) -> bool:
        return subject.kind in self.spec.subject_kinds

    @abstractmethod
    async def query(self, inquiry: Inquiry) -> Mapping[str, AgencyRecords | None]:
        """Ask the agency about ``inquiry.subjects`` in one call (see the module docstring)."""

    async def aclose(self) -> None:  # noqa: B027 - an optional hook, not abstract
        """Release what the connector owns (the shared HTTP client is not its own)."""
