"""Bearer tokens: HS256 JWTs carrying the caller's role and scope.

Tokens name their key in the ``kid`` header; every key in ``AuthSettings.keys`` verifies, and
``signing_key`` signs, so a key is rotated by adding the new one, signing with it, and removing
the old one once its tokens have expired.

Claims: ``iss``, ``sub`` (who, for the audit log), ``role``, ``court`` (JUDGE, COURT_SYSTEM),
``judge`` (JUDGE), ``perms`` (JUDGE: ``approve_deductions``), ``dept`` (DEPARTMENT), ``iat``,
``exp``, ``jti``.
"""

from __future__ import annotations

import datetime
import math
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import jwt

from gateway.auth.principal import PERMISSIONS, Principal, Role
from gateway.domain.courts import parse_court_code
from gateway.domain.errors import AuthenticationError, InvalidInputError
from gateway.domain.inputs import fold_identifier, fold_judge_id, refused_character
from gateway.domain.register import MAX_JUDGE_ID_LENGTH
from gateway.domain.subjects import mask_ids_in_prose
from gateway.settings import DEMO_KEY_ID, DEMO_SECRET, AuthSettings

ALGORITHM = "HS256"
# the longest ``sub``: the audit log's actor column (``gateway.store.tables.audit_log``), which
# names the caller in every entry; a judge id is at most ``MAX_JUDGE_ID_LENGTH``, as the case
# register keeps it and the audit log's judge column holds it
MAX_SUBJECT_LENGTH = 128
# how many verified tokens a token service keeps (``TokenService.verify``): a few hundred bytes
# each; only a token signed with one of the keys is kept
VERIFIED_TOKENS = 4096

# what each role's token must carry besides sub and role
_SCOPE_CLAIMS: dict[Role, tuple[str, ...]] = {
    Role.JUDGE: ("court", "judge"),
    Role.COURT_SYSTEM: ("court",),
    Role.DEPARTMENT: ("dept",),
    Role.CREDIT_CENTER: (),
    Role.ADMIN: (),
}


class TokenExpiredError(AuthenticationError):
    code = "TOKEN_EXPIRED"


class TokenInvalidError(AuthenticationError):
    code = "TOKEN_INVALID"


