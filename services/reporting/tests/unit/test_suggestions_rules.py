"""Scoring, de-duplication, ordering, confidence and `q` matching of time-entry suggestions
(reporting.md §4.5)."""

from __future__ import annotations

from datetime import date

import pytest

from reporting.suggestions.rules import (
    ACTIVE_TASK,
    DEADLINE,
    PATTERN,
    TIME_OF_DAY,
    Candidate,
    confidence,
    deadline_score,
    matches,
    pattern_candidates,
    rank,
)

TODAY = date(2026, 4, 22)


class TestPatterns:
    def test_three_most_frequent_pairs_score_count_over_ten(self):
        pairs = [(1, 10)] * 4 + [(2, None)] * 12 + [(3, 30)] * 2 + [(4, None)]
        assert pattern_candidates(pairs) == [
            Candidate(PATTERN, 2, None, 1.0),  # 12 uses saturate at 1.0
            Candidate(PATTERN, 1, 10, 0.4),
            Candidate(PATTERN, 3, 30, 0.2),
        ]

    def test_equal_counts_prefer_the_pair_used_most_recently(self):
        # newest first: project 7 was used last, then 5, then 6
        pairs = [(7, None), (5, None), (6, None), (6, None), (5, None), (7, None), (8, None)]
        assert [c.project_id for c in pattern_candidates(pairs)] == [7, 5, 6]

    def test_entries_without_a_project_suggest_nothing(self):
        assert pattern_candidates([(None, None)] * 5 + [(None, 3)] * 5 + [(9, None)]) == [
            Candidate(PATTERN, 9, None, 0.1)
        ]

    def test_the_same_project_with_and_without_a_task_are_two_pairs(self):
        assert pattern_candidates([(1, None), (1, 2), (1, 2)]) == [
            Candidate(PATTERN, 1, 2, 0.2),
            Candidate(PATTERN, 1, None, 0.1),
        ]


class TestDeadlineScore:
    @pytest.mark.parametrize(("due", "score"), [(date(2026, 4, 10), 0.9), (TODAY, 0.9), (date(2026, 4, 24), 0.9),
                                                (date(2026, 4, 25), 0.7), (date(2026, 4, 29), 0.7)])  # fmt: skip
    def test_due_within_two_days_or_overdue_is_urgent(self, due, score):
        assert deadline_score(due, TODAY) == score


class TestRank:
    def test_first_source_to_name_a_pair_keeps_it(self):
        ranked = rank(
            [
                Candidate(PATTERN, 1, 10, 0.1),
                Candidate(ACTIVE_TASK, 1, 10, 0.8),
                Candidate(TIME_OF_DAY, 2, None, 0.6),
                Candidate(DEADLINE, 2, None, 0.9),
            ]
        )
        assert ranked == [Candidate(TIME_OF_DAY, 2, None, 0.6), Candidate(PATTERN, 1, 10, 0.1)]

    def test_score_then_source_rank(self):
        ranked = rank(
            [
                Candidate(PATTERN, 1, None, 0.8),
                Candidate(PATTERN, 2, None, 0.6),
                Candidate(ACTIVE_TASK, 3, 30, 0.8),
                Candidate(TIME_OF_DAY, 4, None, 0.6),
                Candidate(DEADLINE, 5, 50, 0.7),
                Candidate(DEADLINE, 6, 60, 0.9),
            ]
        )
        assert [(c.source, c.project_id) for c in ranked] == [
            (DEADLINE, 6),
            (ACTIVE_TASK, 3),
            (PATTERN, 1),
            (DEADLINE, 5),
            (PATTERN, 2),
        ]  # (TIME_OF_DAY, 4) ties with pattern 2 at 0.6, ranks below it and falls past the cap of 5

    def test_equal_candidates_of_one_source_keep_their_order(self):
        tasks = [Candidate(ACTIVE_TASK, 1, task, 0.8) for task in (9, 3, 7)]
        assert rank(tasks) == tasks


class TestConfidence:
    @pytest.mark.parametrize(
        ("score", "label"),
        [(1.0, "high"), (0.7, "high"), (7 / 10, "high"), (0.69, "medium"), (0.4, "medium"), (4 / 10, "medium"),
         (0.39, "low"), (0.1, "low")],
    )  # fmt: skip
    def test_thresholds(self, score, label):
        assert confidence(score) == label


class TestMatches:
    def test_case_insensitive_substring_of_any_text(self):
        assert matches("web", "Website", None)
        assert matches("API", None, "refactor the api")
        assert matches("STRASSE", "straße")  # casefold
        assert not matches("mobile", "Website", "")

    def test_an_empty_query_matches_everything(self):
        assert matches("", None, None)

    def test_special_characters_are_literal(self):
        assert matches("100%", "100% done")
        assert not matches("%", "done")
        assert not matches("\x00", "done")
