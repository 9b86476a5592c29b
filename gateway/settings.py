"""One typed settings object, read from ``CHAKONG_*`` environment variables once, then passed in.

Nested values use ``__``: ``CHAKONG_AGENCIES__POLICE__URL=http://10.1.2.3:8080``,
``CHAKONG_AGENCIES__POLICE__TOKEN=...``. An agency without a URL is ``NOT_CONFIGURED``.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from redis.asyncio.connection import parse_url as parse_redis_url

from connectors.registry import AGENCIES
from gateway.domain.reasons import bilingual_error

MAX_CACHE_TTL_S = 7 * 24 * 3600.0


class AgencySettings(BaseModel):
    """How the gateway reaches one agency and the read policies it applies to it."""

    url: str | None = None
    token: SecretStr = SecretStr("")
    attempt_timeout_s: float = Field(default=3.0, gt=0, le=120)
    # added to attempt_timeout_s for each subject of a batched call: 200 subjects, +2 s
    # (docs/operations.md, "Timeouts of batched calls")
    attempt_timeout_per_subject_s: float = Field(default=0.01, ge=0, le=1)
    max_attempts: int = Field(default=3, ge=1, le=10)
    backoff_base_s: float = Field(default=0.05, ge=0, le=10)
    # 0 disables caching for the agency; at most a week (Redis refuses an expiry past its range)
    cache_ttl_s: float = Field(default=300.0, ge=0, le=MAX_CACHE_TTL_S)
    breaker_failures: int = Field(default=5, ge=1)  # consecutive failures that open the circuit
    # open time before one probe is let through
    breaker_reset_s: float = Field(default=30.0, gt=0, le=3600)
    max_batch: int = Field(default=500, ge=1, le=1000)  # subjects per agency call
    hedge: bool = False  # a second, identical read after the agency's observed p95 latency


def with_defaults(configured: AgencySettings | None, defaults: Mapping[str, Any]) -> AgencySettings:
    """An agency's settings: what the operator set, over the defaults its spec declares, over
    ``AgencySettings``' own."""
    if not defaults:
        return configured or AgencySettings()
    given = {} if configured is None else configured.model_dump(exclude_unset=True)
    return AgencySettings.model_validate({**defaults, **given})


MAX_DEADLINE_MS = 600_000  # an inquiry's longest deadline that may be configured
DEFAULT_BATCH_SUBJECTS = 500  # subjects in one ``debtors`` batch
DEFAULT_CACHE_MAX_ENTRIES = 20_000  # the in-process cache's cap: see ``cache_max_entries``

DEMO_KEY_ID = "demo"
# Signs the demo's tokens and chains its audit log; accepted only in demo mode.
DEMO_SECRET = SecretStr("chakong-demo-only-not-a-secret-0123456789abcdef")


class AuthSettings(BaseModel):
    """Bearer tokens: HS256 JWTs. Several keys may verify at once, so keys can be rotated."""

    keys: dict[str, SecretStr] = Field(default_factory=dict)  # key id (JWT "kid") -> secret
    signing_key: str | None = None  # the key id that signs new tokens; default: the first
    issuer: str = "chakong"
    token_ttl_s: int = Field(default=8 * 3600, ge=60, le=400 * 24 * 3600)
    leeway_s: int = Field(default=30, ge=0, le=600)  # clock skew allowed on exp / nbf

    @field_validator("keys")
    @classmethod
    def _long_enough(cls, value: dict[str, SecretStr]) -> dict[str, SecretStr]:
        for kid, secret in value.items():
            if len(secret.get_secret_value()) < 32:
                raise bilingual_error(
                    f"令牌签名密钥 {kid!r} 不足 32 个字符",
                    f"auth key {kid!r} is shorter than 32 characters",
                )
        return value

    @model_validator(mode="after")
    def _signing_key_is_a_key(self) -> AuthSettings:
        # a key id that names no key signed nothing: `chakong token` said "no signing key is
        # configured" and the gateway started as if all were well
        if self.signing_key is not None and self.signing_key not in self.keys:
            raise bilingual_error(
                f"签名密钥 {self.signing_key!r} 不在 CHAKONG_AUTH__KEYS__<密钥号> 之中",
                f"the signing key {self.signing_key!r} is not one of CHAKONG_AUTH__KEYS__<kid>",
            )
        return self


class LimitSettings(BaseModel):
    """GraphQL request limits and per-caller rate limits."""

    max_depth: int = Field(default=12, ge=2)
    max_aliases: int = Field(default=30, ge=1)
    max_tokens: int = Field(default=5000, ge=50)
    # one debtor asked of one agency costs 1; None: a full batch of every agency
    # (max_batch_subjects x the number of agencies in the registry)
    max_cost: int | None = Field(default=None, ge=1)
    rate_per_minute: int = Field(default=600, ge=1)  # requests per caller per minute
    rate_burst: int = Field(default=60, ge=1)  # requests a caller may send at once
    persisted_only: bool = False  # court systems may send only allow-listed operations
    persisted_file: str | None = None  # JSON: {"sha256 hex": "query text", ...}

    def cost_limit(self, batch_subjects: int = DEFAULT_BATCH_SUBJECTS) -> int:
        """``max_cost``, or what a full batch asked of every registered agency costs."""
        if self.max_cost is not None:
            return self.max_cost
        return batch_subjects * len(AGENCIES)


