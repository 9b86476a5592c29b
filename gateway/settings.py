"""One typed settings object, read from ``CHAKONG_*`` environment variables once, then passed in.

Nested values use ``__``: ``CHAKONG_AGENCIES__POLICE__URL=http://10.1.2.3:8080``,
``CHAKONG_AGENCIES__POLICE__TOKEN=...``. An agency without a URL is ``NOT_CONFIGURED``.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from gateway.domain.agencies import Agency


class AgencySettings(BaseModel):
    """How the gateway reaches one agency and the read policies it applies to it."""

    url: str | None = None
    token: SecretStr = SecretStr("")
    attempt_timeout_s: float = Field(default=3.0, gt=0, le=120)
    max_attempts: int = Field(default=3, ge=1, le=10)
    backoff_base_s: float = Field(default=0.05, ge=0, le=10)
    cache_ttl_s: float = Field(default=300.0, ge=0)  # 0 disables caching for the agency
    breaker_failures: int = Field(default=5, ge=1)  # consecutive failures that open the circuit
    breaker_reset_s: float = Field(default=30.0, gt=0)  # open time before one probe is let through
    max_batch: int = Field(default=500, ge=1, le=1000)  # subjects per agency call
    hedge: bool = False  # a second, identical read after the agency's observed p95 latency


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CHAKONG_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    database_url: str = "sqlite+aiosqlite:///chakong.db"
    cache_url: str = "memory://"  # or redis://host:port/db
    default_deadline_ms: int = Field(default=5000, ge=100)
    max_deadline_ms: int = Field(default=30000, ge=100)
    max_batch_subjects: int = Field(default=500, ge=1, le=5000)
    agencies: dict[Agency, AgencySettings] = Field(default_factory=dict)
    log_level: str = "info"

    @field_validator("agencies", mode="before")
    @classmethod
    def _agency_names(cls, value: object) -> object:
        # accept POLICE / police / Agency.POLICE as keys; unknown names fail loudly
        if not isinstance(value, dict):
            return value
        out: dict[Agency, object] = {}
        for key, item in value.items():
            if isinstance(key, Agency):
                out[key] = item
                continue
            try:
                out[Agency(str(key).lower())] = item
            except ValueError:
                known = ", ".join(a.value for a in Agency)
                raise ValueError(f"unknown agency {key!r}; known: {known}") from None
        return out

    def agency(self, agency: Agency) -> AgencySettings:
        return self.agencies.get(agency) or AgencySettings()
