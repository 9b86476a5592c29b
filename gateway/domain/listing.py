"""The dishonest-debtor list (失信被执行人名单): entries and what they publish.

An entry holds every field the source plan publishes (淮安实施方案 四(一)1) for a legal person
(case number, organisation name, credit code (or the old organisation code), legal
representative, executing court,
enforcement-basis document number and issuing body, obligation, performance status,
circumstance of dishonesty, publication / filing / revocation times, performed and unperformed
parts, dishonesty level) and for a natural person (the same, with name, gender, age and ID
number), plus the legal ground, the decision's document number, the validity period and whether
publication is allowed. The lifecycle that moves an entry is ``gateway.domain.lifecycle``.

Grounds and terms, 《最高人民法院关于公布失信被执行人名单信息的若干规定》(法释〔2017〕7号):
第一条 lists six grounds; 第二条 sets no term for the first (able to perform but refuses: listed
until performed) and two years for the others, extendable by one to three years for violence or
threats in serious circumstances or several acts of dishonesty. 第四条: a minor is never listed.

The old organisation code (组织机构代码, GB 11714-1997) a legal person may still carry is nine
characters: eight digits or capital letters, then a check character
(``normalize_organisation_code``).
"""

from __future__ import annotations

import datetime
import enum
import unicodedata
from dataclasses import dataclass

from gateway.domain.errors import InvalidInputError, InvalidSubjectError
from gateway.domain.inputs import fold_identifier
from gateway.domain.subjects import Subject, SubjectKind, ascii_identifier, echoed

RULES = "法释〔2017〕7号"
ADULT_AGE = 18
# the longest free text of an entry (the obligation, the parts, the circumstance, a reason)
MAX_TEXT = 2000


class ListingError(InvalidInputError):
    """A listing request the law or the lifecycle refuses; ``code`` says which rule."""

    code = "LISTING_REFUSED"


class LegalGround(enum.Enum):
    """The six national grounds (法释〔2017〕7号 第一条)."""

    ABLE_BUT_REFUSES = "ABLE_BUT_REFUSES"  # (一) 有履行能力而拒不履行
    OBSTRUCTS = "OBSTRUCTS"  # (二) 以伪造证据、暴力、威胁等方法妨碍、抗拒执行
    EVADES = "EVADES"  # (三) 以虚假诉讼、虚假仲裁或隐匿、转移财产等方法规避执行
    ASSET_REPORT = "ASSET_REPORT"  # (四) 违反财产报告制度
    CONSUMPTION_ORDER = "CONSUMPTION_ORDER"  # (五) 违反限制消费令
    SETTLEMENT = "SETTLEMENT"  # (六) 无正当理由拒不履行执行和解协议

    @property
    def label_zh(self) -> str:
        return _GROUND_ZH[self]

    @property
    def term_years(self) -> int | None:
        """The default term (第二条): none for the first ground, two years for the others."""
        return None if self is LegalGround.ABLE_BUT_REFUSES else 2


_GROUND_ZH = {
    LegalGround.ABLE_BUT_REFUSES: "有履行能力而拒不履行生效法律文书确定义务",
    LegalGround.OBSTRUCTS: "以伪造证据、暴力、威胁等方法妨碍、抗拒执行",
    LegalGround.EVADES: "以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行",
    LegalGround.ASSET_REPORT: "违反财产报告制度",
    LegalGround.CONSUMPTION_ORDER: "违反限制消费令",
    LegalGround.SETTLEMENT: "无正当理由拒不履行执行和解协议",
}


class DishonestyLevel(enum.Enum):
    GENERAL = "GENERAL"  # 一般失信
    SERIOUS = "SERIOUS"  # 较重失信
    GRAVE = "GRAVE"  # 严重失信


class Performance(enum.Enum):
    NONE = "NONE"  # 全部未履行
    PARTIAL = "PARTIAL"  # 部分履行
    FULL = "FULL"  # 全部履行


class Gender(enum.Enum):
    MALE = "MALE"
    FEMALE = "FEMALE"


