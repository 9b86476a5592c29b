"""The list's deadlines: two profiles, each a table of ``Deadline``s (value, unit, source).

* ``SOURCE_PLAN`` (the default): the Huai'an plan (淮安市失信被执行人联合惩戒实施方案, 四(一)3
  and 4): correction applied for within 10 days of the decision, reviewed within 3 days, the
  entry masked or revoked within 3 days of performance. Where the plan says nothing (the
  effect of an accepted correction, expiry, reconsideration), the national rule applies, and the
  deadline's source says so.
* ``NATIONAL``: 《最高人民法院关于公布失信被执行人名单信息的若干规定》(法释〔2017〕7号):
  review within 15 days and correct within 3 working days (第十一条), delete within 3 working
  days (第十条), reconsideration applied for within 10 days and decided within 15 (第十二条).
  The national rules set no limit on applying for correction.

Courts may override any single deadline in the settings (``CHAKONG_LISTING__DEADLINES__...``).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from gateway.domain.calendar import DayUnit, Deadline


class DeadlineKind(enum.Enum):
    CORRECTION_APPLICATION = "CORRECTION_APPLICATION"  # 申请纠正期限（自收到决定书）
    REVIEW = "REVIEW"  # 审查纠正申请期限（自收到申请）
    CORRECTION_EFFECT = "CORRECTION_EFFECT"  # 理由成立后撤销/更正期限（自审查决定）
    EXIT = "EXIT"  # 履行完毕等后屏蔽或撤销期限（自履行完毕等）
    EXPIRY = "EXPIRY"  # 有效期届满后屏蔽期限（自届满）
    RECONSIDERATION_APPLICATION = "RECONSIDERATION_APPLICATION"  # 申请复议期限（自驳回）
    RECONSIDERATION_DECISION = "RECONSIDERATION_DECISION"  # 复议决定期限（自收到复议申请）


class ProfileName(enum.Enum):
    SOURCE_PLAN = "SOURCE_PLAN"
    NATIONAL = "NATIONAL"


PLAN = "淮安市失信被执行人联合惩戒实施方案"
RULES = "法释〔2017〕7号"


@dataclass(frozen=True, slots=True)
class DeadlineProfile:
    name: ProfileName
    label: str
    deadlines: Mapping[DeadlineKind, Deadline | None]  # None: no limit

    def get(self, kind: DeadlineKind) -> Deadline | None:
        return self.deadlines[kind]

    def with_overrides(self, overrides: Mapping[DeadlineKind, Deadline | None]) -> DeadlineProfile:
        return DeadlineProfile(self.name, self.label, {**self.deadlines, **overrides})


_NATIONAL_DEADLINES: dict[DeadlineKind, Deadline | None] = {
    DeadlineKind.CORRECTION_APPLICATION: None,
    DeadlineKind.REVIEW: Deadline(15, DayUnit.CALENDAR, f"{RULES} 第十一条"),
    DeadlineKind.CORRECTION_EFFECT: Deadline(3, DayUnit.WORKING, f"{RULES} 第十一条"),
    DeadlineKind.EXIT: Deadline(3, DayUnit.WORKING, f"{RULES} 第十条"),
    DeadlineKind.EXPIRY: Deadline(3, DayUnit.WORKING, f"{RULES} 第十条"),
    DeadlineKind.RECONSIDERATION_APPLICATION: Deadline(10, DayUnit.CALENDAR, f"{RULES} 第十二条"),
    DeadlineKind.RECONSIDERATION_DECISION: Deadline(15, DayUnit.CALENDAR, f"{RULES} 第十二条"),
}

NATIONAL = DeadlineProfile(ProfileName.NATIONAL, "全国规定 / national rules", _NATIONAL_DEADLINES)


def _fallback(kind: DeadlineKind) -> Deadline | None:
    national = _NATIONAL_DEADLINES[kind]
    if national is None:
        return None
    source = f"{national.source}（实施方案未规定，适用全国规定 / not in the plan: national rule）"
    return Deadline(national.days, national.unit, source)


SOURCE_PLAN = DeadlineProfile(
    ProfileName.SOURCE_PLAN,
    "淮安实施方案 / the Huai'an plan",
    {
        DeadlineKind.CORRECTION_APPLICATION: Deadline(10, DayUnit.CALENDAR, f"{PLAN} 四(一)3"),
        DeadlineKind.REVIEW: Deadline(3, DayUnit.CALENDAR, f"{PLAN} 四(一)3"),
        DeadlineKind.CORRECTION_EFFECT: _fallback(DeadlineKind.CORRECTION_EFFECT),
        DeadlineKind.EXIT: Deadline(3, DayUnit.CALENDAR, f"{PLAN} 四(一)4"),
        DeadlineKind.EXPIRY: _fallback(DeadlineKind.EXPIRY),
        DeadlineKind.RECONSIDERATION_APPLICATION: _fallback(
            DeadlineKind.RECONSIDERATION_APPLICATION
        ),
        DeadlineKind.RECONSIDERATION_DECISION: _fallback(DeadlineKind.RECONSIDERATION_DECISION),
    },
)

PROFILES: Mapping[ProfileName, DeadlineProfile] = {
    ProfileName.SOURCE_PLAN: SOURCE_PLAN,
    ProfileName.NATIONAL: NATIONAL,
}
