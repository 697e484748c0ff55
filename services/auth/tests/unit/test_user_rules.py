"""User field rules, display defaults and presence (auth.md §1)."""

from datetime import UTC, datetime, timedelta

import pytest

from auth.users.rules import clean_fields, clean_new_user, is_valid_timezone, normalize_username, pick, presence
from shared.errors import ValidationError

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


class TestPresence:
    @pytest.mark.parametrize(
        ("age", "status"),
        [
            (timedelta(0), "online"),
            (timedelta(minutes=15), "online"),
            (timedelta(minutes=16), "away"),
            (timedelta(hours=1), "away"),
            (timedelta(hours=1, seconds=1), "offline"),
        ],
    )
    def test_windows(self, age, status):
        assert presence(NOW - age, NOW) == status

    def test_never_logged_in_is_offline(self):
        assert presence(None, NOW) == "offline"


class TestDisplayDefaults:
    def test_user_value_then_system_value_then_fallback(self):
        allowed = ("YYYY-MM-DD", "DD.MM.YYYY")
        assert pick("DD.MM.YYYY", "YYYY-MM-DD", allowed, "X") == "DD.MM.YYYY"
        assert pick("bogus", "DD.MM.YYYY", allowed, "X") == "DD.MM.YYYY"
        assert pick(None, None, allowed, "YYYY-MM-DD") == "YYYY-MM-DD"

    def test_timezones(self):
        assert is_valid_timezone("Europe/Rome") and is_valid_timezone("UTC")
        assert not is_valid_timezone("Mars/Olympus") and not is_valid_timezone("") and not is_valid_timezone(None)


class TestUsername:
    def test_trimmed_and_lower_cased(self):
        assert normalize_username("  Alice.Smith ") == "alice.smith"

    @pytest.mark.parametrize("raw", [None, "", "   ", 42, "x" * 81])
    def test_invalid(self, raw):
        with pytest.raises(ValueError):
            normalize_username(raw)

    def test_80_characters_is_fine(self):
        assert normalize_username("x" * 80) == "x" * 80


class TestCleanFields:
    def test_valid_values_are_normalized(self):
        clean = clean_fields(
            {
                "email": " Ann@Example.COM ",
                "full_name": "  Ann  ",
                "role": "manager",
                "timezone": "America/New_York",
                "date_format": "DD/MM/YYYY",
                "time_format": "12h",
                "week_start_day": 0,
                "standard_hours_per_day": 7.5,
                "time_rounding_minutes": 15,
                "time_rounding_method": "up",
                "assigned_client_ids": [3, 1, 3],
                "github_username": "",
            }
        )
        assert clean["email"] == "Ann@example.com"
        assert clean["full_name"] == "Ann"
        assert clean["assigned_client_ids"] == [3, 1]
        assert clean["github_username"] is None

    def test_email_on_an_internal_domain_is_kept_with_its_domain_lower_cased(self):
        assert clean_fields({"email": " QA@Example.TEST "}) == {"email": "QA@example.test"}
        assert clean_fields({"email": "billing@acme.local"}) == {"email": "billing@acme.local"}

    def test_every_bad_field_is_reported(self):
        with pytest.raises(ValidationError) as info:
            clean_fields(
                {
                    "email": "not-an-email",
                    "role": "owner",
                    "date_format": "YY",
                    "time_format": "25h",
                    "week_start_day": 7,
                    "standard_hours_per_day": 0,
                    "time_rounding_minutes": 7,
                    "time_rounding_method": "sideways",
                    "timezone": "Nowhere/Land",
                    "password": "short",
                    "assigned_client_ids": [0],
                    "full_name": "x" * 201,
                }
            )
        errors = info.value.extra["errors"]
        assert set(errors) == {
            "email", "role", "date_format", "time_format", "week_start_day", "standard_hours_per_day",
            "time_rounding_minutes", "time_rounding_method", "timezone", "password", "assigned_client_ids",
            "full_name",
        }  # fmt: skip
        assert info.value.status_code == 400 and info.value.error_code == "validation_error"

    def test_null_only_for_nullable_fields(self):
        assert clean_fields({"email": None, "timezone": None}) == {"email": None, "timezone": None}
        assert clean_fields({"assigned_client_ids": None}) == {"assigned_client_ids": []}
        with pytest.raises(ValidationError) as info:
            clean_fields({"role": None, "is_active": None, "week_start_day": None})
        assert set(info.value.extra["errors"]) == {"role", "is_active", "week_start_day"}


class TestNewUser:
    def test_username_and_password_required(self):
        with pytest.raises(ValidationError) as info:
            clean_new_user({"email": "a@b.co"})
        assert set(info.value.extra["errors"]) == {"username", "password"}

    def test_defaults_role_to_user(self):
        clean = clean_new_user({"username": " Bob ", "password": "password-1"})
        assert clean == {"username": "bob", "password": "password-1", "role": "user"}
