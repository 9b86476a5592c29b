from connectors.police.connector import PoliceConnector

__all__ = ["PoliceConnector"]
