"""Bearer tokens: issue, verify, rotate, and every way a token can be refused."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import re

import jwt
import pytest
from pydantic import SecretStr

from gateway.auth.principal import Role
from gateway.auth.tokens import (
    TokenExpiredError,
    TokenInvalidError,
    TokenRequestError,
    TokenService,
    bearer_token,
)
from gateway.settings import AuthSettings

KEY_A = "a" * 40
KEY_B = "b" * 40
NOW = datetime.datetime(2026, 11, 26, 8, 0, tzinfo=datetime.UTC)


def service(
    keys: dict[str, str], signing: str | None = None, now: datetime.datetime = NOW
) -> TokenService:
    settings = AuthSettings(keys={k: SecretStr(v) for k, v in keys.items()}, signing_key=signing)
    return TokenService(settings, clock=lambda: now)


def test_a_judge_token_carries_court_and_judge() -> None:
    tokens = service({"k1": KEY_A})
    token = tokens.issue(Role.JUDGE, subject="zhang", court="苏0812", judge="J001")
    principal = tokens.verify(token)
    assert (principal.role, principal.subject, principal.court, principal.judge) == (
        Role.JUDGE,
        "zhang",
        "苏0812",
        "J001",
    )
    assert principal.department is None
    assert principal.authenticated


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.JUDGE, {"court": "苏0812"}),
        (Role.COURT_SYSTEM, {}),
        (Role.DEPARTMENT, {}),
    ],
)
def test_a_role_needs_its_scope(role: Role, scope: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="needs"):
        service({"k1": KEY_A}).issue(role, subject="x", court=scope.get("court"))


def test_public_has_no_token() -> None:
    with pytest.raises(ValueError, match="PUBLIC"):
        service({"k1": KEY_A}).issue(Role.PUBLIC, subject="x")


def test_expired_tokens_are_refused_with_their_own_code() -> None:
    old = service({"k1": KEY_A}, now=NOW - datetime.timedelta(hours=9))
    token = old.issue(Role.ADMIN, subject="ops")  # 8 h lifetime
    with pytest.raises(TokenExpiredError) as caught:
        service({"k1": KEY_A}).verify(token)
    assert caught.value.code == "TOKEN_EXPIRED"
    assert caught.value.http_status == 401


def test_a_token_signed_with_another_secret_is_invalid() -> None:
    token = service({"k1": KEY_B}).issue(Role.ADMIN, subject="ops")
    with pytest.raises(TokenInvalidError, match="signature"):
        service({"k1": KEY_A}).verify(token)


def test_rotation_old_and_new_keys_verify_new_tokens_use_the_signing_key() -> None:
    before = service({"old": KEY_A}).issue(Role.ADMIN, subject="ops")
    rotating = service({"old": KEY_A, "new": KEY_B}, signing="new")
    after = rotating.issue(Role.ADMIN, subject="ops")
    assert jwt.get_unverified_header(after)["kid"] == "new"
    assert rotating.verify(before).subject == "ops"
    assert rotating.verify(after).subject == "ops"
    with pytest.raises(TokenInvalidError, match="unknown key"):
        service({"new": KEY_B}).verify(before)  # the old key was retired


@pytest.mark.parametrize(
    "claims",
    [
        {"role": "JUDGE", "court": "苏0812"},  # no judge
        {"role": "SUPERUSER"},
        {"role": "PUBLIC"},
    ],
)
def test_forged_claims_signed_with_a_real_key_are_still_checked(claims: dict[str, str]) -> None:
    payload = {
        "iss": "chakong",
        "sub": "x",
        "iat": int(NOW.timestamp()),
        "exp": int(NOW.timestamp()) + 60,
        **claims,
    }
    token = jwt.encode(payload, KEY_A, algorithm="HS256", headers={"kid": "k1"})
    with pytest.raises(TokenInvalidError):
        service({"k1": KEY_A}).verify(token)


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        "",
        "a.b.c",
        # alg none, no signature
        jwt.encode({"sub": "x", "role": "ADMIN"}, key="", algorithm="none", headers={"kid": "k1"}),
    ],
)
def test_malformed_tokens_are_invalid(token: str) -> None:
    with pytest.raises(TokenInvalidError):
        service({"k1": KEY_A}).verify(token)


def test_wrong_issuer_is_invalid() -> None:
    other = TokenService(
        AuthSettings(keys={"k1": SecretStr(KEY_A)}, issuer="someone-else"), clock=lambda: NOW
    )
    token = other.issue(Role.ADMIN, subject="ops")
    with pytest.raises(TokenInvalidError, match="iss"):
        service({"k1": KEY_A}).verify(token)


def test_short_keys_are_refused_by_the_settings() -> None:
    with pytest.raises(ValueError, match="32"):
        AuthSettings(keys={"k1": SecretStr("short")})


@pytest.mark.parametrize(
    ("header", "expected"),
    [(None, None), ("", None), ("Bearer abc", "abc"), ("bearer  abc ", "abc")],
)
def test_bearer_header(header: str | None, expected: str | None) -> None:
    assert bearer_token(header) == expected


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "abc"])
def test_other_authorization_schemes_are_invalid(header: str) -> None:
    with pytest.raises(TokenInvalidError):
        bearer_token(header)


def test_tokens_from_the_future_are_invalid() -> None:
    later = service({"k1": KEY_A}, now=NOW + datetime.timedelta(hours=1))
    token = later.issue(Role.ADMIN, subject="ops")
    with pytest.raises(TokenInvalidError, match="not valid yet"):
        service({"k1": KEY_A}).verify(token)


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
@pytest.mark.parametrize(
    "value",
    [
        *("nan", "inf", "-inf", float("nan"), float("inf"), True, False, "1800000000", "", [1], {}),
        pytest.param(10**400, id="1e400"),
        pytest.param(-(10**400), id="-1e400"),
    ],
)
def test_a_time_claim_that_is_not_a_finite_number_is_invalid(claim: str, value: object) -> None:
    # NaN compares false with every time, so a token with exp "nan" would never expire; JSON
    # holds integers of any size, and one past what a float holds had made math.isfinite raise
    # OverflowError: a 500 and a traceback, not TOKEN_INVALID
    payload = {
        "iss": "chakong",
        "sub": "x",
        "role": "ADMIN",
        "iat": int(NOW.timestamp()),
        "exp": int(NOW.timestamp()) + 60,
        claim: value,
    }
    token = jwt.encode(payload, KEY_A, algorithm="HS256", headers={"kid": "k1"})
    with pytest.raises(TokenInvalidError, match=f"{claim} is not a finite number"):
        service({"k1": KEY_A}).verify(token)


def test_time_claims_may_be_fractional() -> None:
    payload = {
        "iss": "chakong",
        "sub": "x",
        "role": "ADMIN",
        "iat": NOW.timestamp() - 0.5,
        "nbf": NOW.timestamp() - 0.5,
        "exp": NOW.timestamp() + 60.5,
    }
    token = jwt.encode(payload, KEY_A, algorithm="HS256", headers={"kid": "k1"})
    assert service({"k1": KEY_A}).verify(token).subject == "x"


def test_a_verified_token_is_kept_but_its_times_are_checked_every_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The second request with a token skips the signature check (``jwt.decode`` is not called
    again) and gets the same principal; once the clock passes the token's expiry it is refused
    with its own code, and no longer kept. Tokens that fail are never kept."""
    now = [NOW]
    tokens = TokenService(
        AuthSettings(keys={"k1": SecretStr(KEY_A)}, token_ttl_s=3600), clock=lambda: now[0]
    )
    token = tokens.issue(Role.JUDGE, subject="zhang", court="苏0812", judge="J001")
    decoded: list[str] = []
    real_decode = jwt.decode

    def counting(raw: str, *args: object, **kwargs: object) -> object:
        decoded.append(raw)
        return real_decode(raw, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jwt, "decode", counting)
    first = tokens.verify(token)
    assert tokens.verify(token) == first
    assert decoded == [token]
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for _ in range(2):
        with pytest.raises(TokenInvalidError):
            tokens.verify(forged)
    assert decoded == [token, forged, forged]  # a refused token is checked every time
    now[0] = NOW + datetime.timedelta(hours=2)
    with pytest.raises(TokenExpiredError):
        tokens.verify(token)
    now[0] = NOW  # kept no longer: verified from scratch
    assert tokens.verify(token) == first
    assert decoded == [token, forged, forged, token]


