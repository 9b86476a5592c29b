"""人民银行（银行业金融机构） / the bank agency: its spec and records."""

from connectors.bank.spec import SPEC

__all__ = ["SPEC"]
