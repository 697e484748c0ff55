"""`/api/v1/users/me/favorites/projects` (tracking.md §8)."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from shared.identity import Identity
from tracking.favorites import service
from tracking.models import FavoriteProject, Project

URL = "/api/v1/users/me/favorites/projects"


@pytest.fixture
def favorites_of(session):
    def read(user_id: int) -> list[int]:
        stmt = select(FavoriteProject.project_id).where(FavoriteProject.user_id == user_id)
        return sorted(session.scalars(stmt))

    return read


@pytest.fixture
def make_favorite(session):
    def make(user_id: int, project) -> FavoriteProject:
        favorite = FavoriteProject(user_id=user_id, project_id=project.id)
        session.add(favorite)
        session.flush()
        return favorite

    return make


class TestListFavorites:
    def test_lists_only_the_callers_favorites_oldest_first(
        self, client, make_project, make_favorite, user_headers, user_id
    ):
        first = make_favorite(user_id, make_project(created_by=user_id))
        second = make_favorite(user_id, make_project(created_by=user_id))
        make_favorite(user_id + 1, make_project())
        r = client.get(URL, headers=user_headers)
        assert r.status_code == 200
        assert [f["id"] for f in r.json()["favorites"]] == [first.id, second.id]
        out = r.json()["favorites"][0]
        assert out == {
            "id": first.id, "user_id": user_id, "project_id": first.project_id, "created_at": out["created_at"],
        }  # fmt: skip
        assert out["created_at"].endswith("Z")
        assert "pagination" not in r.json()

    def test_empty(self, client, user_headers):
        assert client.get(URL, headers=user_headers).json() == {"favorites": []}

    def test_read_scope_required(self, client, headers_for, user_id):
        r = client.get(URL, headers=headers_for(user_id, "write:projects"))
        assert r.status_code == 403 and r.json()["required_scope"] == "read:projects"


class TestAddFavorite:
    def test_new_favorite_is_201(self, client, make_project, user_headers, user_id, favorites_of):
        p = make_project(created_by=user_id)
        r = client.post(URL, json={"project_id": str(p.id)}, headers=user_headers)
        assert r.status_code == 201
        assert r.json()["message"] == "Project favorited successfully"
        fav = r.json()["favorite"]
        assert (fav["user_id"], fav["project_id"]) == (user_id, p.id)
        assert favorites_of(user_id) == [p.id]
        assert client.get(URL, headers=user_headers).json()["favorites"] == [fav]

    def test_already_a_favorite_is_200_with_the_same_row(
        self, client, make_project, make_favorite, user_headers, user_id, favorites_of
    ):
        p = make_project(created_by=user_id)
        existing = make_favorite(user_id, p)
        r = client.post(URL, json={"project_id": p.id}, headers=user_headers)
        assert r.status_code == 200
        assert r.json()["message"] == "Already favorited"
        assert r.json()["favorite"]["id"] == existing.id
        assert favorites_of(user_id) == [p.id]

    def test_another_users_favorite_does_not_count(
        self, client, make_project, make_favorite, admin_headers, admin_id, favorites_of
    ):
        p = make_project()
        make_favorite(admin_id + 1, p)
        assert client.post(URL, json={"project_id": p.id}, headers=admin_headers).status_code == 201
        assert favorites_of(admin_id) == [p.id]

    def test_archived_project_may_be_favorited(self, client, make_project, admin_headers):
        p = make_project(status="archived")
        assert client.post(URL, json={"project_id": p.id}, headers=admin_headers).status_code == 201

    @pytest.mark.parametrize("body", [{}, {"project_id": None}, {"project_id": ""}])
    def test_project_id_is_required(self, client, session, user_headers, body):
        r = client.post(URL, json=body, headers=user_headers)
        assert r.status_code == 400
        assert r.json()["error_code"] == "validation_error"
        assert r.json()["errors"] == {"project_id": ["project_id is required"]}
        assert r.json()["message"] == "project_id is required"
        assert session.scalar(select(func.count()).select_from(FavoriteProject)) == 0

    def test_non_numeric_project_id_is_a_validation_error(self, client, user_headers):
        r = client.post(URL, json={"project_id": "abc"}, headers=user_headers)
        assert r.status_code == 400 and list(r.json()["errors"]) == ["project_id"]

    @pytest.mark.parametrize("project_id", [999999, 2**40])
    def test_unknown_project_is_404(self, client, session, admin_headers, project_id):
        r = client.post(URL, json={"project_id": project_id}, headers=admin_headers)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"
        assert r.json()["message"] == f"Project with ID {project_id} not found"
        assert session.scalar(select(func.count()).select_from(FavoriteProject)) == 0

    def test_project_outside_scope_is_403(self, client, make_project, user_headers, user_id, favorites_of):
        p = make_project(created_by=user_id + 1)
        r = client.post(URL, json={"project_id": p.id}, headers=user_headers)
        assert r.status_code == 403
        assert r.json()["message"] == "You do not have access to this project"
        assert favorites_of(user_id) == []

    def test_write_scope_required(self, client, make_project, headers_for, user_id, favorites_of):
        p = make_project(created_by=user_id)
        r = client.post(URL, json={"project_id": p.id}, headers=headers_for(user_id, "read:projects"))
        assert r.status_code == 403 and r.json()["required_scope"] == "write:projects"
        assert favorites_of(user_id) == []


class TestRemoveFavorite:
    def test_removes_it(self, client, make_project, make_favorite, user_headers, user_id, favorites_of):
        p = make_project(created_by=user_id)
        kept = make_project(created_by=user_id)
        make_favorite(user_id, p)
        make_favorite(user_id, kept)
        r = client.delete(f"{URL}/{p.id}", headers=user_headers)
        assert r.status_code == 200
        assert r.json() == {"message": "Favorite removed successfully"}
        assert favorites_of(user_id) == [kept.id]

    def test_a_project_that_left_the_scope_can_still_be_removed(
        self, client, make_project, make_favorite, user_headers, user_id, favorites_of
    ):
        p = make_project(created_by=user_id + 1)
        make_favorite(user_id, p)
        assert client.delete(f"{URL}/{p.id}", headers=user_headers).status_code == 200
        assert favorites_of(user_id) == []

    def test_not_a_favorite_is_404(self, client, make_project, make_favorite, user_headers, user_id, favorites_of):
        p = make_project(created_by=user_id)
        make_favorite(user_id + 1, p)  # someone else's favorite is not the caller's
        r = client.delete(f"{URL}/{p.id}", headers=user_headers)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"
        assert favorites_of(user_id + 1) == [p.id]

    @pytest.mark.parametrize("project_id", ["999999", "99999999999"])
    def test_unknown_project_is_404(self, client, user_headers, project_id):
        assert client.delete(f"{URL}/{project_id}", headers=user_headers).status_code == 404

    def test_write_scope_required(self, client, make_project, make_favorite, headers_for, user_id, favorites_of):
        p = make_project(created_by=user_id)
        make_favorite(user_id, p)
        r = client.delete(f"{URL}/{p.id}", headers=headers_for(user_id, "read:projects"))
        assert r.status_code == 403 and r.json()["required_scope"] == "write:projects"
        assert favorites_of(user_id) == [p.id]


class TestConcurrentAdds:
    """Real separate transactions, committed (and removed afterwards)."""

    @pytest.fixture
    def committed_project(self, engine):
        with Session(engine) as s:
            p = Project(name=f"Fav race {uuid.uuid4().hex[:8]}", client_id=1, custom_fields={})
            s.add(p)
            s.commit()
            project_id = p.id
        yield project_id
        with Session(engine) as s:
            s.execute(delete(Project).where(Project.id == project_id))
            s.commit()

    def _add(self, engine, project_id: int, before_commit=lambda: None) -> tuple[bool, int]:
        with Session(engine) as s:
            created, out = service.add_favorite(s, project_id, actor=Identity(user_id=77, is_admin=True))
            before_commit()
            s.commit()
            return created, out["favorite"]["id"]

    def test_an_add_racing_an_uncommitted_one_answers_already_favorited(self, engine, committed_project):
        with ThreadPoolExecutor(1) as pool:
            waiting = []

            def let_the_other_collide() -> None:
                # The second add cannot see this uncommitted row and waits on the unique index.
                waiting.append(pool.submit(self._add, engine, committed_project))
                time.sleep(0.5)

            first = self._add(engine, committed_project, before_commit=let_the_other_collide)
            second = waiting[0].result(timeout=10)
        assert first[0] is True and second == (False, first[1])