def test_the_kept_tokens_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("gateway.auth.tokens.VERIFIED_TOKENS", 3)
    tokens = service({"k1": KEY_A})
    issued = [
        tokens.issue(Role.JUDGE, subject=f"judge{i}", court="苏0812", judge=f"J{i:03d}")
        for i in range(5)
    ]
    principals = [tokens.verify(t) for t in issued]
    assert len(tokens._verified) == 3
    assert list(tokens._verified) == issued[2:]  # the longest kept went first
    assert [tokens.verify(t) for t in issued] == principals


@pytest.mark.parametrize(
    ("claim", "value", "shown"),
    [
        ("court", "\udc00", "U+DC00"),  # a lone surrogate: no database can store it
        ("court", "苏0812\x00", "U+0000"),  # PostgreSQL refuses a NUL in text
        ("judge", "J\udcff", "U+DCFF"),  # what chakong token made of a byte that is not UTF-8
        ("sub", "judge:\x1bJ001", "U+001B"),
        ("jti", "\x7f", "U+007F"),
    ],
)
def test_a_claim_with_text_no_database_can_store_is_invalid(
    claim: str, value: str, shown: str
) -> None:
    """Signed with a real key, and still refused: the claims name the caller in the audit
    log, whose entry of the refusal could not be written."""
    payload = {
        "iss": "chakong",
        "sub": "judge:J001",
        "role": "JUDGE",
        "court": "苏0812",
        "judge": "J001",
        "iat": int(NOW.timestamp()),
        "exp": int(NOW.timestamp()) + 60,
        claim: value,
    }
    token = jwt.encode(payload, KEY_A, algorithm="HS256", headers={"kid": "k1"})
    with pytest.raises(TokenInvalidError, match=re.escape(shown)):
        service({"k1": KEY_A}).verify(token)