class DeadlineSettings(BaseModel):
    """One deadline of the list, overriding the profile's: value, unit and source."""

    days: int = Field(ge=0, le=3650)
    unit: Literal["CALENDAR", "WORKING"] = "CALENDAR"
    source: str = "court configuration"


class ListingSettings(BaseModel):
    """The dishonest-debtor list: deadlines, the working-day calendar, the court hierarchy."""

    profile: Literal["SOURCE_PLAN", "NATIONAL"] = "SOURCE_PLAN"
    # by DeadlineKind name (REVIEW, EXIT, ...); null: no limit
    deadlines: dict[str, DeadlineSettings | None] = Field(default_factory=dict)
    calendar_file: str | None = None  # JSON: the court's corrections to the official calendar
    higher_courts: dict[str, str] = Field(default_factory=dict)  # court -> next-higher court
    # a debtor of an open case unperformed this long, with no entry, is a lead for the judge
    lead_after_days: int = Field(default=180, ge=1, le=3650)


class ControlSettings(BaseModel):
    """Controls (查控): the legal margins, maker-checker and the reconciler."""

    # 超标的: the value frozen for a case may exceed (unperformed + execution fees) by this share
    excess_margin: Decimal = Field(default=Decimal("0.10"), ge=0, le=1)
    # deductions above this amount need a second judge's approval; 0: every deduction;
    # unset (None): none
    approval_above: Decimal | None = Field(default=Decimal(0), ge=0)
    idempotency_days: int = Field(default=30, ge=30)  # idempotency keys are kept this long
    attempt_timeout_s: float = Field(default=10.0, gt=0, le=120)  # one call to an agency
    # 0: no reconciler in the gateway
    reconcile_interval_s: float = Field(default=15.0, ge=0, le=24 * 3600)
    # a PENDING one this old was interrupted
    pending_grace_s: float = Field(default=60.0, gt=0, le=24 * 3600)
    reconcile_batch: int = Field(default=200, ge=1, le=10000)

    @field_validator("approval_above", mode="before")
    @classmethod
    def _no_approval(cls, value: object) -> object:
        # CHAKONG_CONTROLS__APPROVAL_ABOVE=null (docs/operations.md): an environment variable
        # holds text, and "null" is no threshold, not an amount that fails to parse
        if isinstance(value, str) and value.strip().lower() == "null":
            return None
        return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CHAKONG_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    database_url: str = "sqlite+aiosqlite:///chakong.db"
    cache_url: str = "memory://"  # or redis://host:port/db
    # memory:// only (Redis is bounded by its own maxmemory policy): the most entries (one per
    # agency and subject) the in-process cache keeps, the least recently used evicted past it.
    # Measured with tracemalloc on the mocks' examples, an entry holds 0.4-7 KB of records
    # (about 1.5 KB on average for an ordinary subject, 3.3 KB for a rich one; a "not found"
    # far less), so 20,000 entries (2,000 subjects asked of all ten agencies, four default
    # batches) stay under about 70 MB per process
    cache_max_entries: int = Field(default=DEFAULT_CACHE_MAX_ENTRIES, ge=1)
    # at most ten minutes (the CLI's own wait for a gateway); the default no more than the maximum
    default_deadline_ms: int = Field(default=5000, ge=100, le=MAX_DEADLINE_MS)
    max_deadline_ms: int = Field(default=30000, ge=100, le=MAX_DEADLINE_MS)
    max_batch_subjects: int = Field(default=DEFAULT_BATCH_SUBJECTS, ge=1, le=5000)
    agencies: dict[str, AgencySettings] = Field(default_factory=dict)  # by agency name
    # the gateway's and uvicorn's logs: critical, error, warning, info or debug (any case)
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    # the server's garbage collector (gateway.runtime): the start-up heap frozen out of every
    # collection, and the young generation collected every N allocations instead of Python's
    # 700 (0 keeps Python's default); bench/gc.py measures both against Python's defaults
    gc_freeze: bool = True
    gc_young_threshold: int = Field(default=50_000, ge=0, le=10_000_000)
    # how long a thread runs before another waiting for the GIL may have it (Python's: 5 ms;
    # 0 keeps it): the audit's writer thread writes a batch's group while the event loop
    # completes the batch's answer, and after each statement it waits up to this long to have
    # the GIL back; a judge's audit entry queued behind that group waits for all of it
    # (gateway.runtime; python -m bench.batch_neighbours measures it)
    switch_interval_ms: float = Field(default=1.0, ge=0, le=100)
    demo: bool = False  # the demo's fixed, public token and audit keys (never in production)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    audit_key: SecretStr = SecretStr("")  # keys the audit log's hash chain (HMAC-SHA256)
    # the audit log's signed checkpoints (docs/security.md): the log's name in them (the court
    # or deployment), the Ed25519 private key that signs them (PEM; `chakong audit keygen`),
    # and where and how often the gateway writes them (no directory: none on a schedule)
    audit_log_name: str = Field(default="chakong", pattern=r"^[^\x00-\x1f\x7f]{1,200}$")
    audit_signing_key_file: str | None = None
    audit_checkpoint_dir: str | None = None
    audit_checkpoint_interval_s: float = Field(default=3600.0, ge=1.0, le=7 * 24 * 3600)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    listing: ListingSettings = Field(default_factory=ListingSettings)
    controls: ControlSettings = Field(default_factory=ControlSettings)
    # the reverse proxies whose X-Forwarded-For is believed (addresses or networks: 10.0.0.5,
    # 10.1.0.0/16); none by default: the client is the address the connection comes from.
    # CHAKONG_TRUSTED_PROXIES=10.0.0.5,10.1.0.0/16 (or a JSON list)
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("cache_url")
    @classmethod
    def _cache_url(cls, value: str) -> str:
        # the URL is never echoed: a redis:// URL may hold the server's password
        text = value.strip()
        scheme, separator, _ = text.partition("://")
        if separator and scheme == "memory":
            return text
        if not separator or scheme not in ("redis", "rediss"):
            raise bilingual_error(
                "缓存地址应为 memory:// 或 redis://主机:端口/库号（TLS 用 rediss://）",
                "the cache URL must be memory:// or redis://host:port/db (rediss:// for TLS)",
            )
        parts = urlsplit(text)
        try:
            parts.port  # noqa: B018 (read for its check)
        except ValueError:
            raise bilingual_error(
                "缓存地址的端口应为 0 至 65535 的整数",
                "the cache URL's port is not a number from 0 to 65535",
            ) from None
        db = parts.path.strip("/")
        if db and not (db.isascii() and db.isdigit()):
            raise bilingual_error(
                "缓存地址的库号应为整数（redis://host:6379/0）",
                "the cache URL's database is not a number (redis://host:6379/0)",
            )
        try:
            parse_redis_url(text)  # its options (?socket_timeout=...), read as the client will
        except ValueError:
            raise bilingual_error(
                "缓存地址的参数无法读取（redis://host:6379/0?socket_timeout=1）",
                "the cache URL's options cannot be read (redis://host:6379/0?socket_timeout=1)",
            ) from None
        return text

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        # "" would listen on every interface of the machine, where the default is loopback only
        if not value.strip() or value != value.strip():
            raise bilingual_error(
                "监听地址不能为空，也不能带空白（127.0.0.1、0.0.0.0）",
                "the address to listen on must not be empty nor padded (127.0.0.1, 0.0.0.0)",
            )
        return value

    @field_validator("max_deadline_ms")
    @classmethod
    def _deadlines(cls, value: int, info: ValidationInfo) -> int:
        if info.data.get("default_deadline_ms", 0) > value:
            raise bilingual_error(
                "小于 default_deadline_ms：所有未指定 deadlineMs 的查询都会被拒绝",
                "below default_deadline_ms: every inquiry without deadlineMs would be refused",
            )
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_list(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            return json.loads(text) if text.startswith("[") else text.split(",")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: list[str]) -> list[str]:
        proxies = []
        for entry in (e.strip() for e in value):
            if not entry:
                continue
            try:
                network = ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise bilingual_error(
                    f"可信代理 {entry!r} 不是 IP 地址或网段（10.1.0.0/16）",
                    f"trusted proxy {entry!r} is not an IP address or network (10.1.0.0/16)",
                ) from None
            proxies.append(
                str(network.network_address) if network.num_addresses == 1 else str(network)
            )
        return proxies

    @field_validator("agencies", mode="before")
    @classmethod
    def _agency_names(cls, value: object) -> object:
        # accept POLICE / police as keys; unknown names fail loudly
        if not isinstance(value, dict):
            return value
        out: dict[str, object] = {}
        for key, item in value.items():
            name = str(key).lower()
            if name not in AGENCIES:
                known = ", ".join(AGENCIES.names())
                raise bilingual_error(
                    f"未知单位 {key!r}；可用：{known}", f"unknown agency {key!r}; known: {known}"
                )
            out[name] = item
        return out

    def agency(self, agency: str) -> AgencySettings:
        """The agency's settings: what is configured, over the defaults of its spec."""
        return with_defaults(self.agencies.get(agency), AGENCIES.spec(agency).defaults)

    @property
    def request_limits(self) -> LimitSettings:
        """``limits`` with the cost limit worked out for this deployment: a full batch of every
        agency (a smaller ``max_batch_subjects`` keeps the default's limit, so that an oversized
        batch is told BATCH_TOO_LARGE rather than COST_LIMIT_EXCEEDED)."""
        batch = max(self.max_batch_subjects, DEFAULT_BATCH_SUBJECTS)
        cost = self.limits.cost_limit(batch)
        return self.limits.model_copy(update={"max_cost": cost})
