"""住房公积金 / the fund agency: its spec and records."""

from connectors.fund.spec import SPEC

__all__ = ["SPEC"]