@pytest.mark.parametrize("claim", ["subject", "court", "judge"])
def test_no_token_is_issued_with_such_text(claim: str) -> None:
    values = {"subject": "judge:J001", "court": "苏0812", "judge": "J001", claim: "J\udcff"}
    with pytest.raises(ValueError, match=re.escape("U+DCFF")):
        service({"k1": KEY_A}).issue(
            Role.JUDGE, subject=values["subject"], court=values["court"], judge=values["judge"]
        )


def test_a_judge_id_is_read_as_the_case_register_keeps_it() -> None:
    tokens = service({"k1": KEY_A})
    token = tokens.issue(Role.JUDGE, subject="judge:J001", court="苏0812", judge="Ｊ００１")
    assert tokens.verify(token).judge == "J001"


@pytest.mark.parametrize("judge", ["J001\u200b", "٣٣"])
def test_a_judge_claim_that_cannot_be_a_judge_id_makes_the_token_invalid(judge: str) -> None:
    tokens = service({"k1": KEY_A})
    token = tokens.issue(Role.JUDGE, subject="judge:x", court="苏0812", judge=judge)
    with pytest.raises(TokenInvalidError) as caught:
        tokens.verify(token)
    assert "INVALID" not in caught.value.message_en  # the rule's words, not a code
    assert "only ASCII letters, digits and punctuation" in caught.value.message_en


def test_a_payload_that_does_not_decode_is_invalid_in_the_gateways_words() -> None:
    # signed with the real key: only its holder can make one; Python refuses the integer
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","kid":"k1","typ":"JWT"}').rstrip(b"=")
    body = b'{"sub":"x","role":"ADMIN","iat":' + b"9" * 5000 + b"}"
    payload = base64.urlsafe_b64encode(body).rstrip(b"=")
    signing_input = header + b"." + payload
    signature = hmac.new(KEY_A.encode(), signing_input, hashlib.sha256).digest()
    token = (signing_input + b"." + base64.urlsafe_b64encode(signature).rstrip(b"=")).decode()
    with pytest.raises(TokenInvalidError) as caught:
        service({"k1": KEY_A}).verify(token)
    assert caught.value.message_en == "the token's payload does not decode"


