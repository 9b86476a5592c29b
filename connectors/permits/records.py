"""Records of the permit offices (安监、卫生、检验检疫): work-safety permits, drug and
medical-device registrations, the customs (entry-exit inspection) credit rating."""

from __future__ import annotations

import datetime

from gateway.domain.records import doc, record


@record
class SafetyPermit:
    """安全生产许可证 / Work-safety permit"""

    # (苏)FM安许证字〔2023〕080123号; JZ 建筑施工, FM 非煤矿山, WH 危险化学品
    permit_number: str = doc("许可证编号 / Permit number")
    scope: str = doc("许可范围 / Scope")
    # 发证机关: 江苏省应急管理厅 / 淮安市应急管理局 / 江苏省住房和城乡建设厅
    issued_by: str = doc("发证机关 / Issued by")
    issued_on: datetime.date = doc("发证日期 / Issued on")
    # 有效期至 (three years)
    expires_on: datetime.date = doc("有效期至 / Valid until")
    # 有效 / 暂扣 / 吊销 / 注销 / 过期
    status: str = doc(
        "许可证状态（有效/暂扣/吊销/注销/过期） / Status (valid, suspended, revoked, cancelled, expired)"
    )


@record
class ProductRegistration:
    """药品、医疗器械注册或备案 / Drug or medical-device registration"""

    # 药品、医疗器械注册证 / 备案凭证
    # 药品 / 第一类医疗器械 / 第二类医疗器械 / 第三类医疗器械
    category: str = doc(
        "类别（药品、第一/二/三类医疗器械） / Category (drug, or class I, II or III medical device)"
    )
    # 国药准字H20250123 / 苏械注准20242140123 / 苏淮械备20230045
    registration_number: str = doc(
        "批准文号、注册证号或备案编号 / Approval, registration or filing number"
    )
    product_name: str = doc("产品名称 / Product")
    # 国家药品监督管理局 / 江苏省药品监督管理局 / 淮安市市场监督管理局
    issued_by: str = doc("批准或备案部门 / Issued by")
    issued_on: datetime.date = doc("批准日期 / Issued on")
    # None for a 第一类 filing (备案), which does not expire
    expires_on: datetime.date | None = doc(
        "有效期至（备案无期限） / Valid until (none for a filing)", default=None
    )
    # 有效 / 注销 / 过期
    status: str = doc("状态（有效/注销/过期） / Status (valid, cancelled, expired)")


@record
class InspectionCredit:
    """海关（出入境检验检疫）信用等级 / Customs inspection credit rating"""

    # 海关（出入境检验检疫）企业信用等级
    # 海关注册编码, 10 characters: 3208 + zone + type + serial
    customs_code: str = doc("海关注册编码 / Customs registration code")
    # the customs scheme (海关总署令第251号, from 2022): 高级认证企业 / 一般信用企业 / 失信企业
    rating: str = doc(
        "信用等级（高级认证企业/一般信用企业/失信企业） / Rating (advanced certified, general "
        "credit, or dishonest enterprise)"
    )
    rated_on: datetime.date = doc("认定日期 / Rated on")
    # 淮安海关
    authority: str = doc("认定海关 / Customs office")


@record
class PermitRecords:
    """安监、卫生、检验检疫反馈 / What the permit offices hold"""

    safety_permits: tuple[SafetyPermit, ...] = doc(
        "安全生产许可证 / Work-safety permits", default=()
    )
    product_registrations: tuple[ProductRegistration, ...] = doc(
        "药品、医疗器械注册与备案 / Drug and medical-device registrations", default=()
    )
    # None: not registered with customs
    inspection_credit: InspectionCredit | None = doc(
        "海关信用等级（未在海关注册则为空） / Customs credit rating (none if not registered with customs)",
        default=None,
    )

    def count(self) -> int:
        return (
            len(self.safety_permits)
            + len(self.product_registrations)
            + (self.inspection_credit is not None)
        )