class ExitCause(enum.Enum):
    """Why an entry leaves the list (淮安实施方案 四(一)4; 法释〔2017〕7号 第十条)."""

    PERFORMED = "PERFORMED"  # 全部履行
    SETTLEMENT = "SETTLEMENT"  # 和解协议经申请执行人确认履行完毕
    TERMINATED = "TERMINATED"  # 依法终结执行


class ListingState(enum.Enum):
    WARNED = "WARNED"  # 已发风险提示，尚未决定
    WITHDRAWN = "WITHDRAWN"  # 风险提示后未纳入（宽限期内履行等）
    LISTED = "LISTED"  # 已决定纳入，尚未发布
    PUBLISHED = "PUBLISHED"  # 已向社会公布
    EMPLOYER_NOTIFIED = "EMPLOYER_NOTIFIED"  # 不宜公开：已通报所在单位
    UNDER_REVIEW = "UNDER_REVIEW"  # 纠正申请审查中
    UNDER_RECONSIDERATION = "UNDER_RECONSIDERATION"  # 上一级法院复议中
    EXIT_PENDING = "EXIT_PENDING"  # 已履行完毕/和解履行完毕/终结执行，待屏蔽或撤销
    MASKED = "MASKED"  # 已屏蔽（不再公开，记录保留）
    REVOKED = "REVOKED"  # 已撤销
    LIFTED = "LIFTED"  # 提供有效担保，已解除惩戒

    @property
    def in_force(self) -> bool:
        """The punishment applies: listed, whatever is pending about it."""
        return self in IN_FORCE


IN_FORCE = frozenset(
    {
        ListingState.LISTED,
        ListingState.PUBLISHED,
        ListingState.EMPLOYER_NOTIFIED,
        ListingState.UNDER_REVIEW,
        ListingState.UNDER_RECONSIDERATION,
        ListingState.EXIT_PENDING,
    }
)


@dataclass(frozen=True, slots=True)
class Decision:
    """The court's decision to list (纳入失信被执行人名单决定书)."""

    document_number: str
    decided_on: datetime.date
    ground: LegalGround
    circumstance: str  # 失信被执行人具体情形
    level: DishonestyLevel = DishonestyLevel.GENERAL
    extension_years: int = 0  # 第二条: 1 to 3 more years for violence or serious circumstances
    publication_allowed: bool = True
    employer: str | None = None  # notified instead when publication is not allowed

    def validity_until(self) -> datetime.date | None:
        """The last day of the validity period; ``None`` for no fixed term."""
        years = self.ground.term_years
        if years is None:
            return None
        return _add_years(self.decided_on, years + self.extension_years) - datetime.timedelta(1)

    def check(self) -> None:
        check_length(self.document_number, 128, "决定书文号", "the decision's number")
        check_length(self.employer, 200, "所在单位", "the employer")
        check_length(self.circumstance, MAX_TEXT, "失信具体情形", "the circumstance")
        if not self.document_number.strip():
            raise ListingError(
                "纳入决定书文号不能为空",
                "the decision's document number is required",
                code="LISTING_DOCUMENT_REQUIRED",
            )
        if not self.circumstance.strip():  # what the public entry shows as its dishonesty
            raise ListingError(
                "失信具体情形不能为空", "the circumstance is required", code="INVALID_INPUT"
            )
        if self.extension_years:
            if self.ground.term_years is None:
                raise ListingError(
                    "“有履行能力而拒不履行”不设期限，不能延长",
                    "the ground 'able but refuses' has no term to extend",
                    code="LISTING_EXTENSION_INVALID",
                )
            if not 1 <= self.extension_years <= 3:
                raise ListingError(
                    "延长期限应为一至三年（法释〔2017〕7号 第二条）",
                    "an extension is one to three years (第二条)",
                    code="LISTING_EXTENSION_INVALID",
                )
        if not self.publication_allowed and not (self.employer or "").strip():
            raise ListingError(
                "不宜公开的，须填写应通报的所在单位",
                "an entry that may not be published needs the employer to notify",
                code="LISTING_EMPLOYER_REQUIRED",
            )


