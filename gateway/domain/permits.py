"""Records of the permit offices (安监、卫生、检验检疫): work-safety permits, drug and
medical-device registrations, the customs (entry-exit inspection) credit rating."""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SafetyPermit:  # 安全生产许可证
    permit_number: str  # (苏)FM安许证字〔2023〕080123号; JZ 建筑施工, FM 非煤矿山, WH 危险化学品
    scope: str  # 许可范围
    issued_by: str  # 发证机关: 江苏省应急管理厅 / 淮安市应急管理局 / 江苏省住房和城乡建设厅
    issued_on: datetime.date
    expires_on: datetime.date  # 有效期至 (three years)
    status: str  # 有效 / 暂扣 / 吊销 / 注销 / 过期


@dataclass(frozen=True, slots=True)
class ProductRegistration:  # 药品、医疗器械注册证 / 备案凭证
    category: str  # 药品 / 第一类医疗器械 / 第二类医疗器械 / 第三类医疗器械
    registration_number: str  # 国药准字H20250123 / 苏械注准20242140123 / 苏淮械备20230045
    product_name: str
    issued_by: str  # 国家药品监督管理局 / 江苏省药品监督管理局 / 淮安市市场监督管理局
    issued_on: datetime.date
    expires_on: datetime.date | None  # None for a 第一类 filing (备案), which does not expire
    status: str  # 有效 / 注销 / 过期


@dataclass(frozen=True, slots=True)
class InspectionCredit:  # 海关（出入境检验检疫）企业信用等级
    customs_code: str  # 海关注册编码, 10 characters: 3208 + zone + type + serial
    # the customs scheme (海关总署令第251号, from 2022): 高级认证企业 / 一般信用企业 / 失信企业
    rating: str
    rated_on: datetime.date  # 认定日期
    authority: str  # 淮安海关


@dataclass(frozen=True, slots=True)
class PermitRecords:
    safety_permits: tuple[SafetyPermit, ...]
    product_registrations: tuple[ProductRegistration, ...]
    inspection_credit: InspectionCredit | None  # None: not registered with customs

    def count(self) -> int:
        return (
            len(self.safety_permits)
            + len(self.product_registrations)
            + (self.inspection_credit is not None)
        )
