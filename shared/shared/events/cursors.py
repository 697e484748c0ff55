"""Gap-repair cursors: how far each consumer has confirmed an owner's outbox, in the JetStream
key-value bucket `TT_REPAIR` (key `<owner>.<durable>`), written by the consumer's repair pass
(`shared.events.repair`) and read by the owner's relay before it purges published rows."""

from __future__ import annotations

from nats.js import JetStreamContext
from nats.js.errors import BucketNotFoundError, KeyNotFoundError

CURSOR_BUCKET = "TT_REPAIR"


async def cursor_bucket(js: JetStreamContext):
    try:
        return await js.key_value(CURSOR_BUCKET)
    except BucketNotFoundError:
        return await js.create_key_value(bucket=CURSOR_BUCKET)


async def confirmed_through(js: JetStreamContext, owner: str, durable: str) -> int | None:
    """Every row of `owner`'s outbox up to this id that `durable` should have, it has; None if
    it never said."""
    try:
        entry = await (await cursor_bucket(js)).get(f"{owner}.{durable}")
    except KeyNotFoundError:
        return None
    return int(entry.value or b"0")


async def confirm(js: JetStreamContext, owner: str, durable: str, through: int) -> None:
    await (await cursor_bucket(js)).put(f"{owner}.{durable}", str(through).encode())