@dataclass(frozen=True, slots=True)
class Particulars:
    """What the court knows of the debtor and the case when it warns (everything published)."""

    case_number: str
    court: str  # executing court's code, as in case numbers
    subject: Subject
    basis_document_number: str  # 执行依据文号
    basis_issuer: str  # 作出执行依据单位
    obligation: str  # 生效法律文书确定的义务
    performance: Performance = Performance.NONE
    performed_part: str = ""
    unperformed_part: str = ""
    legal_representative: str | None = None  # legal persons only
    filed_on: datetime.date | None = None  # 立案时间
    judge: str | None = None  # the judge answerable for the entry (not published)
    organisation_code: str | None = None  # legal persons only: 组织机构代码, normal form

    def check(self) -> None:
        for value, zh, en in (
            (self.basis_document_number, "执行依据文号", "the enforcement basis' number"),
            (self.basis_issuer, "作出执行依据单位", "the enforcement basis' issuer"),
            (self.obligation, "生效法律文书确定的义务", "the obligation"),
            (self.subject.name or "", "被执行人姓名或名称", "the debtor's name"),
        ):
            if not value.strip():
                raise ListingError(f"{zh}不能为空", f"{en} is required", code="INVALID_INPUT")
        check_length(self.basis_document_number, 128, "执行依据文号", "the basis' number")
        for text, zh, en in (
            (self.basis_issuer, "作出执行依据单位", "the issuer"),
            (self.subject.name, "姓名或名称", "the name"),
            (self.legal_representative, "法定代表人", "the legal representative"),
        ):
            check_length(text, 200, zh, en)
        check_length(self.judge, 64, "承办法官", "the judge")
        if self.subject.kind is SubjectKind.LEGAL and not (self.legal_representative or ""):
            raise ListingError(
                "单位被执行人须填写法定代表人",
                "a legal person's entry needs its legal representative",
                code="INVALID_INPUT",
            )
        if self.organisation_code is not None:
            if self.subject.kind is not SubjectKind.LEGAL:
                raise ListingError(
                    "组织机构代码仅适用于单位被执行人",
                    "only a legal person's entry carries an organisation code",
                    code="LISTING_ORGANISATION_CODE_NATURAL_PERSON",
                )
            if normalize_organisation_code(self.organisation_code) != self.organisation_code:
                raise _bad_organisation_code(self.organisation_code, "格式不规范", "not normalised")


@dataclass(frozen=True, slots=True)
class ListingEntry:
    """One entry and where it stands; ``public`` is whether the public query shows it."""

    id: str
    particulars: Particulars
    state: ListingState
    warned_on: datetime.date
    warning_document_number: str
    version: int = 1
    previous_state: ListingState | None = None  # where a rejected review returns to
    public: bool = False
    decision: Decision | None = None
    valid_until: datetime.date | None = None
    published_on: datetime.date | None = None
    employer_notified_on: datetime.date | None = None
    correction_applied_on: datetime.date | None = None
    correction_rejected_on: datetime.date | None = None
    correction_accepted_on: datetime.date | None = None
    reconsideration_applied_on: datetime.date | None = None
    exit_cause: ExitCause | None = None
    exit_reported_on: datetime.date | None = None
    masked_on: datetime.date | None = None
    revoked_on: datetime.date | None = None
    lifted_on: datetime.date | None = None
    last_event_on: datetime.date | None = None

    @property
    def subject(self) -> Subject:
        return self.particulars.subject

    @property
    def birth_date(self) -> datetime.date | None:
        return birth_date(self.subject)

    @property
    def gender(self) -> Gender | None:
        return gender(self.subject)

    @property
    def age(self) -> int | None:
        """The age published: on the decision's date (on the warning's before a decision)."""
        born = self.birth_date
        if born is None:
            return None
        on = self.decision.decided_on if self.decision else self.warned_on
        return age_on(born, on)


