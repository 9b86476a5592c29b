"""Agency name -> connector class. Unknown names fail loudly."""

from __future__ import annotations

from typing import Any

from connectors.bank import BankConnector
from connectors.base import Connector
from connectors.land import LandConnector
from connectors.police import PoliceConnector
from gateway.domain.agencies import Agency

CONNECTORS: dict[Agency, type[Connector[Any]]] = {
    Agency.POLICE: PoliceConnector,
    Agency.LAND: LandConnector,
    Agency.BANK: BankConnector,
}


class UnknownConnectorError(LookupError):
    pass


def connector_class(name: str | Agency) -> type[Connector[Any]]:
    """The connector class for an agency, by enum or name (``"police"``)."""
    try:
        agency = name if isinstance(name, Agency) else Agency(name.lower())
        return CONNECTORS[agency]
    except (ValueError, KeyError):
        known = ", ".join(a.value for a in CONNECTORS)
        raise UnknownConnectorError(f"no connector for agency {name!r}; known: {known}") from None
