"""Settings base: every process reads its configuration once from `TT_` variables."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

# Every service of the platform, in the order the gateway loads and reports them.
SERVICES = ("auth", "tracking", "crm", "inventory", "reporting", "integrations")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class PlatformSettings(BaseSettings):
    """What every service process needs. One small subclass per process adds its own fields."""

    model_config = SettingsConfigDict(env_prefix="TT_", extra="ignore", frozen=True)

    service_name: str = "service"
    # PostgreSQL server URL; each service uses its own database on it (`tt_<service>`)
    # unless TT_<SERVICE>_DATABASE_URL names one explicitly.
    database_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    database_pool_size: int = 10
    nats_url: str = "nats://127.0.0.1:4222"
    nats_stream: str = "TT"
    # Prepended to durable consumer names: platform instances sharing one NATS server (test
    # stacks, say) keep separate positions in the stream.
    nats_durable_prefix: str = ""
    # A new durable consumer reads the stream from its start (replicas catch up on all history);
    # set, it starts at this instant instead (test stacks on a NATS that keeps older runs' events).
    nats_replay_since: datetime | None = None
    # The stream is the platform's event history: a new durable consumer (a new reporting
    # deployment, a new consumer in a service, a changed durable prefix) replays it from its
    # start, and reporting's replay check reads it whole; the outbox keeps published rows at
    # most `outbox_keep_published_seconds`, so nothing else can rebuild older history. Hence no
    # age or size limit by default.
    # A limit bounds the disk at the cost of that history: a consumer created later, or stopped
    # for longer than the age, misses what was dropped; when the size is reached the stream
    # refuses new events (they wait in the outbox, `tt_outbox_backlog` rises) rather than drop
    # old ones silently. Replicas: 1 on a single NATS server, 3 on a cluster. The dead-letter
    # stream gets the same limits.
    nats_stream_replicas: int = Field(default=1, ge=1, le=5)
    nats_stream_max_age_seconds: float = Field(default=0, ge=0)  # 0 = keep every event
    nats_stream_max_bytes: int = Field(default=-1, ge=-1)  # -1 = no size limit
    # Deliveries of an event whose handler keeps failing before it goes to the dead-letter
    # stream (`TT_DLQ`, subjects `ttdlq.<durable>.<subject>`) and the consumer moves on.
    consumer_max_deliver: int = Field(default=5, ge=1)
    # Gap repair (`shared.events.repair`): this often each consumer compares what it applied
    # with its owner's published outbox rows older than one interval and has the missing ones
    # re-published (NATS can lose acknowledged messages on a crash); 0 switches it off.
    event_repair_seconds: float = Field(default=60, ge=0)
    # Published outbox rows stay until every consumer of the service's events has confirmed
    # them (and at least an hour), and never longer than this (what a repair can restore).
    outbox_keep_published_seconds: float = Field(default=7 * 86400, ge=3600)
    identity_secret: SecretStr
    identity_ttl_seconds: int = 60
    outbox_poll_seconds: float = 1.0
    # Messages a durable consumer fetches and applies in one transaction (at most).
    consumer_batch: int = Field(default=500, ge=1)
    log_level: str = "INFO"
    # json: one JSON object a line (collectors parse it); text: plain lines for a terminal.
    log_format: Literal["json", "text"] = "json"
    # Spans are exported only when asked: none | otlp (OTLP/HTTP to `otel_endpoint`, the
    # collector's base URL) | console. Trace ids reach the logs either way.
    otel_exporter: Literal["none", "otlp", "console"] = "none"
    otel_endpoint: str | None = None
    # The release every process reports: the gateway's /info and auth's version check.
    app_version: str = "5.10.0"

    # Base URL of each service; None (or empty) = not deployed. A service reaches the owners of
    # its replicas here (catch-up before a decision) and the gateway routes to them.
    auth_url: str | None = None
    tracking_url: str | None = None
    crm_url: str | None = None
    inventory_url: str | None = None
    reporting_url: str | None = None
    integrations_url: str | None = None
    # How long a decision on a replica waits for it to catch up with the owner (docs/architecture.md
    # "Consistency"); past it the replica's answer stands and the response says `stale`.
    catch_up_timeout_seconds: float = Field(default=1.0, ge=0)

    @field_validator(*(f"{name}_url" for name in SERVICES))
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return value.strip().rstrip("/")

    @field_validator("log_level", mode="before")
    @classmethod
    def _known_log_level(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().upper() in LOG_LEVELS:
            return value.strip().upper()
        raise ValueError(f"one of {', '.join(LOG_LEVELS)} (any case)")

    @field_validator("app_version", mode="before")
    @classmethod
    def _blank_version_is_default(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return cls.model_fields["app_version"].default
        return value.strip() if isinstance(value, str) else value

    # Declared by the processes that have an app time zone; checked here for all of them, so a
    # zone the tz database does not know stops the process at start, not a request later.
    @field_validator("timezone", check_fields=False)
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError("a time zone of the tz database, e.g. Europe/Rome or UTC") from None
        return value

    @field_validator("identity_secret")
    @classmethod
    def _real_secret(cls, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value()
        # a length floor also refuses the usual stand-ins ("changeme", "secret" …)
        if len(raw) < 32:
            raise ValueError("a real secret of at least 32 characters")
        return value

    def service_urls(self) -> dict[str, str]:
        """Deployed services only: name → base URL."""
        urls = {name: getattr(self, f"{name}_url") for name in SERVICES}
        return {name: url for name, url in urls.items() if url}

    def service_database_url(self, explicit: str | None = None) -> str:
        """The service's own database: explicit URL if given, else `tt_<service>` on the server."""
        if explicit:
            return explicit
        return make_url(self.database_url).set(database=f"tt_{self.service_name}").render_as_string(hide_password=False)
