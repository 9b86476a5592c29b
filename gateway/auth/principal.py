"""Who is calling: the principal a request runs as, decided once per request from its token."""

from __future__ import annotations

import enum
from dataclasses import dataclass

APPROVE_DEDUCTIONS = "approve_deductions"  # a judge who may approve another's deduction
PERMISSIONS = frozenset({APPROVE_DEDUCTIONS})  # what a token's ``perms`` claim may grant


class Role(enum.Enum):
    JUDGE = "JUDGE"  # an execution judge of one court (court + judge id)
    COURT_SYSTEM = "COURT_SYSTEM"  # a court's case system (court)
    DEPARTMENT = "DEPARTMENT"  # a joint-punishment department (department id)
    CREDIT_CENTER = "CREDIT_CENTER"  # the city's credit information centre
    ADMIN = "ADMIN"  # the gateway's administrators (audit log)
    PUBLIC = "PUBLIC"  # anyone without a token: the public list only


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller. ``PUBLIC`` is the anonymous principal of requests without a token."""

    role: Role
    subject: str = "anonymous"  # the token's ``sub``: who, for the audit log
    court: str | None = None  # court code as in case numbers: 苏0812
    judge: str | None = None  # judge id, for JUDGE
    department: str | None = None  # department id, for DEPARTMENT
    token_id: str | None = None  # the token's ``jti``
    permissions: frozenset[str] = frozenset()  # extra grants (``perms``): approve_deductions

    @property
    def authenticated(self) -> bool:
        return self.role is not Role.PUBLIC


ANONYMOUS = Principal(Role.PUBLIC)