class TokenRequestError(ValueError):
    """A token that cannot be issued as asked, said in both languages."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en


def demo_auth() -> AuthSettings:
    """The demo's key set: one fixed, public key, accepted only in demo mode (``chakong demo``,
    or ``CHAKONG_DEMO=true``)."""
    return AuthSettings(keys={DEMO_KEY_ID: DEMO_SECRET})


class TokenService:
    def __init__(
        self,
        settings: AuthSettings,
        clock: Callable[[], datetime.datetime] | None = None,
    ) -> None:
        self.settings = settings
        self._keys = {kid: key.get_secret_value() for kid, key in settings.keys.items()}
        self._clock = clock or (lambda: datetime.datetime.now(datetime.UTC))
        # tokens whose signature and claims verified: token -> (its claims, its principal)
        self._verified: dict[str, tuple[Mapping[str, Any], Principal]] = {}

    @property
    def enabled(self) -> bool:
        return bool(self._keys)

    def issue(
        self,
        role: Role,
        *,
        subject: str,
        court: str | None = None,
        judge: str | None = None,
        department: str | None = None,
        ttl_s: int | None = None,
        permissions: Iterable[str] = (),
    ) -> str:
        """A signed token; raises ``TokenRequestError`` (a ``ValueError``) for a token the
        gateway would refuse, or a role without the scope it needs."""
        if role is Role.PUBLIC:
            raise TokenRequestError(
                "PUBLIC 是无令牌调用方的角色，没有令牌",
                "PUBLIC is the role of callers without a token; it has no token",
            )
        claims: dict[str, Any] = {"court": court, "judge": judge, "dept": department}
        perms = sorted(set(permissions))
        unknown = set(perms) - PERMISSIONS
        if unknown:
            raise TokenRequestError(
                f"未知权限 {sorted(unknown)}；可用：{sorted(PERMISSIONS)}",
                f"unknown permissions {sorted(unknown)}; known: {sorted(PERMISSIONS)}",
            )
        if perms and role is not Role.JUDGE:
            raise TokenRequestError(
                "只有 JUDGE 令牌可带权限", "only a JUDGE token carries permissions"
            )
        claims["perms"] = perms
        held = {"sub": subject, **claims}
        refused = _refused_claim(held)
        if refused is not None:  # the gateway would refuse the token (``_principal``)
            raise TokenRequestError(
                f"{refused[0]} 含有不允许的字符 {refused[1]}",
                f"{refused[0]} contains {refused[1]}: not a character a claim may hold",
            )
        folded = fold_identifier(subject)
        if mask_ids_in_prose(folded) != folded:
            # a token's sub names the caller whole: in every audit entry, and in `me`
            raise TokenRequestError(
                "sub 含有证件号码（令牌的 sub 原样写入审计日志），请改用工号等",
                "sub holds an ID number or credit code, which the audit log would keep whole: "
                "use a staff number or another name",
            )
        overlong = _overlong_claim(held)
        if overlong is not None:  # so would it this one
            raise TokenRequestError(
                f"{overlong[0]} 超过 {overlong[1]} 个字符",
                f"{overlong[0]} is longer than {overlong[1]} characters",
            )
        missing = [c for c in _SCOPE_CLAIMS[role] if not claims[c]]
        if missing:
            raise TokenRequestError(
                f"{role.value} 令牌须有 {'、'.join(missing)}",
                f"a {role.value} token needs {', '.join(missing)}",
            )
        kid = self.settings.signing_key or next(iter(self._keys), None)
        if kid is None or kid not in self._keys:
            raise TokenRequestError(
                "未配置签名密钥（CHAKONG_AUTH__KEYS__<密钥号>）",
                "no signing key is configured (CHAKONG_AUTH__KEYS__<kid>)",
            )
        now = self._clock()
        ttl = self.settings.token_ttl_s if ttl_s is None else ttl_s
        payload = {
            "iss": self.settings.issuer,
            "sub": subject,
            "role": role.value,
            **{k: v for k, v in claims.items() if v},
            "iat": int(now.timestamp()),
            "exp": int((now + datetime.timedelta(seconds=ttl)).timestamp()),
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(payload, self._keys[kid], algorithm=ALGORITHM, headers={"kid": kid})

    def verify(self, token: str) -> Principal:
        """The principal of a token; ``AuthenticationError`` subclasses for every failure.

        A token that verified is kept (the last ``VERIFIED_TOKENS``), so that the next request
        with it skips the signature and the claims' checks, which give the same answer for the
        same text under the same keys; its times are checked again every time, against the
        clock."""
        known = self._verified.get(token)
        if known is not None:
            claims, principal = known
            try:
                self._check_times(claims)
            except AuthenticationError:
                del self._verified[token]
                raise
            return principal
        principal, claims = self._verify(token)
        if len(self._verified) >= VERIFIED_TOKENS:
            del self._verified[next(iter(self._verified))]  # the longest kept
        self._verified[token] = (claims, principal)
        return principal

    def _verify(self, token: str) -> tuple[Principal, Mapping[str, Any]]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise _invalid("令牌格式错误", "the token is malformed") from None
        key = self._keys.get(str(header.get("kid", "")))
        if key is None:
            raise _invalid("令牌的签名密钥未知", "the token is signed with an unknown key")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                issuer=self.settings.issuer,
                # times are checked below, against our own clock
                options={
                    "require": ["exp", "iat", "sub", "role", "iss"],
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.InvalidSignatureError:
            raise _invalid("令牌签名无效", "the token's signature does not verify") from None
        except jwt.DecodeError:  # its message would quote Python's (an integer of 5,000 digits)
            raise _invalid("令牌内容无法解析", "the token's payload does not decode") from None
        except jwt.PyJWTError as exc:
            raise _invalid("令牌无效", f"the token is invalid ({_reason(exc)})") from None
        self._check_times(claims)
        return _principal(claims), claims

    def _check_times(self, claims: Mapping[str, Any]) -> None:
        now = self._clock().timestamp()
        leeway = self.settings.leeway_s
        expires, issued = _time(claims, "exp"), _time(claims, "iat")
        not_before = _time(claims, "nbf") if "nbf" in claims else issued
        if expires < now - leeway:
            raise TokenExpiredError(
                "令牌已过期，请重新获取", "the token has expired: get a new one"
            )
        if max(issued, not_before) > now + leeway:
            raise _invalid("令牌尚未生效", "the token is not valid yet (iat / nbf in the future)")


def _time(claims: Mapping[str, Any], name: str) -> float:
    """A time claim: a finite number of seconds (RFC 7519 NumericDate), nothing else: not a
    string, a boolean, NaN or infinity, which every comparison would get wrong."""
    value = claims[name]
    try:
        # an integer past what a float holds (10**400: JSON has no limit) overflows here
        seconds = float(value) if isinstance(value, int | float) else math.nan
    except OverflowError:
        seconds = math.nan
    if isinstance(value, bool) or not math.isfinite(seconds):
        raise _invalid(
            f"令牌的时间字段 {name} 不是有效的数字", f"the token's {name} is not a finite number"
        )
    return seconds


def _principal(claims: Mapping[str, Any]) -> Principal:
    try:
        role = Role(claims["role"])
    except ValueError:
        raise _invalid("令牌中的角色未知", "the token's role is unknown") from None
    if role is Role.PUBLIC:
        raise _invalid("令牌不能授予 PUBLIC 角色", "a token cannot carry the PUBLIC role")
    refused = _refused_claim(claims)
    if refused is not None:
        name, shown = refused
        raise _invalid(
            f"令牌的 {name} 含有不允许的字符 {shown}",
            f"the token's {name} contains {shown}: control characters and lone surrogates are "
            "not accepted",
        )
    overlong = _overlong_claim(claims)
    if overlong is not None:
        name, limit = overlong
        raise _invalid(
            f"令牌的 {name} 超过 {limit} 个字符",
            f"the token's {name} is longer than {limit} characters",
        )
    values = {name: claims.get(name) for name in ("court", "judge", "dept")}
    for name in _SCOPE_CLAIMS[role]:
        if not isinstance(values[name], str) or not values[name]:
            raise _invalid(
                f"{role.value} 令牌缺少 {name}", f"a {role.value} token must carry {name}"
            )
    return Principal(
        role=role,
        subject=str(claims["sub"]),
        # a court code as case numbers carry it (``gateway.domain.cases``): NFKC, no spaces
        court=_court(str(values["court"])) if role in (Role.JUDGE, Role.COURT_SYSTEM) else None,
        # a judge id as the case register keeps it (``gateway.domain.register``): NFKC, no spaces
        judge=_judge(str(values["judge"])) if role is Role.JUDGE else None,
        department=values["dept"] if role is Role.DEPARTMENT else None,
        token_id=str(claims.get("jti")) if claims.get("jti") else None,
        permissions=_permissions(claims.get("perms")) if role is Role.JUDGE else frozenset(),
    )


def _court(value: str) -> str:
    """The ``court`` claim in its normal form (``fold_identifier``: ``苏０８１２`` is ``苏0812``),
    which must then be a court code, as ``chakong token`` requires: anything else could never
    match a case's court, and would name the caller oddly in the audit log."""
    try:
        return parse_court_code(fold_identifier(value))
    except InvalidInputError as exc:
        raise _invalid(
            f"令牌的 court 无效：{exc.message_zh}", f"the token's court: {exc.message_en}"
        ) from None


