"""公安 / the police agency: its spec and records."""

from connectors.police.spec import SPEC

__all__ = ["SPEC"]
