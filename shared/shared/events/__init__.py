"""Events: envelope, outbox (`record`), relay to JetStream, durable consumers."""

from shared.events.envelope import EventEnvelope, MalformedEvent, required
from shared.events.outbox import record, record_many

__all__ = ["EventEnvelope", "MalformedEvent", "record", "record_many", "required"]
