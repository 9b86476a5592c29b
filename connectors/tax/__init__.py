from connectors.tax.connector import TaxConnector

__all__ = ["TaxConnector"]
