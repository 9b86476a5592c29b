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

    @property
    def person(self) -> str:
        """Who the caller is, as a control names its requester and approver: a judge by court
        and judge id (in the register's normal form, whatever the token's ``sub`` says, so two
        tokens of one judge are one person to maker-checker), anyone else by the ``sub``."""
        if self.role is Role.JUDGE and self.court is not None and self.judge is not None:
            return f"judge:{self.court}:{self.judge}"
        return self.subject

    @property
    def names(self) -> frozenset[str]:
        """Every name a control of this caller's may carry as its requester: ``person``, and the
        token's ``sub``, which controls made before they named the person carry."""
        return frozenset({self.person, self.subject})


ANONYMOUS = Principal(Role.PUBLIC)
