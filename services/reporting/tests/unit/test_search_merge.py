"""Merging the domains' answers into the search payload (reporting.md §2)."""

from __future__ import annotations

import pytest

from reporting.search.service import DOMAINS, Failed, hits_of, search_payload

PROJECTS, TASKS, CLIENTS, ENTRIES = DOMAINS


def hit(kind: str, id_: int, **fields) -> dict:
    return {"type": kind, "category": kind, "id": id_, "title": f"{kind} {id_}", "description": "",
            "url": f"/{kind}s/{id_}", "badge": kind.title()} | fields  # fmt: skip


class TestPayload:
    def test_hits_are_concatenated_projects_tasks_clients_entries(self):
        outcomes = [
            (ENTRIES, [hit("entry", 9)]),
            (CLIENTS, [hit("client", 3)]),
            (PROJECTS, [hit("project", 1), hit("project", 2)]),
            (TASKS, [hit("task", 5)]),
        ]
        payload = search_payload("web", outcomes)
        assert [(r["type"], r["id"]) for r in payload["results"]] == [
            ("project", 1), ("project", 2), ("task", 5), ("client", 3), ("entry", 9)
        ]  # fmt: skip
        assert payload["count"] == 5
        assert payload["query"] == "web"
        assert payload["partial"] is False
        assert payload["errors"] == {}

    def test_a_failed_domain_is_left_out_and_reported(self):
        outcomes = [
            (PROJECTS, [hit("project", 1)]),
            (TASKS, Failed("timed out")),
            (CLIENTS, [hit("client", 3)]),
            (ENTRIES, Failed("error 500")),
        ]
        payload = search_payload("web", outcomes)
        assert [r["id"] for r in payload["results"]] == [1, 3]
        assert payload["count"] == 2
        assert payload["partial"] is True
        assert payload["errors"] == {"tasks": "timed out", "entries": "error 500"}

    def test_every_domain_failed(self):
        payload = search_payload("web", [(d, Failed("unavailable")) for d in DOMAINS])
        assert payload == {
            "results": [],
            "query": "web",
            "count": 0,
            "partial": True,
            "errors": {
                "projects": "unavailable",
                "tasks": "unavailable",
                "clients": "unavailable",
                "entries": "unavailable",
            },  # fmt: skip
        }

    def test_no_domain_searched(self):
        assert search_payload("web", []) == {"results": [], "query": "web", "count": 0, "partial": False, "errors": {}}

    def test_domains_without_hits_are_not_failures(self):
        payload = search_payload("web", [(PROJECTS, []), (CLIENTS, [])])
        assert payload["partial"] is False
        assert payload["count"] == 0


class TestHitsOf:
    def test_hits_keep_exactly_the_result_fields(self):
        answer = {"results": [hit("task", 4, description="Website", extra="dropped")], "more": 1}
        assert hits_of(TASKS, answer, 10) == [
            {
                "type": "task",
                "category": "task",
                "id": 4,
                "title": "task 4",
                "description": "Website",
                "url": "/tasks/4",
                "badge": "Task",
            }  # fmt: skip
        ]

    def test_at_most_limit_hits(self):
        answer = {"results": [hit("client", i) for i in range(1, 6)]}
        assert [h["id"] for h in hits_of(CLIENTS, answer, 3)] == [1, 2, 3]

    def test_empty_results(self):
        assert hits_of(ENTRIES, {"results": []}, 10) == []

    @pytest.mark.parametrize(
        "answer",
        [
            None,
            [],
            "results",
            {},
            {"results": None},
            {"results": {"id": 1}},
            {"results": ["project"]},
            {"results": [{"type": "project", "id": 1}]},
            {"results": [hit("task", 1)]},
            {"results": [hit("project", 1, title=None)]},
            {"results": [hit("project", "1")]},
            {"results": [hit("project", True)]},
        ],
    )
    def test_an_answer_of_another_shape_is_refused(self, answer):
        with pytest.raises(ValueError):
            hits_of(PROJECTS, answer, 10)
