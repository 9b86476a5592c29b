"""The registry of agencies and its specs (``connectors.registry``, ``connectors.spec``)."""

from __future__ import annotations

import dataclasses

import pytest

from connectors.bank import SPEC as BANK
from connectors.registry import (
    AGENCIES,
    DEFAULT_SPECS,
    Registry,
    RegistryFrozenError,
    UnknownAgencyError,
)
from gateway.domain.summary import AssetClass
from gateway.settings import AgencySettings, Settings, with_defaults


def test_the_ten_agencies_of_the_source_plan_in_order():
    assert AGENCIES.names() == (
        "police",
        "land",
        "fund",
        "business",
        "tax",
        "civil",
        "bank",
        "securities",
        "insurance",
        "permits",
    )
    assert AGENCIES.spec("BANK") is BANK
    with pytest.raises(UnknownAgencyError, match="known: police, land"):
        AGENCIES.spec("weather")


def test_a_registry_is_frozen_once_read_and_refuses_a_name_twice():
    registry = Registry(DEFAULT_SPECS[:2])
    with pytest.raises(ValueError, match="twice"):
        registry.register(DEFAULT_SPECS[0])
    registry.register(BANK)
    assert registry.names() == ("police", "land", "bank")
    with pytest.raises(RegistryFrozenError, match=r"before importing gateway\.schema"):
        registry.register(DEFAULT_SPECS[2])


def test_a_spec_is_checked_when_it_is_declared():
    with pytest.raises(ValueError, match="must match"):
        dataclasses.replace(BANK, name="Bank!")
    with pytest.raises(ValueError, match="unknown control actions"):
        dataclasses.replace(BANK, controls=frozenset({"confiscate"}))
    with pytest.raises(ValueError, match="中文 / English"):
        dataclasses.replace(BANK, profile_doc="banks")
    stray = AssetClass("stray", "land", "别处 / elsewhere", rank=1)
    with pytest.raises(ValueError, match="names another agency"):
        dataclasses.replace(BANK, asset_classes=(stray,))


def test_settings_name_agencies_of_the_registry_and_take_their_specs_defaults():
    settings = Settings(agencies={"BANK": {"url": "http://bank.test"}})
    assert settings.agency("bank").url == "http://bank.test"
    with pytest.raises(ValueError, match="unknown agency 'weather'"):
        Settings(agencies={"weather": {"url": "http://x"}})
    slow = {"attempt_timeout_s": 9.0, "max_attempts": 2}
    assert with_defaults(None, slow).attempt_timeout_s == 9.0
    configured = AgencySettings(url="http://bank.test", max_attempts=5)
    merged = with_defaults(configured, slow)
    assert (merged.url, merged.attempt_timeout_s, merged.max_attempts) == (
        "http://bank.test",
        9.0,  # the spec's default
        5,  # what the operator set wins
    )
    assert merged.cache_ttl_s == AgencySettings().cache_ttl_s
