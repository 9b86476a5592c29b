"""The settings refuse what cannot run a gateway, saying which setting and never its value."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from gateway.cli import _refused_settings
from gateway.settings import Settings


def refused(**values: Any) -> str:
    """What the settings say of ``values``, as ``chakong serve`` prints it: no inputs."""
    with pytest.raises(pydantic.ValidationError) as caught:
        Settings(**values)
    errors = caught.value.errors(include_url=False, include_input=False)
    return "\n".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)


@pytest.mark.parametrize("host", ["", "  ", "127.0.0.1\n"])
def test_an_empty_host_is_refused_rather_than_listening_everywhere(host: str):
    # uvicorn binds "" to every interface of the machine, where the default is loopback only
    assert "host:" in refused(host=host)


def test_a_default_deadline_above_the_maximum_is_refused():
    # every inquiry without deadlineMs would otherwise be refused DEADLINE_OUT_OF_RANGE
    said = refused(default_deadline_ms=40_000, max_deadline_ms=30_000)
    assert "max_deadline_ms: below default_deadline_ms" in said
    assert Settings(default_deadline_ms=30_000).default_deadline_ms == 30_000


@pytest.mark.parametrize(
    ("values", "where"),
    [
        # timedelta(seconds=...) overflows: every reconciliation pass failed
        ({"controls": {"pending_grace_s": float("inf")}}, "controls.pending_grace_s"),
        ({"controls": {"pending_grace_s": 1e12}}, "controls.pending_grace_s"),
        ({"controls": {"reconcile_interval_s": float("inf")}}, "controls.reconcile_interval_s"),
        # Redis refuses the expiry (or int() overflows): no answer was ever kept
        ({"agencies": {"bank": {"cache_ttl_s": float("inf")}}}, "agencies.bank.cache_ttl_s"),
        ({"agencies": {"bank": {"cache_ttl_s": 1e16}}}, "agencies.bank.cache_ttl_s"),
        ({"agencies": {"bank": {"breaker_reset_s": float("inf")}}}, "agencies.bank"),
        ({"max_deadline_ms": 10**400}, "max_deadline_ms"),
    ],
)
def test_unbounded_durations_are_refused(values: dict[str, Any], where: str):
    assert where in refused(**values)


@pytest.mark.parametrize(
    "url",
    [
        "redis://:s3cret@127.0.0.1:6379/7?socket_timeout=abc",
        "redis://:s3cret@127.0.0.1:6379/7?health_check_interval=soon",
    ],
)
def test_a_cache_url_whose_options_cannot_work_is_refused_without_its_password(url: str):
    said = refused(cache_url=url)
    assert "cache_url" in said
    assert "s3cret" not in said


@pytest.mark.parametrize("text", ["null", " NULL "])
def test_approval_above_null_in_the_environment_means_no_approval(
    text: str, monkeypatch: pytest.MonkeyPatch
):
    # docs/operations.md: `null` for none; the environment's "null" was refused as not a number
    monkeypatch.setenv("CHAKONG_CONTROLS__APPROVAL_ABOVE", text)
    assert Settings().controls.approval_above is None
    monkeypatch.setenv("CHAKONG_CONTROLS__APPROVAL_ABOVE", "5000")
    assert Settings().controls.approval_above == 5000
    monkeypatch.delenv("CHAKONG_CONTROLS__APPROVAL_ABOVE")
    assert Settings().controls.approval_above == 0  # left out: every deduction


def test_a_signing_key_that_names_no_key_is_refused(monkeypatch: pytest.MonkeyPatch):
    # `chakong token` said "no signing key is configured" and the gateway started all the same
    secret = "k" * 32
    monkeypatch.setenv("CHAKONG_AUTH__KEYS__k2026", secret)
    monkeypatch.setenv("CHAKONG_AUTH__SIGNING_KEY", "k2027")
    with pytest.raises(pydantic.ValidationError) as caught:
        Settings()
    said = _refused_settings(caught.value)  # what `chakong serve` prints
    assert "'k2027' is not one of CHAKONG_AUTH__KEYS__<kid>" in said
    assert "签名密钥 'k2027'" in said
    assert "kkkk" not in said
    monkeypatch.setenv("CHAKONG_AUTH__SIGNING_KEY", "k2026")
    assert Settings().auth.signing_key == "k2026"
