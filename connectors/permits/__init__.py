from connectors.permits.connector import PermitConnector

__all__ = ["PermitConnector"]
