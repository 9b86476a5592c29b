from connectors.land.connector import LandConnector

__all__ = ["LandConnector"]
