"""The conformance kit that connector owners point at their own endpoint."""

from mocks.contract.kit import CheckResult, check_endpoint

__all__ = ["CheckResult", "check_endpoint"]
