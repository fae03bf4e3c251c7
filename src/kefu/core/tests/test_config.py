"""Settings from the environment: generated keys on first embedded run, fail-fast production."""

from __future__ import annotations

import os
import stat

import pytest

from kefu.config import ConfigurationError, load_config, new_field_key


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("KEFU_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("KEFU_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_first_embedded_run_generates_private_keys(clean_env):
    config = load_config()
    for name in ("secret_key", "field_keys"):
        path = clean_env / name
        assert path.exists()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = load_config()
    assert again.secret_key == config.secret_key
    assert again.field_keys == config.field_keys
    assert config.time_zone == "Asia/Shanghai" and config.language == "zh-hans"
    assert config.database_url is None


def test_production_refuses_to_start_without_secrets(clean_env, monkeypatch):
    monkeypatch.setenv("KEFU_ENV", "production")
    monkeypatch.setenv("KEFU_ALLOWED_HOSTS", "kefu.example.com")
    with pytest.raises(ConfigurationError, match="KEFU_SECRET_KEY and KEFU_FIELD_KEYS"):
        load_config()
    monkeypatch.setenv("KEFU_SECRET_KEY", "x" * 50)
    with pytest.raises(ConfigurationError, match="KEFU_FIELD_KEYS"):
        load_config()
    monkeypatch.setenv("KEFU_FIELD_KEYS", new_field_key())
    assert load_config().is_production
    assert not clean_env.exists()  # production never writes keys into the data dir


def test_malformed_field_key_is_named(clean_env, monkeypatch):
    monkeypatch.setenv("KEFU_FIELD_KEYS", f"{new_field_key()},short")
    with pytest.raises(ConfigurationError, match="entry 2"):
        load_config()


@pytest.mark.parametrize(("name", "value"), [("KEFU_DEBUG", "maybe"), ("KEFU_ENV", "staging")])
def test_bad_values_are_named(clean_env, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=name):
        load_config()
