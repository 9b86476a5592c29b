from connectors.business.connector import BusinessConnector

__all__ = ["BusinessConnector"]
