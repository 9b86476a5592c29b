from connectors.bank.connector import BankConnector

__all__ = ["BankConnector"]
