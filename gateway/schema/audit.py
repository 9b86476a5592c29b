"""审计日志 / The audit log, as administrators see it: ID numbers masked."""

from __future__ import annotations

import datetime

import strawberry

from gateway.services import audit as domain


@strawberry.type(description="一个单位的反馈 / One agency's answer, as audited")
class AuditedAnswer:
    agency: str = strawberry.field(description="单位 / Agency")
    status: str = strawberry.field(description="状态 / Status")
    record_count: int = strawberry.field(description="记录数 / Records")


@strawberry.type(description="审计记录（证件号码已脱敏） / An audit entry (ID numbers masked)")
class AuditEntry:
    seq: int = strawberry.field(description="序号 / Sequence number in the chain")
    at: datetime.datetime = strawberry.field(description="时间 (UTC) / When")
    request_id: str = strawberry.field(description="请求编号 / Request id")
    action: str = strawberry.field(description="操作 / Action: inquiry, operation, case.save ...")
    outcome: str = strawberry.field(description="结果：allowed / denied / Outcome")
    code: str | None = strawberry.field(description="拒绝代码 / Refusal code")
    actor: str = strawberry.field(description="调用者 / Who (token subject)")
    role: str = strawberry.field(description="角色 / Role")
    court: str | None = strawberry.field(description="调用者法院 / Caller's court")
    judge: str | None = strawberry.field(description="法官编号 / Judge id")
    case_number: str | None = strawberry.field(description="案号 / Case number")
    subject_masked: str | None = strawberry.field(description="查询对象（脱敏） / Subject, masked")
    relation: str | None = strawberry.field(
        description="与案件的关系：debtor / spouse / controlled_enterprise / Relation"
    )
    answers: list[AuditedAnswer] = strawberry.field(
        description="询问的单位及其反馈 / The agencies asked and how each answered"
    )
    detail: str | None = strawberry.field(description="说明 / Detail")
    hash: str = strawberry.field(description="本条哈希 / This entry's chain hash")

    @staticmethod
    def from_domain(entry: domain.AuditEntry) -> AuditEntry:
        return AuditEntry(
            seq=entry.seq,
            at=entry.at,
            request_id=entry.request_id,
            action=entry.action,
            outcome=entry.outcome,
            code=entry.code,
            actor=entry.actor,
            role=entry.role,
            court=entry.court,
            judge=entry.judge,
            case_number=entry.case_number,
            subject_masked=entry.subject_masked,
            relation=entry.relation,
            answers=[
                AuditedAnswer(
                    agency=agency,
                    status=entry.statuses.get(agency, ""),
                    record_count=entry.record_counts.get(agency, 0),
                )
                for agency in entry.agencies
            ],
            detail=entry.detail,
            hash=entry.hash,
        )
