"""Event subjects the integrations service consumes (integrations.md §6). It publishes none yet."""

from __future__ import annotations

# The families a webhook event is made from (the catalogue's "Fired by", §1.2).
TRACKING_TIME_ENTRY_EVENTS = "tt.tracking.time_entry.>"
TRACKING_PROJECT_EVENTS = "tt.tracking.project.>"
TRACKING_TASK_EVENTS = "tt.tracking.task.>"
CRM_CLIENT_EVENTS = "tt.crm.client.>"
AUTH_USER_EVENTS = "tt.auth.user.>"
CONSUMED = (
    TRACKING_TIME_ENTRY_EVENTS,
    TRACKING_PROJECT_EVENTS,
    TRACKING_TASK_EVENTS,
    CRM_CLIENT_EVENTS,
    AUTH_USER_EVENTS,
)
# One durable reads them all, in stream order, so the user replica already holds a user when an
# event that user caused arrives. A durable takes one subject filter: it reads `tt.>` and skips
# every subject outside CONSUMED (`catalogue.webhook_event` is None for them).
PLATFORM_EVENTS = "tt.>"
WEBHOOKS_DURABLE = "integrations-webhooks"