def test_a_court_claim_is_read_in_its_normal_form() -> None:
    tokens = service({"k1": KEY_A})
    token = tokens.issue(Role.JUDGE, subject="judge:J001", court="苏０８１２ ", judge="J001")
    assert tokens.verify(token).court == "苏0812"  # as case numbers carry it


@pytest.mark.parametrize("court", ["苏0812\u200b", "苏٠٨١٢", "淮安市清江浦区人民法院", "苏081"])
def test_a_court_claim_that_cannot_be_a_court_code_makes_the_token_invalid(court: str) -> None:
    tokens = service({"k1": KEY_A})
    token = tokens.issue(Role.COURT_SYSTEM, subject="system:x", court=court)
    with pytest.raises(TokenInvalidError, match="the token's court"):
        tokens.verify(token)


@pytest.mark.parametrize(
    "subject",
    ["320812198203151256", "judge:320812 19820315 1256", "法官３２０８１２１９８２０３１５１２５６",
     "org:91320812MA0002015P"],
)  # fmt: skip
def test_a_token_is_not_issued_to_a_subject_holding_an_id_number(subject: str) -> None:
    # the sub is the caller's name in every audit entry, kept whole, and `me` shows it
    tokens = service({"k1": KEY_A})
    with pytest.raises(TokenRequestError, match="sub holds an ID number") as caught:
        tokens.issue(Role.JUDGE, subject=subject, court="苏0812", judge="J001")
    assert caught.value.message_zh.startswith("sub 含有证件号码")
    assert tokens.issue(Role.JUDGE, subject="judge:J001", court="苏0812", judge="J001")


@pytest.mark.parametrize(
    ("claim", "value", "shown"),
    [
        ("sub", "s" * 129, "sub is longer than 128"),  # the audit log's actor column
        ("judge", "J" * 65, "judge is longer than 64"),  # its judge column, the register's
        ("judge", "⒇" * 17, "judge is longer than 64"),  # 17 characters, 68 once folded
    ],
)
def test_a_claim_longer_than_the_audit_log_keeps_is_invalid(
    claim: str, value: str, shown: str
) -> None:
    """SQLite stored such a claim and PostgreSQL refused it: every request made with the token
    there failed its audit entry (AUDIT_UNAVAILABLE, and a refusal went unaudited)."""
    payload = {
        "iss": "chakong",
        "sub": "judge:J001",
        "role": "JUDGE",
        "court": "苏0812",
        "judge": "J001",
        "iat": int(NOW.timestamp()),
        "exp": int(NOW.timestamp()) + 60,
        claim: value,
    }
    token = jwt.encode(payload, KEY_A, algorithm="HS256", headers={"kid": "k1"})
    with pytest.raises(TokenInvalidError, match=shown):
        service({"k1": KEY_A}).verify(token)


def test_claims_as_long_as_the_audit_log_keeps_are_valid() -> None:
    tokens = service({"k1": KEY_A})
    token = tokens.issue(Role.JUDGE, subject="s" * 128, court="苏0812", judge="J" * 64)
    principal = tokens.verify(token)
    assert (len(principal.subject), principal.judge) == (128, "J" * 64)


@pytest.mark.parametrize(
    ("subject", "judge", "shown"),
    [("s" * 129, "J001", "sub is longer than 128"), ("x", "⒇" * 17, "judge is longer than 64")],
)
def test_no_token_is_issued_with_a_claim_that_long(subject: str, judge: str, shown: str) -> None:
    with pytest.raises(ValueError, match=shown):
        service({"k1": KEY_A}).issue(Role.JUDGE, subject=subject, court="苏0812", judge=judge)
