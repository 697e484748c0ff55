"""`/api/v1/clients` (crm.md §1)."""

from __future__ import annotations


class TestCreateClient:
    def test_creates_with_every_field_and_records_the_event(self, client, user_headers, user_id, outbox_events):
        body = {
            "name": "  Acme Corp ",
            "email": "billing@acme.example",
            "phone": "+1 555 0100",
            "address": "1 Main St",
            "company": "Acme Holdings",
            "description": "Key account",
            "contact_person": "Jo Doe",
            "default_hourly_rate": "75.5",
            "custom_fields": {"erp_id": "A-1"},
            "status": "inactive",
            "prepaid_hours_monthly": 10,
            "prepaid_reset_day": 31,
        }
        r = client.post("/api/v1/clients", json=body, headers=user_headers)
        assert r.status_code == 201, r.text
        out = r.json()
        assert out["message"] == "Client created successfully"
        c = out["client"]
        assert c["name"] == "Acme Corp"
        assert c["company"] == "Acme Holdings"
        assert c["default_hourly_rate"] == 75.5
        assert c["status"] == "inactive" and c["is_active"] is False
        assert c["prepaid_hours_monthly"] == 10.0
        assert c["prepaid_reset_day"] == 28
        assert c["custom_fields"] == {"erp_id": "A-1"}
        assert c["total_projects"] == 0 and c["active_projects"] == 0
        assert c["created_at"].endswith("Z")
        assert "created_by" not in c
        [event] = outbox_events("tt.crm.client.created")
        assert event["data"]["name"] == "Acme Corp"
        assert event["data"]["created_by"] == user_id
        assert event["data"]["status"] == "inactive"
        assert event["entity_id"] == str(c["id"])
