from connectors.securities.connector import SecuritiesConnector

__all__ = ["SecuritiesConnector"]