def _judge(value: str) -> str:
    """The ``judge`` claim in the register's normal form (``fold_judge_id``); one that cannot
    be a judge id (an invisible character, another script's digits) makes the token invalid."""
    try:
        return fold_judge_id(value)
    except InvalidInputError as exc:
        raise _invalid(
            f"令牌的 judge 无效：{exc.message_zh}", f"the token's judge: {exc.message_en}"
        ) from None


# the claims of text a principal carries
_TEXT_CLAIMS = ("sub", "court", "judge", "dept", "jti")


def _refused_claim(claims: Mapping[str, Any]) -> tuple[str, str] | None:
    """The first text claim holding a character the gateway refuses in text, and that
    character (``U+0000``): the claims name the caller in the audit log and the database, and
    text a database cannot store (a NUL, a lone surrogate) would fail even a refusal's entry."""
    for name in _TEXT_CLAIMS:
        value = claims.get(name)
        refused = refused_character(value) if isinstance(value, str) else None
        if refused is not None:
            return name, refused
    return None


def _overlong_claim(claims: Mapping[str, Any]) -> tuple[str, int] | None:
    """The first claim longer than the column that keeps it, and that length: ``sub`` names the
    caller in the audit log (``MAX_SUBJECT_LENGTH``), ``judge`` in its normal form
    (``fold_judge_id``, which NFKC may lengthen) the judge (``MAX_JUDGE_ID_LENGTH``). SQLite
    would store a longer one and PostgreSQL refuse it, failing the entry of every request made
    with the token, a refusal's included; and no judge id that long is on any case."""
    sub, judge = claims.get("sub"), claims.get("judge")
    if isinstance(sub, str) and len(sub) > MAX_SUBJECT_LENGTH:
        return "sub", MAX_SUBJECT_LENGTH
    if isinstance(judge, str) and len(fold_identifier(judge)) > MAX_JUDGE_ID_LENGTH:
        return "judge", MAX_JUDGE_ID_LENGTH
    return None


def _permissions(value: Any) -> frozenset[str]:
    """The ``perms`` claim: a list of known permissions; anything else is an invalid token."""
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise _invalid("令牌的 perms 应为字符串列表", "the token's perms must be a list of strings")
    unknown = set(value) - PERMISSIONS
    if unknown:
        raise _invalid("令牌含未知权限", "the token carries an unknown permission")
    return frozenset(value)


def _invalid(zh: str, en: str) -> TokenInvalidError:
    return TokenInvalidError(zh, en)


def _reason(exc: Exception) -> str:
    # PyJWT's messages name the claim at fault and never contain the token or the key
    return str(exc).rstrip(".")[:120] or type(exc).__name__


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; None when there is none."""
    if authorization is None or not authorization.strip():
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _invalid(
            "Authorization 头应为 Bearer <令牌>", "the Authorization header must be Bearer <token>"
        )
    return token.strip()
