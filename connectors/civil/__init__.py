from connectors.civil.connector import CivilConnector

__all__ = ["CivilConnector"]
