"""A small gazetteer of Huai'an city (淮安市): districts, streets, police stations, courts, banks.

The synthetic records of every mock draw their places from here, so that an address, the
police station that registered it, the court that seized a flat there and the bank branch
that holds an account all belong to the same county.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

CITY = "淮安市"
PROVINCE = "江苏省"
PLATE_PREFIX = "苏H"  # 淮安 plates


@dataclass(frozen=True, slots=True)
class District:
    name: str  # 清江浦区
    region: str  # current administrative division code
    id_regions: tuple[str, ...]  # codes found in residents' ID numbers (older codes too)
    registry: str  # where its real-estate certificates are issued: 淮安市 or the county
    police: str  # the police (sub)bureau
    stations: tuple[str, ...]
    court: str
    court_code: str  # in case numbers: (2024)苏0812执456号
    branch: str  # bank branch names: 中国银行股份有限公司淮安{branch}支行
    streets: tuple[str, ...]

    def locality(self) -> str:
        """The address prefix: 淮安市清江浦区, or 淮安市涟水县."""
        return f"{CITY}{self.name}"


DISTRICTS: tuple[District, ...] = (
    District(
        "清江浦区", "320812", ("320802", "320811", "320812"), CITY, "淮安市公安局清江浦分局",
        ("清河", "柳树湾", "长东", "浦楼", "闸口", "白鹭湖"), "淮安市清江浦区人民法院", "苏0812",
        "清江浦", ("淮海东路", "淮海南路", "健康东路", "解放东路", "承德南路", "西安路",
                   "北京北路", "深圳路", "水渡口大道", "交通路"),
    ),
    District(
        "淮阴区", "320804", ("320804",), CITY, "淮安市公安局淮阴分局",
        ("王营", "长江路", "淮河路", "渔沟"), "淮安市淮阴区人民法院", "苏0804",
        "淮阴", ("北京西路", "长江东路", "黄河东路", "淮河东路", "西安北路", "承德北路"),
    ),
    District(
        "淮安区", "320803", ("320803",), CITY, "淮安市公安局淮安分局",
        ("淮城", "河下", "城东", "车桥"), "淮安市淮安区人民法院", "苏0803",
        "楚州", ("镇淮楼东路", "镇淮楼西路", "漕运东路", "翔宇北道", "楚州大道", "枚皋路"),
    ),
    District(
        "洪泽区", "320813", ("320829", "320813"), CITY, "淮安市公安局洪泽分局",
        ("高良涧", "朱坝", "东双沟"), "淮安市洪泽区人民法院", "苏0813",
        "洪泽", ("东风路", "北京路", "人民北路", "洪泽湖大道", "大庆路"),
    ),
    District(
        "涟水县", "320826", ("320826",), "涟水县", "涟水县公安局",
        ("涟城", "高沟", "保滩"), "涟水县人民法院", "苏0826",
        "涟水", ("红日大道", "安东路", "涟城大道", "五岛路", "淮海北路"),
    ),
    District(
        "盱眙县", "320830", ("320830",), "盱眙县", "盱眙县公安局",
        ("盱城", "马坝", "官滩"), "盱眙县人民法院", "苏0830",
        "盱眙", ("淮河北路", "五墩路", "金源北路", "山水大道", "东阳路"),
    ),
    District(
        "金湖县", "320831", ("320831",), "金湖县", "金湖县公安局",
        ("黎城", "银涂", "戴楼"), "金湖县人民法院", "苏0831",
        "金湖", ("金湖路", "环城西路", "衡阳路", "建设路", "神华大道"),
    ),
)  # fmt: skip

INTERMEDIATE_COURT = ("淮安市中级人民法院", "苏08")

COMMUNITIES = (
    "名都花园", "翔宇花园", "水渡口小区", "金色港湾", "御景湾", "新城国际", "清江苑", "运河湾",
    "香格里拉花园", "枫林湾", "中央公馆", "万达华府", "楚秀园小区", "富春花园", "世纪华庭",
    "华润橡树湾", "星雨华府", "恒大名都", "和平小区", "幸福新村",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Bank:
    name: str  # what a judge calls it: 中国工商银行
    legal_name: str  # 中国工商银行股份有限公司
    debit_bin: str  # first six digits of its debit cards
    credit_bin: str
    product_prefix: str  # wealth product codes
    product_brand: str


BANKS: tuple[Bank, ...] = (
    Bank("中国工商银行", "中国工商银行股份有限公司", "622202", "625330", "GS", "工银理财"),
    Bank("中国农业银行", "中国农业银行股份有限公司", "622848", "625996", "AB", "农银理财"),
    Bank("中国银行", "中国银行股份有限公司", "621661", "625907", "ZY", "中银理财"),
    Bank("中国建设银行", "中国建设银行股份有限公司", "621700", "625362", "JH", "建信理财"),
    Bank("交通银行", "交通银行股份有限公司", "622262", "622252", "JT", "交银理财"),
    Bank("江苏银行", "江苏银行股份有限公司", "622173", "622873", "JS", "苏银理财"),
    Bank("淮安农村商业银行", "江苏淮安农村商业银行股份有限公司", "623196", "628368", "HN",
         "淮农商"),
    Bank("中国邮政储蓄银行", "中国邮政储蓄银行股份有限公司", "621799", "628218", "YC",
         "中邮理财"),
    Bank("招商银行", "招商银行股份有限公司", "621483", "622575", "ZS", "招银理财"),
)  # fmt: skip


def district_for_id(rng: random.Random, resident_id: str) -> District:
    """The district a resident ID number was issued in, or a random one for outsiders."""
    for district in DISTRICTS:
        if resident_id[:6] in district.id_regions:
            return district
    return rng.choice(DISTRICTS)


def street_address(rng: random.Random, district: District) -> str:
    """淮安市清江浦区淮海东路88号名都花园3幢2单元501室"""
    building = rng.randint(1, 32)
    unit = rng.randint(1, 4)
    room = rng.randint(1, 26) * 100 + rng.randint(1, 4)
    return (
        f"{district.locality()}{rng.choice(district.streets)}{rng.randint(1, 399)}号"
        f"{rng.choice(COMMUNITIES)}{building}幢{unit}单元{room}室"
    )


def industrial_address(rng: random.Random, district: District) -> str:
    """淮安市淮阴区长江东路266号 (a factory or office site)."""
    return f"{district.locality()}{rng.choice(district.streets)}{rng.randint(1, 999)}号"


def police_station(rng: random.Random, district: District) -> str:
    return f"{district.police}{rng.choice(district.stations)}派出所"


def court_case(rng: random.Random, district: District, year: int) -> tuple[str, str]:
    """A court and an enforcement case number: 淮安市清江浦区人民法院, (2024)苏0812执456号."""
    court, code = (
        INTERMEDIATE_COURT if rng.random() < 0.15 else (district.court, district.court_code)
    )
    case_type = rng.choice(("执", "执", "执", "执保", "执恢"))
    return court, f"({year}){code}{case_type}{rng.randint(1, 3999)}号"


def bank_branch(rng: random.Random, bank: Bank, district: District) -> str:
    """中国工商银行股份有限公司淮安清江浦支行"""
    if rng.random() < 0.1:
        return f"{bank.legal_name}淮安分行营业部"
    return f"{bank.legal_name}淮安{district.branch}支行"


def mortgagee(bank: Bank) -> str:
    return f"{bank.legal_name}淮安分行"
