"""The permission table covers the whole schema, and the case-scoped rules decide alone."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from gateway.api import build_schema
from gateway.auth.policy import ROOT_FIELDS, check_approval, check_inquiry, check_root_fields
from gateway.auth.principal import ANONYMOUS, Principal, Role
from gateway.domain.errors import AuthenticationError, PermissionDeniedError
from gateway.domain.register import CaseStatus, Party, PartyRole, new_case
from gateway.domain.subjects import SubjectKind, parse_subject

DEBTOR = parse_subject(SubjectKind.NATURAL, "320812198203151256")
CREDITOR = parse_subject(SubjectKind.LEGAL, "91320812MA0002015P")
JUDGE = Principal(Role.JUDGE, subject="j", court="苏0812", judge="J001")


def case(status: CaseStatus = CaseStatus.OPEN):
    return new_case(
        "(2026)苏0812执123号",
        court="苏0812",
        judges=["J001"],
        parties=[Party(PartyRole.DEBTOR, DEBTOR), Party(PartyRole.CREDITOR, CREDITOR)],
        obligation=Decimal("100.00"),
        status=status,
        filed_on=datetime.date(2026, 1, 5),
    )


def test_every_root_field_of_the_schema_has_a_rule():
    schema = build_schema()._schema
    fields = {
        f"{root.name}.{name}"
        for root in (schema.query_type, schema.mutation_type)
        if root is not None
        for name in root.fields
    }
    assert fields - set(ROOT_FIELDS) == set()


def test_an_unlisted_root_field_is_refused_to_everyone():
    for role in Role:
        principal = Principal(role, subject="x", court="c", judge="j", department="d")
        with pytest.raises(PermissionDeniedError):
            check_root_fields(principal, ["Query.somethingNew"])


def test_anonymous_callers_are_asked_to_authenticate():
    with pytest.raises(AuthenticationError):
        check_root_fields(ANONYMOUS, ["Query.debtor"])
    check_root_fields(ANONYMOUS, ["Query.me", "Query.__typename"])


@pytest.mark.parametrize(
    ("principal", "the_case", "code"),
    [
        (JUDGE, None, "CASE_NOT_REGISTERED"),
        (
            Principal(Role.JUDGE, subject="j", court="苏0803", judge="J001"),
            case(),
            "FORBIDDEN_COURT",
        ),
        (Principal(Role.JUDGE, subject="j", court="苏0812", judge="J002"), case(), "NOT_ASSIGNED"),
        (JUDGE, case(CaseStatus.SUSPENDED), "CASE_NOT_OPEN"),
        (JUDGE, case(CaseStatus.TERMINATED), "CASE_NOT_OPEN"),
        (Principal(Role.ADMIN, subject="a"), case(), "FORBIDDEN_OPERATION"),
    ],
)
def test_inquiry_refusals(principal, the_case, code):
    with pytest.raises(PermissionDeniedError) as caught:
        check_inquiry(principal, the_case, [DEBTOR])
    assert caught.value.code == code
    if code in {"CASE_NOT_OPEN", "NOT_ASSIGNED", "CASE_NOT_REGISTERED", "FORBIDDEN_COURT"}:
        assert not re.search("[A-Za-z]", caught.value.message_zh), caught.value.message_zh


def test_only_debtors_of_the_case_may_be_asked_about():
    check_inquiry(JUDGE, case(), [DEBTOR])
    system = Principal(Role.COURT_SYSTEM, subject="s", court="苏0812")
    check_inquiry(system, case(), [DEBTOR])  # a court system needs no assignment
    with pytest.raises(PermissionDeniedError) as caught:
        check_inquiry(JUDGE, case(), [DEBTOR, CREDITOR])
    assert caught.value.code == "NOT_A_DEBTOR"
    assert "subjects[1]" in caught.value.message_en
    assert "第2个查询对象" in caught.value.message_zh
    words = caught.value.message_zh.replace(CREDITOR.masked_id, "")  # a credit code has letters
    assert not re.search("[A-Za-z]", words), caught.value.message_zh
    assert CREDITOR.id not in str(caught.value)
    with pytest.raises(PermissionDeniedError) as alone:
        check_inquiry(JUDGE, case(), [CREDITOR])
    assert alone.value.message_zh.startswith("查询对象（")
    assert not re.search("[A-Za-z]", alone.value.message_zh.replace(CREDITOR.masked_id, ""))


APPROVING = Principal(
    Role.JUDGE,
    subject="judge:J001",
    court="苏0812",
    judge="J001",
    permissions=frozenset({"approve_deductions"}),
)


@pytest.mark.parametrize(
    "requested_by",
    [
        "judge:苏0812:J001",  # the judge, as controls name their requester
        "judge:J001",  # the token's sub, as controls made before that named it
    ],
)
def test_the_requester_cannot_approve_by_either_name(requested_by: str):
    with pytest.raises(PermissionDeniedError) as caught:
        check_approval(APPROVING, "苏0812", requested_by)
    assert caught.value.code == "SELF_APPROVAL"


def test_another_judge_may_approve():
    check_approval(APPROVING, "苏0812", "judge:苏0812:J002")
    assert APPROVING.person == "judge:苏0812:J001"
    assert Principal(Role.ADMIN, subject="admin:ops").person == "admin:ops"
