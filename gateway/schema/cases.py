"""案件登记 / The case register, and who is calling."""

from __future__ import annotations

import datetime
from decimal import Decimal

import strawberry

from gateway.auth.principal import Principal
from gateway.auth.principal import Role as RoleEnum
from gateway.domain import register as domain
from gateway.domain.subjects import SubjectKind
from gateway.schema.common import Subject

CaseStatus = strawberry.enum(
    domain.CaseStatus,
    name="CaseStatus",
    description="案件状态：OPEN 执行中，SUSPENDED 中止，CLOSED 结案，TERMINATED 终结（只有执行中"
    "的案件可以查询财产） / Case status: OPEN, SUSPENDED, CLOSED, TERMINATED (assets may be "
    "inquired only while a case is OPEN)",
)
PartyRole = strawberry.enum(
    domain.PartyRole,
    name="PartyRole",
    description="当事人地位：DEBTOR 被执行人，CREDITOR 申请执行人 / DEBTOR judgment debtor, "
    "CREDITOR the applicant creditor",
)
Role = strawberry.enum(
    RoleEnum,
    name="Role",
    description="调用者角色：JUDGE 执行法官，COURT_SYSTEM 法院案件系统，DEPARTMENT 联合惩戒单位，"
    "CREDIT_CENTER 信用信息中心，ADMIN 管理员，PUBLIC 未登录 / The caller's role",
)


@strawberry.input(description="当事人 / A party of the case")
class PartyInput:
    role: domain.PartyRole = strawberry.field(description="当事人地位 / Role in the case")
    kind: SubjectKind = strawberry.field(description="主体类型 / Kind of subject")
    id: str = strawberry.field(description="身份证号码或统一社会信用代码 / ID number or USCC")
    name: str | None = strawberry.field(
        default=None, description="姓名或名称，至多200字 / Name, at most 200 characters"
    )


@strawberry.input(description="登记或更新一个案件（整体替换） / A case to register or replace")
class CaseInput:
    case_number: str = strawberry.field(description="执行案号 / Enforcement case number")
    judges: list[str] = strawberry.field(description="承办法官编号 / Assigned judges' ids")
    parties: list[PartyInput] = strawberry.field(description="当事人 / Parties")
    obligation: Decimal = strawberry.field(
        description="执行标的金额（0 至 9999999999999.99，最多两位小数） / Obligation (yuan, 0 to "
        "9999999999999.99, at most two decimals)"
    )
    performed: Decimal = strawberry.field(
        default=Decimal(0),
        description="已履行金额（范围同上） / Amount performed so far (same range)",
    )
    status: domain.CaseStatus = strawberry.field(
        default=domain.CaseStatus.OPEN, description="案件状态 / Status"
    )
    filed_on: datetime.date | None = strawberry.field(
        default=None,
        description="立案日期，自案号年度1月1日至今天 / Filing date, from 1 January of the case "
        "number's year to today",
    )


@strawberry.type(description="当事人 / A party of a case")
class Party:
    role: domain.PartyRole = strawberry.field(description="当事人地位 / Role in the case")
    subject: Subject = strawberry.field(description="当事人 / The party")


@strawberry.type(description="执行案件 / An enforcement case")
class Case:
    case_number: str = strawberry.field(description="案号 / Case number")
    court: str = strawberry.field(description="法院代码 / Court code, as in the case number")
    judges: list[str] = strawberry.field(description="承办法官 / Assigned judges")
    parties: list[Party] = strawberry.field(description="当事人 / Parties")
    obligation: Decimal = strawberry.field(description="执行标的金额 / Obligation")
    performed: Decimal = strawberry.field(description="已履行金额 / Performed")
    unperformed: Decimal = strawberry.field(description="未履行金额 / Unperformed")
    currency: str = strawberry.field(description="币种 / Currency")
    status: domain.CaseStatus = strawberry.field(description="案件状态 / Status")
    filed_on: datetime.date | None = strawberry.field(description="立案日期 / Filing date")

    @staticmethod
    def from_domain(case: domain.Case) -> Case:
        return Case(
            case_number=case.case_number.canonical,
            court=case.court,
            judges=list(case.judges),
            parties=[
                Party(role=p.role, subject=Subject.from_domain(p.subject)) for p in case.parties
            ],
            obligation=case.obligation,
            performed=case.performed,
            unperformed=case.unperformed,
            currency=case.currency,
            status=case.status,
            filed_on=case.filed_on,
        )


@strawberry.type(description="当前调用者 / Who is calling")
class Me:
    role: RoleEnum = strawberry.field(description="角色 / Role")
    subject: str = strawberry.field(description="令牌主体 / The token's subject")
    court: str | None = strawberry.field(description="法院代码 / Court")
    judge: str | None = strawberry.field(description="法官编号 / Judge id")
    department: str | None = strawberry.field(description="单位编号 / Department id")

    @staticmethod
    def from_domain(principal: Principal) -> Me:
        return Me(
            role=principal.role,
            subject=principal.subject,
            court=principal.court,
            judge=principal.judge,
            department=principal.department,
        )
