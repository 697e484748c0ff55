"""Version normalization, the update rule and release selection (auth.md §6)."""

import pytest

from auth.version.releases import FetchFailed, pick_release
from auth.version.rules import parse_version, same_version, strip_version, update_available


class TestNormalization:
    @pytest.mark.parametrize(("raw", "text"), [(" v4.1.0 ", "4.1.0"), ("V5.10.0", "5.10.0"), ("4.1", "4.1")])
    def test_one_leading_v_is_stripped(self, raw, text):
        assert strip_version(raw) == text and parse_version(raw) is not None

    @pytest.mark.parametrize("raw", ["dev-123", "", "  ", "vv1.0", None, 4, "latest", "9" * 5000])
    def test_not_comparable(self, raw):
        assert parse_version(raw) is None

    def test_same_version_compares_parsed(self):
        assert same_version("v4.1.0", "4.1.0") and same_version("4.1", "4.1.0")
        assert not same_version("4.1.1", "4.1.0") and not same_version(None, "4.1.0")


class TestUpdateAvailable:
    def test_newer_release(self):
        assert update_available("5.9.0", "5.10.0", None) is True

    def test_same_or_older(self):
        assert update_available("5.10.0", "5.10.0", None) is False
        assert update_available("v5.10.1", "5.10.0", None) is False

    def test_dismissed_release(self):
        assert update_available("5.9.0", "5.10.0", "v5.10.0") is False
        assert update_available("5.9.0", "5.11.0", "5.10.0") is True

    def test_development_builds_are_not_comparable(self):
        assert update_available("dev-123", "5.10.0", None) is False
        assert update_available("unknown", "5.10.0", None) is False
        assert update_available("5.9.0", None, None) is False


class TestPickRelease:
    def test_latest_endpoint_object(self):
        release = pick_release(
            {"tag_name": "v5.10.0", "body": None, "published_at": "2025-01-02T03:04:05Z", "html_url": "u"},
            pre_release=False,
        )
        assert (release.version, release.notes, release.published_at, release.url) == (
            "5.10.0",
            "",
            "2025-01-02T03:04:05Z",
            "u",
        )

    def test_list_takes_first_non_draft_with_parseable_tag(self):
        items = [
            {"tag_name": "v6.0.0", "draft": True},
            {"tag_name": "nightly", "draft": False},
            {"tag_name": "v5.11.0-rc.1", "draft": False, "prerelease": True, "body": "rc"},
            {"tag_name": "v5.10.0", "draft": False},
        ]
        assert pick_release(items, pre_release=True).version == "5.11.0-rc.1"

    @pytest.mark.parametrize(
        ("payload", "pre"), [({"tag_name": "dev-1"}, False), ([], True), ({"x": 1}, True), ("nope", False)]
    )
    def test_unusable_payloads_fail(self, payload, pre):
        with pytest.raises(FetchFailed):
            pick_release(payload, pre_release=pre)
