"""Agency name -> connector class. Unknown names fail loudly."""

from __future__ import annotations

from typing import Any

from connectors.bank import BankConnector
from connectors.base import Connector
from connectors.business import BusinessConnector
from connectors.civil import CivilConnector
from connectors.fund import FundConnector
from connectors.insurance import InsuranceConnector
from connectors.land import LandConnector
from connectors.permits import PermitConnector
from connectors.police import PoliceConnector
from connectors.securities import SecuritiesConnector
from connectors.tax import TaxConnector
from gateway.domain.agencies import Agency

CONNECTORS: dict[Agency, type[Connector[Any]]] = {
    Agency.POLICE: PoliceConnector,
    Agency.LAND: LandConnector,
    Agency.BANK: BankConnector,
    Agency.BUSINESS: BusinessConnector,
    Agency.SECURITIES: SecuritiesConnector,
    Agency.INSURANCE: InsuranceConnector,
    Agency.FUND: FundConnector,
    Agency.TAX: TaxConnector,
    Agency.CIVIL: CivilConnector,
    Agency.PERMITS: PermitConnector,
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
