"""Event subjects the reporting service consumes (it publishes none)."""

from __future__ import annotations

# One durable for all of tracking keeps project, task and entry events in their stream order.
TRACKING_EVENTS = "tt.tracking.>"
CRM_CLIENT_EVENTS = "tt.crm.client.>"
AUTH_USER_EVENTS = "tt.auth.user.>"

# Durable names (prefixed by TT_NATS_DURABLE_PREFIX); fresh reads wait on the tracking one.
TRACKING_CONSUMER = "reporting-tracking"
CLIENTS_CONSUMER = "reporting-clients"
USERS_CONSUMER = "reporting-users"
