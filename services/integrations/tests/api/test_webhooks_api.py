"""`/api/v1/webhooks` (integrations.md §1.6): shapes, validation messages, ownership, secrets."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from integrations.catalogue import EVENTS
from integrations.models import Webhook, WebhookDelivery
from integrations.secrets import PREFIX, SecretBox

BASE = "/api/v1/webhooks"


def body(**overrides):
    return {"name": "My hook", "url": "https://example.com/hook", "events": ["time_entry.created"], **overrides}


def count(session) -> int:
    return session.scalar(select(func.count()).select_from(Webhook))


class TestCreate:
    def test_defaults_and_the_secret_shown_once(self, client, user_headers, user_id, session, settings):
        r = client.post(BASE, json=body(), headers=user_headers)
        assert r.status_code == 201, r.text
        assert r.json()["message"] == "Webhook created successfully"
        hook = r.json()["webhook"]
        assert hook["user_id"] == user_id and hook["http_method"] == "POST"
        assert hook["content_type"] == "application/json" and hook["headers"] == {} and hook["is_active"] is True
        assert (hook["max_retries"], hook["retry_delay_seconds"], hook["timeout_seconds"]) == (3, 60, 30)
        assert (hook["total_deliveries"], hook["successful_deliveries"], hook["failed_deliveries"]) == (0, 0, 0)
        assert hook["last_delivery_at"] is None and hook["created_at"].endswith("Z")
        assert len(hook["secret"]) == 43
        stored = session.get(Webhook, hook["id"]).secret
        assert stored.startswith(PREFIX) and hook["secret"] not in stored
        assert SecretBox(settings.encryption_key_list()).open(stored) == hook["secret"]
        again = client.get(f"{BASE}/{hook['id']}", headers=user_headers).json()["webhook"]
        assert "secret" not in again

    def test_all_fields(self, client, user_headers):
        fields = body(
            description="d",
            events=["*"],
            http_method="put",
            content_type="application/vnd.tt+json",
            headers={"X-Custom": "1"},
            is_active=False,
            max_retries=0,
            retry_delay_seconds="5",
            timeout_seconds=300,
        )
        hook = client.post(BASE, json=fields, headers=user_headers).json()["webhook"]
        assert hook["http_method"] == "PUT" and hook["events"] == ["*"] and hook["is_active"] is False
        assert hook["headers"] == {"X-Custom": "1"} and hook["retry_delay_seconds"] == 5

    def test_without_a_secret(self, client, user_headers, session):
        hook = client.post(BASE, json=body(generate_secret=False), headers=user_headers).json()["webhook"]
        assert "secret" not in hook and session.get(Webhook, hook["id"]).secret is None

    def test_without_an_encryption_key_secrets_are_refused(self, make_app_client, user_headers, session):
        app = make_app_client(encryption_keys="")
        before = count(session)
        r = app.post(BASE, json=body(), headers=user_headers)
        assert r.status_code == 503 and r.json()["error_code"] == "service_unavailable"
        assert r.json()["message"] == "encryption key not configured" and count(session) == before
        assert app.post(BASE, json=body(generate_secret=False), headers=user_headers).status_code == 201

    @pytest.mark.parametrize(
        ("fields", "field", "message"),
        [
            ({"name": None}, "name", "name is required"),
            ({"name": "  "}, "name", "name is required"),
            ({"name": "x" * 201}, "name", "name must be at most 200 characters"),
            ({"url": None}, "url", "url is required"),
            ({"url": "example.com/hook"}, "url", "Invalid URL format."),
            ({"url": "https://"}, "url", "Invalid URL format."),
            ({"url": "ftp://example.com/x"}, "url", "URL must use http or https."),
            ({"url": "https://example.com/" + "x" * 500}, "url", "url must be at most 500 characters"),
            ({"url": "http://127.0.0.1/x"}, "url", "URL must not point to a private, loopback or link-local address."),
            ({"url": "http://[::1]/x"}, "url", "URL must not point to a private, loopback or link-local address."),
            (
                {"url": "http://169.254.169.254/"},
                "url",
                "URL must not point to a private, loopback or link-local address.",
            ),
            ({"events": None}, "events", "events must be a non-empty list"),
            ({"events": []}, "events", "events must be a non-empty list"),
            ({"events": "time_entry.created"}, "events", "events must be a non-empty list"),
            ({"events": ["time_entry.created", "nope"]}, "events", "Invalid event type: nope"),
            ({"events": ["webhook.test"]}, "events", "Invalid event type: webhook.test"),
            ({"http_method": "GET"}, "http_method", "http_method must be one of POST, PUT, PATCH"),
            ({"headers": ["a"]}, "headers", "headers must be an object of string values"),
            ({"headers": {"X-A": 1}}, "headers", "headers must be an object of string values"),
            ({"headers": {"X-A": "a\r\nX-B: b"}}, "headers", "Invalid header: X-A"),
            ({"headers": {"Content-Length": "1"}}, "headers", "Header Content-Length cannot be set"),
            ({"max_retries": -1}, "max_retries", "max_retries must be an integer between 0 and 20"),
            ({"max_retries": "x"}, "max_retries", "max_retries must be an integer between 0 and 20"),
            (
                {"retry_delay_seconds": 0},
                "retry_delay_seconds",
                "retry_delay_seconds must be an integer between 1 and 86400",
            ),
            ({"timeout_seconds": 301}, "timeout_seconds", "timeout_seconds must be an integer between 1 and 300"),
            ({"is_active": "yes"}, "is_active", "Not a valid boolean."),
            ({"generate_secret": 1}, "generate_secret", "Not a valid boolean."),
        ],
    )
    def test_bad_input_is_a_validation_error_and_changes_nothing(
        self, client, user_headers, session, fields, field, message
    ):
        before = count(session)
        r = client.post(BASE, json=body(**fields), headers=user_headers)
        assert r.status_code == 400, r.text
        out = r.json()
        assert out["success"] is False and out["error_code"] == "validation_error"
        assert out["errors"] == {field: [message]} and out["message"] == message
        assert count(session) == before

    def test_missing_name_and_url_together(self, client, user_headers):
        out = client.post(BASE, json={"events": ["*"]}, headers=user_headers).json()
        assert out["errors"] == {"name": ["name is required"], "url": ["url is required"]}
        assert out["message"] == "Validation failed"

    def test_literal_private_addresses_are_allowed_when_the_operator_says_so(self, make_app_client, user_headers):
        app = make_app_client(webhook_allow_private_targets=True)
        assert app.post(BASE, json=body(url="http://127.0.0.1:9/x"), headers=user_headers).status_code == 201

    @pytest.mark.parametrize("raw", [b"[1, 2]", b'"text"', b"{not json"])
    def test_a_body_that_is_not_an_object(self, client, user_headers, raw, session):
        before = count(session)
        r = client.post(BASE, content=raw, headers={**user_headers, "Content-Type": "application/json"})
        assert r.status_code == 400 and r.json()["error_code"] == "bad_request" and count(session) == before

    def test_another_owner_is_for_admins(self, client, user_headers, admin_headers, user_id):
        r = client.post(BASE, json=body(user_id=user_id + 1), headers=user_headers)
        assert r.status_code == 403 and r.json()["error"] == "Access denied"
        assert client.post(BASE, json=body(user_id=user_id), headers=user_headers).status_code == 201
        hook = client.post(BASE, json=body(user_id=user_id), headers=admin_headers).json()["webhook"]
        assert hook["user_id"] == user_id


class TestScopes:
    def test_read_and_write_scopes(self, client, headers_for, next_user_id):
        reader = headers_for(next_user_id(), "read:webhooks")
        assert client.get(BASE, headers=reader).status_code == 200
        r = client.post(BASE, json=body(), headers=reader)
        assert r.status_code == 403 and r.json()["required_scope"] == "write:webhooks"
        writer = headers_for(next_user_id(), "write:webhooks")
        assert client.get(BASE, headers=writer).status_code == 403
        assert client.post(BASE, json=body(), headers=writer).status_code == 201

    def test_openapi_publishes_the_scopes(self, client):
        paths = client.app.openapi()["paths"]
        assert paths["/api/v1/webhooks"]["get"]["x-tt-scopes"] == ["read:webhooks"]
        assert paths["/api/v1/webhooks/{webhook_id}/test"]["post"]["x-tt-scopes"] == ["write:webhooks"]
        redeliver = paths["/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"]["post"]
        assert redeliver["x-tt-scopes"] == ["write:webhooks"]
        assert redeliver["operationId"] == "integrations.redeliver_webhook_delivery"


class TestListAndGet:
    def test_own_only_newest_first_and_the_admin_sees_all(
        self, client, user_headers, admin_headers, headers_for, next_user_id
    ):
        other = headers_for(next_user_id(), "read:*", "write:*")
        mine = [client.post(BASE, json=body(name=f"m{i}"), headers=user_headers).json()["webhook"] for i in range(2)]
        theirs = client.post(BASE, json=body(name="t"), headers=other).json()["webhook"]
        listed = client.get(BASE, headers=user_headers).json()
        assert [w["id"] for w in listed["webhooks"]] == [mine[1]["id"], mine[0]["id"]]
        assert listed["pagination"]["total"] == 2 and listed["pagination"]["pages"] == 1
        ids = {w["id"] for w in client.get(BASE, params={"per_page": 100}, headers=admin_headers).json()["webhooks"]}
        assert {mine[0]["id"], mine[1]["id"], theirs["id"]} <= ids
        r = client.get(f"{BASE}/{theirs['id']}", headers=user_headers)
        assert r.status_code == 403 and r.json()["error"] == "Access denied"
        assert client.get(f"{BASE}/{theirs['id']}", headers=admin_headers).status_code == 200

    def test_is_active_filter_and_pagination(self, client, user_headers):
        client.post(BASE, json=body(is_active=False), headers=user_headers)
        client.post(BASE, json=body(), headers=user_headers)
        active = client.get(BASE, params={"is_active": "TRUE"}, headers=user_headers).json()["webhooks"]
        inactive = client.get(BASE, params={"is_active": "false"}, headers=user_headers).json()["webhooks"]
        assert [w["is_active"] for w in active] == [True] and [w["is_active"] for w in inactive] == [False]
        page = client.get(BASE, params={"per_page": 1, "page": 2}, headers=user_headers).json()
        assert len(page["webhooks"]) == 1 and page["pagination"]["has_prev"] is True

    def test_unknown_ids(self, client, user_headers):
        r = client.get(f"{BASE}/999999", headers=user_headers)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"
        assert client.get(f"{BASE}/99999999999999", headers=user_headers).status_code == 404
        assert client.get(f"{BASE}/abc", headers=user_headers).status_code == 404

    def test_catalogue(self, client, user_headers):
        r = client.get(f"{BASE}/events", headers=user_headers)
        assert r.status_code == 200 and r.json() == {"events": list(EVENTS)}
        assert len(EVENTS) == 31 and EVENTS[0] == "project.created" and EVENTS[-1] == "comment.deleted"


class TestUpdate:
    @pytest.mark.parametrize("method", ["put", "patch"])
    def test_only_the_keys_present_change(self, client, user_headers, method):
        hook = client.post(BASE, json=body(description="keep"), headers=user_headers).json()["webhook"]
        r = client.request(method, f"{BASE}/{hook['id']}", json={"name": "New", "max_retries": 5}, headers=user_headers)
        assert r.status_code == 200 and r.json()["message"] == "Webhook updated successfully"
        out = r.json()["webhook"]
        assert (out["name"], out["max_retries"], out["description"], out["url"]) == (
            "New",
            5,
            "keep",
            hook["url"],
        )
        assert "secret" not in out

    def test_regenerating_the_secret_returns_it(self, client, user_headers, session, settings):
        hook = client.post(BASE, json=body(), headers=user_headers).json()["webhook"]
        out = client.patch(f"{BASE}/{hook['id']}", json={"generate_secret": True}, headers=user_headers).json()
        new = out["webhook"]["secret"]
        assert len(new) == 43 and new != hook["secret"]
        assert SecretBox(settings.encryption_key_list()).open(session.get(Webhook, hook["id"]).secret) == new

    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"events": "x"}, "events"),
            ({"events": []}, "events"),
            ({"url": "nope"}, "url"),
            ({"name": ""}, "name"),
            ({"http_method": "DELETE"}, "http_method"),
            ({"timeout_seconds": 0}, "timeout_seconds"),
        ],
    )
    def test_same_validation_and_nothing_changes(self, client, user_headers, session, fields, field):
        hook = client.post(BASE, json=body(), headers=user_headers).json()["webhook"]
        r = client.put(f"{BASE}/{hook['id']}", json={"description": "changed", **fields}, headers=user_headers)
        assert r.status_code == 400 and list(r.json()["errors"]) == [field]
        session.expire_all()
        assert session.get(Webhook, hook["id"]).description is None

    def test_others_subscriptions(self, client, user_headers, admin_headers, headers_for, next_user_id):
        other = headers_for(next_user_id(), "read:*", "write:*")
        theirs = client.post(BASE, json=body(), headers=other).json()["webhook"]
        r = client.patch(f"{BASE}/{theirs['id']}", json={"name": "mine"}, headers=user_headers)
        assert r.status_code == 403 and r.json()["error"] == "Access denied"
        assert (
            client.patch(f"{BASE}/{theirs['id']}", json={"name": "by admin"}, headers=admin_headers).status_code == 200
        )

    def test_a_legacy_plain_secret_is_encrypted_on_the_next_save(
        self, client, user_headers, user_id, make_webhook, session
    ):
        hook = make_webhook(user_id=user_id, secret="legacy-plain-secret")
        assert client.patch(f"{BASE}/{hook.id}", json={"name": "n"}, headers=user_headers).status_code == 200
        session.expire_all()
        assert session.get(Webhook, hook.id).secret.startswith(PREFIX)


class TestDelete:
    def test_deletes_with_deliveries(self, client, user_headers, user_id, make_webhook, session):
        hook = make_webhook(user_id=user_id)
        session.add(
            WebhookDelivery(
                webhook_id=hook.id, event_type="x.y", event_id="e", message_id="m1", payload=b"{}", payload_hash="h"
            )
        )
        session.flush()
        r = client.delete(f"{BASE}/{hook.id}", headers=user_headers)
        assert r.status_code == 200 and r.json() == {"message": "Webhook deleted successfully"}
        assert (
            session.scalar(
                select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id)
            )
            == 0
        )
        assert client.delete(f"{BASE}/{hook.id}", headers=user_headers).status_code == 404

    def test_others_are_refused(self, client, user_headers, make_webhook, session):
        hook = make_webhook(user_id=424242)
        assert client.delete(f"{BASE}/{hook.id}", headers=user_headers).status_code == 403
        assert session.get(Webhook, hook.id) is not None


class TestDeliveries:
    def test_log_newest_first_with_a_status_filter(self, client, user_headers, user_id, make_webhook, session):
        hook = make_webhook(user_id=user_id)
        from datetime import timedelta

        from shared.db import utcnow

        now = utcnow()
        for i, status in enumerate(["success", "failed", "retrying"]):
            session.add(
                WebhookDelivery(
                    webhook_id=hook.id,
                    event_type="time_entry.created",
                    event_id=f"e{i}",
                    message_id=f"msg-{hook.id}-{i}",
                    payload=b"{}",
                    payload_hash="h",
                    status=status,
                    started_at=now + timedelta(seconds=i),
                )
            )
        session.flush()
        out = client.get(f"{BASE}/{hook.id}/deliveries", headers=user_headers).json()
        assert [d["status"] for d in out["deliveries"]] == ["retrying", "failed", "success"]
        assert set(out["deliveries"][0]) == {
            "id", "webhook_id", "event_type", "event_id", "status", "attempt_number", "response_status_code",
            "error_message", "error_type", "started_at", "completed_at", "duration_ms", "retry_count", "next_retry_at",
        }  # fmt: skip
        failed = client.get(f"{BASE}/{hook.id}/deliveries", params={"status": "failed"}, headers=user_headers).json()
        assert [d["event_id"] for d in failed["deliveries"]] == ["e1"]
        everything = client.get(f"{BASE}/{hook.id}/deliveries", params={"status": "bogus"}, headers=user_headers)
        assert everything.json()["pagination"]["total"] == 3

    def test_others_and_unknown(self, client, user_headers, make_webhook):
        hook = make_webhook(user_id=31337)
        assert client.get(f"{BASE}/{hook.id}/deliveries", headers=user_headers).status_code == 403
        assert client.get(f"{BASE}/999999/deliveries", headers=user_headers).status_code == 404

    def test_redeliver_unknown_and_others(self, client, user_headers, user_id, make_webhook):
        mine = make_webhook(user_id=user_id)
        r = client.post(f"{BASE}/{mine.id}/deliveries/999999/redeliver", headers=user_headers)
        assert r.status_code == 404 and r.json()["error"] == "Delivery not found"
        theirs = make_webhook(user_id=27182)
        assert client.post(f"{BASE}/{theirs.id}/deliveries/1/redeliver", headers=user_headers).status_code == 403

    def test_test_action_refuses_an_inactive_subscription(self, client, user_headers, user_id, make_webhook, session):
        hook = make_webhook(user_id=user_id, is_active=False)
        r = client.post(f"{BASE}/{hook.id}/test", headers=user_headers)
        assert r.status_code == 400 and r.json()["error_code"] == "invalid_state"
        assert (
            session.scalar(
                select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id)
            )
            == 0
        )
