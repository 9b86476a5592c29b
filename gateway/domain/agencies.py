"""The ten agencies of the source plan's network inquiry and control channels."""

from __future__ import annotations

import enum


class Agency(enum.Enum):
    POLICE = "police"
    LAND = "land"
    FUND = "fund"
    BUSINESS = "business"
    TAX = "tax"
    CIVIL = "civil"
    BANK = "bank"
    SECURITIES = "securities"
    INSURANCE = "insurance"
    PERMITS = "permits"

    @property
    def name_zh(self) -> str:
        return _NAMES_ZH[self]


_NAMES_ZH = {
    Agency.POLICE: "公安",
    Agency.LAND: "自然资源和规划（不动产）",
    Agency.FUND: "住房公积金",
    Agency.BUSINESS: "市场监管（工商）",
    Agency.TAX: "税务",
    Agency.CIVIL: "民政",
    Agency.BANK: "人民银行（银行业金融机构）",
    Agency.SECURITIES: "证券",
    Agency.INSURANCE: "保险",
    Agency.PERMITS: "安监、卫生、检验检疫",
}
