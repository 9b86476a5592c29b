"""The connector contract: what the gateway needs from each agency's connector.

A connector turns one batched ``Inquiry`` into one ``POST /v1/inquiries`` call to its agency
and validates the agency's JSON straight into the agency's ``@record`` classes. It does no
retrying, caching or deadline keeping: the read layer (``gateway.services.fanout``) wraps every
connector in the same policies. Every agency is served by the same ``HttpConnector``
(``connectors.http``), configured by its ``AgencySpec``; a subclass is only for an agency whose
wire format really differs.

Two sides, kept apart:

* the **read** side, ``query``: safe to retry and to hedge; the read layer does both;
* the **control** side, ``control`` and ``control_status`` (freeze, seize, deduct, release,
  renew): every transport failure is an outcome (``APPLIED``, ``REJECTED``, ``UNKNOWN``, see
  ``gateway.domain.controls``), never retried or hedged by the read layer; an ``UNKNOWN`` is
  settled by asking ``control_status`` (the agency's ``GET /v1/controls/{requestId}``) and is
  sent again, with the same request id, only when the agency never saw it.

Contract for ``query``:

* it is called with one or more subjects that the connector ``applies_to``;
* it returns one entry per subject, keyed by ``Subject.key``: the agency's records, or ``None``
  when the agency does not know the subject;
* it raises only ``connectors.errors.ConnectorError`` subclasses (and ``CancelledError``),
  with messages that never contain a secret.

Consumers depend on the ``SourceConnector`` (reads) or ``ControlConnector`` (controls) protocol,
so tests can pass fakes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from connectors.client import ReadClient, read_client
from gateway.domain.cases import CaseNumber
from gateway.domain.controls import ControlOutcome, ControlRequest
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
    """The read side, all the fan-out engine uses; ``Connector`` implements it, tests may fake
    it."""

    @property
    def agency(self) -> str: ...

    def applies_to(self, subject: Subject) -> bool: ...

    async def query(self, inquiry: Inquiry) -> Mapping[str, AgencyRecords | None]: ...

    async def aclose(self) -> None: ...


class ControlConnector(Protocol):
    """What the controls will use (never the read layer); ``Connector`` implements it."""

    @property
    def agency(self) -> str: ...

    async def control(self, request: ControlRequest) -> ControlOutcome: ...

    async def control_status(self, request_id: str) -> ControlOutcome | None: ...


class Connector(ABC):
    """Base of the connectors: the agency's spec, its endpoint and the shared HTTP client;
    ``reads`` is how ``query`` sends (by default through ``client``; the gateway gives raw
    aiohttp on the session under ``client``, see ``connectors.client``)."""

    def __init__(
        self,
        spec: AgencySpec[Any],
        endpoint: AgencyEndpoint,
        client: httpx.AsyncClient,
        reads: ReadClient | None = None,
    ) -> None:
        self.spec = spec
        self.endpoint = endpoint
        self.client = client  # shared, owned by the application's lifespan
        self.reads = reads if reads is not None else read_client(client)

    @property
    def agency(self) -> str:
        return self.spec.name

    def applies_to(self, subject: Subject) -> bool:
        return subject.kind in self.spec.subject_kinds

    @abstractmethod
    async def query(self, inquiry: Inquiry) -> Mapping[str, AgencyRecords | None]:
        """Ask the agency about ``inquiry.subjects`` in one call (see the module docstring)."""

    @abstractmethod
    async def control(self, request: ControlRequest) -> ControlOutcome:
        """Send one control, once: an outcome whatever happens (only cancellation raises)."""

    @abstractmethod
    async def control_status(self, request_id: str) -> ControlOutcome | None:
        """The outcome of an earlier control, or ``None`` when the agency never saw it; raises
        the read side's ``ConnectorError`` when the agency cannot say (safe to ask again)."""

    async def aclose(self) -> None:  # noqa: B027 - an optional hook, not abstract
        """Release what the connector owns (the shared HTTP client is not its own)."""
