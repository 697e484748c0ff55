"""What every connector operation works with, built once per process: settings, the secret box,
the provider client and the platform client. Routers get it from `ConnectorsDep`; the consumer
and the scheduled jobs from the app."""

from __future__ import annotations

from dataclasses import dataclass

from integrations.connectors.outbound import ProviderHttp
from integrations.connectors.platform import Platform
from integrations.secrets import SecretBox
from integrations.settings import IntegrationsSettings
from shared.identity import IdentityCodec


@dataclass(frozen=True)
class Connectors:
    settings: IntegrationsSettings
    box: SecretBox
    http: ProviderHttp
    platform: Platform

    @classmethod
    def build(cls, settings: IntegrationsSettings, box: SecretBox, codec: IdentityCodec) -> Connectors:
        return cls(
            settings=settings,
            box=box,
            http=ProviderHttp(
                timeout=settings.provider_timeout_seconds,
                max_attempts=settings.provider_max_attempts,
                max_total_seconds=settings.provider_max_total_seconds,
                backoff_seconds=settings.provider_backoff_seconds,
            ),
            platform=Platform(
                codec,
                auth_url=settings.auth_url,
                tracking_url=settings.tracking_url,
                timeout=settings.platform_timeout_seconds,
            ),
        )

    def public(self, path: str) -> str:
        """Absolute URL of a platform path, as clients and providers reach it."""
        return self.settings.public_url + path

    def close(self) -> None:
        self.http.close()
        self.platform.close()
