"""Settings parsing (`TT_` environment)."""

import pytest
from pydantic import ValidationError

from auth.settings import AuthSettings, AuthToolSettings

SECRET = "s" * 40


def test_disabled_modules_from_a_comma_list(monkeypatch):
    monkeypatch.setenv("TT_DISABLED_MODULES", " inventory, ,quotes ")
    assert AuthSettings(identity_secret=SECRET).disabled_modules == ("inventory", "quotes")


@pytest.mark.parametrize(("raw", "days"), [("", None), ("0", None), ("30", 30)])
def test_login_token_expiry(monkeypatch, raw, days):
    monkeypatch.setenv("TT_API_TOKEN_DEFAULT_EXPIRY_DAYS", raw)
    assert AuthSettings(identity_secret=SECRET).login_token_expiry_days == days


def test_defaults():
    s = AuthSettings(identity_secret=SECRET)
    assert s.service_name == "auth" and s.api_token_default_expiry_days == 90 and s.timezone == "Europe/Rome"
    assert s.version_check_github_cache_ttl == 43200 and s.version_check_github_stale_ttl == 604800
    assert s.version_check_github_repo == "DRYTRIX/TimeTracker" and s.time_entry_description_min_length == 20


def test_database_is_tt_auth_unless_named(monkeypatch):
    monkeypatch.delenv("TT_AUTH_DATABASE_URL", raising=False)
    s = AuthSettings(identity_secret=SECRET, database_url="postgresql://u@db:5432/postgres")
    assert s.database == "postgresql://u@db:5432/tt_auth"
    s = AuthSettings(identity_secret=SECRET, auth_database_url="postgresql://u@other/x")
    assert s.database == "postgresql://u@other/x"


def test_service_settings_need_a_real_identity_secret(monkeypatch):
    monkeypatch.delenv("TT_IDENTITY_SECRET", raising=False)
    with pytest.raises(ValidationError):
        AuthSettings()
    with pytest.raises(ValidationError):
        AuthSettings(identity_secret="changeme")
    assert len(AuthToolSettings().identity_secret.get_secret_value()) >= 32
