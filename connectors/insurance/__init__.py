from connectors.insurance.connector import InsuranceConnector

__all__ = ["InsuranceConnector"]
