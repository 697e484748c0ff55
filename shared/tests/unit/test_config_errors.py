"""What an operator reads when a `TT_` variable is wrong: one line naming the variable."""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from shared.config_errors import (
    describe_errors,
    known_variables,
    platform_settings_classes,
    unknown_variables_warning,
    variable_name,
)
from shared.settings import PlatformSettings

SECRET = "s" * 40


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """The settings read only what each test sets (the test run's own TT_ URLs aside)."""
    for key in [k for k in os.environ if k.upper().startswith("TT_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("TT_IDENTITY_SECRET", SECRET)
    return monkeypatch


def errors_for(cls, env: dict[str, str], monkeypatch) -> list[str]:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ValidationError) as caught:
        cls()
    return describe_errors(cls, caught.value, {**env, "TT_IDENTITY_SECRET": env.get("TT_IDENTITY_SECRET", SECRET)})


class TestLogLevel:
    @pytest.mark.parametrize("value", ["info", "Debug", " warning "])
    def test_any_case_is_accepted(self, clean_environment, value):
        clean_environment.setenv("TT_LOG_LEVEL", value)
        assert PlatformSettings().log_level == value.strip().upper()

    def test_unknown_level_names_the_variable_and_the_choices(self, clean_environment):
        lines = errors_for(PlatformSettings, {"TT_LOG_LEVEL": "verbose"}, clean_environment)
        assert lines == ["TT_LOG_LEVEL='verbose' is not valid: one of DEBUG, INFO, WARNING, ERROR, CRITICAL (any case)"]


class TestErrorLines:
    def test_a_secret_value_is_never_shown(self, clean_environment):
        lines = errors_for(PlatformSettings, {"TT_IDENTITY_SECRET": "changeme"}, clean_environment)
        assert lines == ["TT_IDENTITY_SECRET=<hidden> is not valid: a real secret of at least 32 characters"]

    def test_a_missing_secret_is_named(self, clean_environment):
        clean_environment.delenv("TT_IDENTITY_SECRET")
        with pytest.raises(ValidationError) as caught:
            PlatformSettings()
        assert describe_errors(PlatformSettings, caught.value, {}) == ["TT_IDENTITY_SECRET is not set: it is required"]

    def test_each_bad_variable_gets_one_line_with_its_raw_value(self, clean_environment):
        lines = errors_for(
            PlatformSettings, {"TT_CONSUMER_BATCH": "0", "TT_NATS_REPLAY_SINCE": "yesterday"}, clean_environment
        )
        assert len(lines) == 2  # the union `datetime | None` fails twice, reported once
        assert "TT_CONSUMER_BATCH='0' is not valid: Input should be greater than or equal to 1" in lines
        assert any(line.startswith("TT_NATS_REPLAY_SINCE='yesterday' is not valid: ") for line in lines)

    def test_an_aliased_field_is_named_by_its_variable(self):
        from integrations.settings import IntegrationsSettings

        assert variable_name(IntegrationsSettings, "settings_encryption_key_file") == "SETTINGS_ENCRYPTION_KEY_FILE"
        assert variable_name(IntegrationsSettings, "webhook_poll_seconds") == "TT_WEBHOOK_POLL_SECONDS"


class TestTimeZone:
    @pytest.mark.parametrize(
        "package", ["gateway", "auth", "tracking", "crm", "inventory", "reporting", "integrations"]
    )
    def test_every_process_with_a_zone_refuses_one_the_tz_database_lacks(self, clean_environment, package):
        cls = next(c for c in platform_settings_classes() if c.__module__ == f"{package}.settings")
        lines = errors_for(cls, {"TT_TIMEZONE": "Europe/Atlantis"}, clean_environment)
        assert lines == [
            "TT_TIMEZONE='Europe/Atlantis' is not valid: a time zone of the tz database, e.g. Europe/Rome or UTC"
        ]

    def test_a_known_zone_is_kept(self, clean_environment):
        from crm.settings import CrmSettings

        clean_environment.setenv("TT_TIMEZONE", "America/New_York")
        assert CrmSettings().zone.key == "America/New_York"


class TestRateLimits:
    @pytest.mark.parametrize(
        "variable", ["TT_RATE_LIMIT_PER_MINUTE", "TT_RATE_LIMIT_PER_HOUR", "TT_LOGIN_RATE_LIMIT_PER_MINUTE"]
    )
    def test_below_one_is_refused_not_raised(self, clean_environment, variable):
        from gateway.settings import GatewaySettings

        lines = errors_for(GatewaySettings, {variable: "0"}, clean_environment)
        assert lines == [f"{variable}='0' is not valid: a whole number of requests, 1 or more"]


class TestAppVersion:
    def test_one_version_for_the_gateway_and_auth(self, clean_environment):
        from auth.settings import AuthSettings
        from gateway.settings import GatewaySettings

        assert GatewaySettings().app_version == AuthSettings().app_version == "5.10.0"
        clean_environment.setenv("TT_APP_VERSION", "6.0.1")
        assert GatewaySettings().app_version == AuthSettings().app_version == "6.0.1"

    def test_blank_means_the_default(self, clean_environment):
        clean_environment.setenv("TT_APP_VERSION", " ")
        assert PlatformSettings().app_version == "5.10.0"


class TestUnknownVariables:
    @pytest.fixture(scope="class")
    def known(self):
        return known_variables(platform_settings_classes())

    def test_a_typo_is_named_with_the_close_match(self, known):
        warning = unknown_variables_warning({"TT_LOG_LEVLE": "debug", "TT_FROBNICATE": "1"}, known)
        assert warning == (
            "ignoring unknown TT_ variables, read by no process of the platform: "
            "TT_FROBNICATE, TT_LOG_LEVLE (did you mean TT_LOG_LEVEL?)"
        )

    def test_another_process_s_variable_is_known(self, known):
        # one environment for every process: the gateway's port is no typo in tracking
        env = {"TT_GATEWAY_PORT": "8000", "TT_QUOTE_PREFIX": "Q", "TT_TRACKING_DATABASE_URL": "x"}
        assert unknown_variables_warning(env, known) is None

    def test_the_image_and_launcher_variables_are_allowed(self, known):
        env = {"TT_APP": "gateway.main:create_app", "TT_BIND_HOST": "0.0.0.0", "TT_BENCH_ROWS": "10", "PATH": "/bin"}
        assert unknown_variables_warning(env, known) is None


class TestGapRepairSettings:
    def test_an_outbox_kept_under_an_hour_is_refused(self, clean_environment):
        lines = errors_for(PlatformSettings, {"TT_OUTBOX_KEEP_PUBLISHED_SECONDS": "60"}, clean_environment)
        assert len(lines) == 1 and lines[0].startswith("TT_OUTBOX_KEEP_PUBLISHED_SECONDS='60' is not valid")

    def test_a_negative_repair_interval_is_refused_and_zero_switches_it_off(self, clean_environment):
        lines = errors_for(PlatformSettings, {"TT_EVENT_REPAIR_SECONDS": "-1"}, clean_environment)
        assert len(lines) == 1 and lines[0].startswith("TT_EVENT_REPAIR_SECONDS='-1' is not valid")
        clean_environment.setenv("TT_EVENT_REPAIR_SECONDS", "0")
        assert PlatformSettings().event_repair_seconds == 0
