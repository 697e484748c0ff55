"""Events: envelope, outbox (`record`), relay to JetStream, durable consumers."""

from shared.events.envelope import EventEnvelope
from shared.events.outbox import record

__all__ = ["EventEnvelope", "record"]
