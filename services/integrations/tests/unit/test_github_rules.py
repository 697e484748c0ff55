"""GitHub connector rules (integrations.md §3.4–§3.6) without I/O."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from integrations.github import rules

BODY = b'{"action":"opened","issue":{"number":7}}'


class TestSignature:
    def test_the_hmac_of_the_raw_body_matches(self):
        header = "sha256=" + hmac.new(b"s3cret", BODY, hashlib.sha256).hexdigest()
        assert rules.signature_matches("s3cret", BODY, header)

    def test_upper_case_hex_matches(self):
        header = "sha256=" + hmac.new(b"s3cret", BODY, hashlib.sha256).hexdigest().upper()
        assert rules.signature_matches("s3cret", BODY, header)

    @pytest.mark.parametrize(
        "header",
        [
            None,
            "",
            "sha1=" + hashlib.sha1(BODY).hexdigest(),
            hmac.new(b"s3cret", BODY, hashlib.sha256).hexdigest(),  # no prefix
            "sha256=" + hmac.new(b"other", BODY, hashlib.sha256).hexdigest(),
            "sha256=" + hmac.new(b"s3cret", BODY + b" ", hashlib.sha256).hexdigest(),
        ],
    )
    def test_anything_else_does_not(self, header):
        assert not rules.signature_matches("s3cret", BODY, header)

    def test_an_integration_without_a_secret_never_matches(self):
        assert not rules.signature_matches(None, BODY, rules.sign("", BODY))
        assert not rules.signature_matches("", BODY, rules.sign("", BODY))


class TestTaskFromIssue:
    @pytest.mark.parametrize(
        ("labels", "priority"),
        [
            ([], "low"),
            ([{"name": "question"}], "low"),
            ([{"name": "Bug"}], "high"),
            ([{"name": "CRITICAL"}], "high"),
            ([{"name": "enhancement"}, {"name": "bug"}], "medium"),
            ([{"name": "docs"}, {"name": "bug"}, {"name": "enhancement"}], "high"),
            (["enhancement"], "medium"),
        ],
    )
    def test_the_first_mapped_label_decides_the_priority(self, labels, priority):
        assert rules.task_fields({"title": "t", "labels": labels})["priority"] == priority

    def test_title_and_body_are_trimmed_and_cut(self):
        fields = rules.task_fields({"title": "  " + "x" * 300 + " ", "body": " " + "y" * 2500})
        assert fields["name"] == "x" * 200
        assert fields["description"] == "y" * 2000

    def test_labels_that_are_not_a_list_count_as_none(self):
        assert rules.task_fields({"title": "t", "labels": 7})["priority"] == "low"
        assert rules.task_fields({"title": "t", "labels": {"name": "bug"}})["priority"] == "low"

    def test_empty_title_and_body(self):
        assert rules.task_fields({"title": "   ", "body": None}) == {
            "name": "Issue",
            "description": None,
            "priority": "low",
        }

    def test_timer_notes_carry_the_number_and_the_first_160_characters_of_the_title(self):
        assert rules.timer_notes(12, {"title": "z" * 200}) == "GitHub issue #12: " + "z" * 160


class TestSyncCandidates:
    def test_pull_requests_numberless_issues_and_unlabelled_issues_are_skipped(self):
        issues = [
            {"number": 1, "labels": [{"name": "Sync"}]},
            {"number": 2, "pull_request": {}, "labels": [{"name": "sync"}]},
            {"title": "no number", "labels": [{"name": "sync"}]},
            {"number": 3, "labels": [{"name": "other"}]},
            {"number": True, "labels": [{"name": "sync"}]},
        ]
        taken, skipped = rules.sync_candidates(issues, "sync")
        assert [i["number"] for i in taken] == [1]
        assert skipped == 4

    def test_without_a_filter_every_issue_is_taken(self):
        taken, skipped = rules.sync_candidates([{"number": 1}, {"number": 2, "labels": []}], None)
        assert len(taken) == 2 and skipped == 0


class TestAssignee:
    def test_the_payload_assignee_comes_first(self):
        payload = {"assignee": {"login": "alice"}}
        assert rules.assignee_login(payload, {"assignee": {"login": "bob"}}) == "alice"

    def test_else_the_issue_assignee(self):
        assert rules.assignee_login({}, {"assignee": {"login": "bob"}}) == "bob"

    def test_none(self):
        assert rules.assignee_login({"assignee": None}, {"assignee": {"login": " "}}) is None
