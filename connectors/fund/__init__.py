from connectors.fund.connector import FundConnector

__all__ = ["FundConnector"]
