"""Which service owns which part of the URL space: a static map, so a path of a deployed
service whose OpenAPI could not be loaded yet answers 503 instead of 404."""

from __future__ import annotations

SERVICE_PREFIXES: dict[str, tuple[str, ...]] = {
    "auth": ("/api/v1/auth", "/api/v1/users", "/api/v1/admin/api-tokens", "/admin/api-tokens", "/api/version"),
    "tracking": (
        "/api/v1/projects",
        "/api/v1/tasks",
        "/api/v1/time-entries",
        "/api/v1/timer",
        "/api/v1/time-entry-approvals",
        "/api/v1/users/me/favorites",
    ),
    "crm": (
        "/api/v1/clients",
        "/api/v1/client-notes",
        "/api/v1/contacts",
        "/api/v1/deals",
        "/api/v1/leads",
        "/api/v1/quotes",
    ),
    "inventory": ("/api/v1/inventory",),
    "reporting": (
        "/api/v1/reports",
        "/api/v1/search",
        "/api/v1/exports",
        "/api/v1/ai",
        # Legacy session surfaces served with a token (CONVENTIONS §13).
        "/api/search",
        "/api/stats",
        "/api/reports",
        "/api/productivity",
        "/api/projects",
        "/api/ai",
    ),
    "integrations": ("/api/v1/webhooks", "/api/v1/integrations", "/api/integrations", "/integrations"),
}


def owner_of(path: str) -> str | None:
    """The service whose static prefix (longest match) covers `path`."""
    best, owner = -1, None
    for service, prefixes in SERVICE_PREFIXES.items():
        for prefix in prefixes:
            if len(prefix) > best and (path == prefix or path.startswith(prefix + "/")):
                best, owner = len(prefix), service
    return owner
