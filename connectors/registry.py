"""The registry of agencies: one ``AgencySpec`` per agency, one line each.

Adding an agency is its ``connectors/<agency>/`` package (records, spec, committed contract),
its mock (``mocks/<agency>/``, one line in ``mocks/registry.py``) and one line below. The
gateway reads the registry once, when it builds its GraphQL types; an agency registered after
that would be missing from them, so ``register`` refuses it (``RegistryFrozenError``). Unknown
names fail loudly (``UnknownAgencyError``, naming the known ones).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from connectors import (
    bank,
    business,
    civil,
    fund,
    insurance,
    land,
    permits,
    police,
    securities,
    tax,
)
from connectors.spec import AgencySpec
from gateway.domain.summary import SummaryPlan

DEFAULT_SPECS: tuple[AgencySpec[Any], ...] = (
    police.SPEC,
    land.SPEC,
    fund.SPEC,
    business.SPEC,
    tax.SPEC,
    civil.SPEC,
    bank.SPEC,
    securities.SPEC,
    insurance.SPEC,
    permits.SPEC,
)


class UnknownAgencyError(LookupError):
    pass


class RegistryFrozenError(RuntimeError):
    pass


class Registry:
    """The agencies of this deployment, in the order the gateway lists them."""

    def __init__(self, specs: tuple[AgencySpec[Any], ...] = DEFAULT_SPECS) -> None:
        self._specs: dict[str, AgencySpec[Any]] = {}
        self._frozen: tuple[AgencySpec[Any], ...] | None = None  # set on first read
        self._names: tuple[str, ...] = ()
        self._plan: SummaryPlan | None = None
        for spec in specs:
            self.register(spec)

    def register(self, spec: AgencySpec[Any]) -> None:
        """Add an agency (a plug-in, or a test's fake agency) before the gateway reads the
        registry; its name must be new."""
        if self._frozen is not None:
            raise RegistryFrozenError(
                f"agency {spec.name!r} registered after the gateway read the registry: register "
                "agencies before importing gateway.schema"
            )
        if spec.name in self._specs:
            raise ValueError(f"agency {spec.name!r} is registered twice")
        self._specs[spec.name] = spec

    def specs(self) -> tuple[AgencySpec[Any], ...]:
        """Every agency, in order; reading them freezes the registry."""
        if self._frozen is None:
            self._frozen = tuple(self._specs.values())
            self._names = tuple(self._specs)
        return self._frozen

    def summary_plan(self) -> SummaryPlan:
        """Every agency's asset classes and tallies: how a profile is summed up."""
        if self._plan is None:
            specs = self.specs()
            self._plan = SummaryPlan(
                [c for spec in specs for c in spec.asset_classes],
                {spec.name: spec.tally for spec in specs if spec.tally is not None},
            )
        return self._plan

    def names(self) -> tuple[str, ...]:
        self.specs()
        return self._names

    def __iter__(self) -> Iterator[AgencySpec[Any]]:
        return iter(self.specs())

    def __len__(self) -> int:
        return len(self.specs())  # a cached tuple once frozen

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def spec(self, name: str) -> AgencySpec[Any]:
        """The spec of an agency by name (``"police"``, ``"POLICE"``)."""
        found = self._specs.get(str(name).lower())
        if found is None:
            known = ", ".join(self._specs)
            raise UnknownAgencyError(f"unknown agency {name!r}; known: {known}")
        return found


# the process's registry: the ten agencies of the source plan, plus any registered before use
AGENCIES = Registry()


def spec(name: str) -> AgencySpec[Any]:
    """The spec of an agency of ``AGENCIES`` by name; ``UnknownAgencyError`` if there is none."""
    return AGENCIES.spec(name)
