"""安监、卫生、检验检疫 / the permits agency: its spec and records."""

from connectors.permits.spec import SPEC

__all__ = ["SPEC"]