def normal_name(name: str) -> str:
    """A debtor's name as the list keeps and compares it: NFKC (full-width letters and digits
    and compatibility forms read as what they stand for: ``测试１０`` is ``测试10``), every run
    of whitespace one space, none at either end."""
    return " ".join(unicodedata.normalize("NFKC", name).split())


def check_length(value: str | None, limit: int, zh: str, en: str) -> None:
    """Refuse a text longer than its column holds (PostgreSQL would refuse it less politely)."""
    if value is not None and len(value) > limit:
        raise ListingError(
            f"{zh}不能超过 {limit} 个字符",
            f"{en} may not exceed {limit} characters",
            code="INVALID_INPUT",
        )


_ORGANISATION_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORGANISATION_BODY = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def organisation_check_character(body: str) -> str:
    """GB 11714-1997: the weighted sum of the eight characters (digits their value, letters
    A=10 to Z=35), C9 = 11 - sum mod 11; 10 is written ``X`` and 11 ``0``."""
    total = sum(int(c, 36) * w for c, w in zip(body, _ORGANISATION_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def normalize_organisation_code(value: str) -> str:
    """Validate an old organisation code (组织机构代码) and return its normal form: nine
    characters, upper case, no dash (``71526726X``). Read as every identifier is
    (``ascii_identifier``: NFKC, no whitespace, ASCII only, upper case); one dash is allowed,
    before the check character only (``71526726-X``). Refused with
    ``LISTING_ORGANISATION_CODE_INVALID``."""
    folded = fold_identifier(value)
    try:
        code = ascii_identifier(value)
    except InvalidSubjectError:
        raise _bad_organisation_code(
            folded, "含有无法识别的字符", "it has characters other than ASCII digits and letters"
        ) from None
    if "-" in folded and (folded.count("-") != 1 or folded[-2:-1] != "-"):
        raise _bad_organisation_code(
            folded, "连字符只能在校验码之前", "a dash may only precede the check character"
        )
    if len(code) != 9:
        raise _bad_organisation_code(folded, "长度应为9位", "it must have 9 characters")
    if any(c not in _ORGANISATION_BODY for c in code[:8]):
        raise _bad_organisation_code(
            folded, "本体代码应为数字或大写字母", "its first 8 characters must be digits or letters"
        )
    if code[8] != organisation_check_character(code[:8]):
        raise _bad_organisation_code(folded, "校验码不符", "the check character does not match")
    return code


def _bad_organisation_code(value: str, zh: str, en: str) -> ListingError:
    shown = echoed(value, 32)
    return ListingError(
        f"组织机构代码 {shown} 无效：{zh}",
        f"organisation code {shown} is invalid: {en}",
        code="LISTING_ORGANISATION_CODE_INVALID",
    )


def birth_date(subject: Subject) -> datetime.date | None:
    """The birth date in a natural person's (canonical, 18-character) ID number."""
    if subject.kind is not SubjectKind.NATURAL:
        return None
    digits = subject.id
    return datetime.date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))


def gender(subject: Subject) -> Gender | None:
    if subject.kind is not SubjectKind.NATURAL:
        return None
    return Gender.MALE if int(subject.id[16]) % 2 else Gender.FEMALE


def age_on(born: datetime.date, on: datetime.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def check_not_minor(subject: Subject, on: datetime.date) -> None:
    """Refuse a natural person under 18 on ``on`` (法释〔2017〕7号 第四条), whatever the profile."""
    born = birth_date(subject)
    if born is not None and age_on(born, on) < ADULT_AGE:
        raise ListingError(
            "被执行人为未成年人，不得纳入失信被执行人名单（法释〔2017〕7号 第四条）",
            "the debtor is a minor and may never be listed (法释〔2017〕7号 第四条)",
            code="LISTING_MINOR",
        )


def public_id(subject: Subject) -> str:
    """The ID number as the national public site shows it: birth month and day hidden
    (``3208021980****0014``); a credit code is public and shown whole."""
    if subject.kind is SubjectKind.NATURAL:
        return subject.id[:10] + "****" + subject.id[14:]
    return subject.id


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
