"""Integrations domain errors with the spec's codes (integrations.md); generic ones come from
`shared.errors`."""

from __future__ import annotations

from shared.errors import ApiError, ConflictError, ServiceUnavailableError


class EncryptionKeyMissingError(ServiceUnavailableError):
    """§2.3: without a valid key the service refuses to store secrets."""

    def __init__(self) -> None:
        super().__init__("encryption key not configured")


class WebhookInactiveError(ApiError):
    """§1.6: the test action (and a manual redelivery) refuses an inactive subscription."""

    status_code = 400
    error_code = "invalid_state"
    error = "Webhook is inactive"


class DeliveryInProgressError(ConflictError):
    """A manual redelivery of a delivery whose attempt is in flight right now."""

    def __init__(self) -> None:
        super().__init__("An attempt of this delivery is in progress; retry shortly", error="Delivery in progress")
