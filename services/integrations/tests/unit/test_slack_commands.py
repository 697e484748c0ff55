"""`/tt` parsing and replies (§4.4), the config rules (§4.1) and the messages (§4.5)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from integrations.slack import commands, config, messages
from integrations.slack.summary import is_due


class TestParse:
    @pytest.mark.parametrize(
        ("text", "name", "argument"),
        [
            ("start Website Redesign", "start", "Website Redesign"),
            ("START  web ", "start", "web"),
            ("start", "start", ""),
            ("stop", "stop", ""),
            ("Status now", "status", "now"),
            ("today", "today", ""),
            ("", "help", ""),
            (None, "help", ""),
            ("dance", "help", ""),
            ("help", "help", ""),
        ],
    )
    def test_first_word_selects_the_subcommand(self, text, name, argument):
        assert commands.parse(text) == commands.Command(name, argument)


class TestReplies:
    def test_durations_are_hh_mm_ss(self):
        assert commands.hms(0) == "00:00:00"
        assert commands.hms(3725) == "01:02:05"
        assert commands.hms(None) == "00:00:00"
        assert commands.hms(36 * 3600 + 1) == "36:00:01"

    def test_replies_are_ephemeral(self):
        assert commands.ephemeral("hi") == {"response_type": "ephemeral", "text": "hi"}

    def test_help_lists_every_subcommand(self):
        for word in ("start <project>", "stop", "status", "today"):
            assert word in commands.HELP

    def test_today_rounds_hours_to_two(self):
        assert commands.today(1.23456, 2) == "Today: *1.23h* across *2* project(s)"

    def test_not_found_names_the_argument(self):
        assert commands.not_found("web") == "Project not found: `web`"


class TestConfig:
    @pytest.mark.parametrize(
        ("raw", "stored"),
        [
            ("09:30", "09:30"),
            ("9:05", "09:05"),
            ("23:59", "23:59"),
            ("00:00", "00:00"),
            ("24:00", "18:00"),
            ("12:60", "18:00"),
            ("noon", "18:00"),
            ("", "18:00"),
            (None, "18:00"),
            ("12:5", "18:00"),
        ],
    )
    def test_summary_time(self, raw, stored):
        assert config.summary_time(raw) == stored

    def test_present_keys_set_absent_keep(self):
        stored = {"channel_id": "C1", "notify_on_start": True, "daily_summary_time": "09:00"}
        config.apply_settings(stored, {"linked_slack_user_id": " ", "notify_on_stop": "true"})
        assert stored == {
            "channel_id": "C1",
            "linked_slack_user_id": None,
            "notify_on_start": True,
            "notify_on_stop": True,
            "daily_summary_time": "09:00",
        }

    def test_new_config_gets_the_default_time(self):
        stored: dict = {}
        config.apply_settings(stored, {"channel_id": ""})
        assert stored == {"channel_id": None, "daily_summary_time": "18:00"}

    def test_blank_secrets_are_not_replaced(self):
        assert config.new_secrets({"bot_token": " ", "signing_secret": "s"}) == {"signing_secret": "s"}

    def test_snapshot_never_holds_a_secret(self):
        shown = config.snapshot({"bot_token": "enc:v1:x", "signing_secret": "enc:v1:y"})
        assert "enc:v1:x" not in str(shown) and "enc:v1:y" not in str(shown)
        assert shown["has_signing_secret"] is True


ROME = ZoneInfo("Europe/Rome")


class TestMessages:
    def test_start_names_user_project_task_and_local_time(self):
        data = {"project": "Website", "task": "Homepage", "start_time": "2026-04-20T08:15:02Z"}
        text = messages.timer_started("Alice Doe", data, ROME)
        assert "Alice Doe" in text and "Website — Homepage" in text and "10:15" in text

    def test_stop_gives_duration_and_billable(self):
        data = {"project": "Website", "duration_seconds": 3725, "billable": False}
        text = messages.timer_stopped("Alice", data)
        assert "01:02:05" in text and "billable: No" in text and "Website" in text

    def test_unknown_zone_falls_back_to_the_default(self):
        assert messages.zone_for("Mars/Olympus", "Europe/Rome").key == "Europe/Rome"
        assert messages.zone_for(None, "Europe/Rome").key == "Europe/Rome"
        assert messages.zone_for("Asia/Tokyo", "Europe/Rome").key == "Asia/Tokyo"


class TestDue:
    def at(self, hh: int, mm: int) -> datetime:
        return datetime(2026, 4, 20, hh, mm, tzinfo=UTC).astimezone(ROME)

    def test_within_thirty_minutes_after_the_time(self):
        assert is_due(self.at(16, 0), "18:00", None)  # 18:00 in Rome
        assert is_due(self.at(16, 29), "18:00", None)

    def test_before_or_thirty_minutes_later_is_not_due(self):
        assert not is_due(self.at(15, 59), "18:00", None)
        assert not is_due(self.at(16, 30), "18:00", None)

    def test_once_per_local_date(self):
        assert not is_due(self.at(16, 10), "18:00", "2026-04-20")
        assert is_due(self.at(16, 10), "18:00", "2026-04-19")

    def test_invalid_time_means_the_default(self):
        assert is_due(self.at(16, 5), "25:00", None)
