"""Dead letters: an event a consumer could not apply after its allowed deliveries.

Published to the dead-letter stream on `ttdlq.<durable>.<original subject>` (outside `tt.>`, so
no event consumer ever sees it) with the original payload as its body and the original headers,
plus what a replay and an operator need: the original subject, message id and stream position,
the consumer, the delivery count and the error (its first line: no SQL, no parameters)."""

from __future__ import annotations

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from sqlalchemy.exc import InterfaceError, OperationalError, StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from shared.events.link import DEAD_LETTER_STREAM

DEAD_LETTER_PREFIX = "ttdlq"
MSG_ID = "Nats-Msg-Id"
ORIGINAL_SUBJECT = "Tt-Original-Subject"
ORIGINAL_MSG_ID = "Tt-Original-Msg-Id"
ORIGINAL_STREAM = "Tt-Original-Stream"
ORIGINAL_SEQUENCE = "Tt-Original-Sequence"
CONSUMER = "Tt-Consumer"
DELIVERIES = "Tt-Deliveries"
ERROR = "Tt-Error"
_ERROR_CHARS = 500


def dead_letter_subject(durable: str, subject: str) -> str:
    return f"{DEAD_LETTER_PREFIX}.{durable}.{subject}"


def error_text(exc: BaseException) -> str:
    """`Type: first line` of the error; for a database error the driver's message, without the
    statement and its parameters SQLAlchemy appends."""
    source = exc.orig if isinstance(exc, StatementError) and exc.orig is not None else exc
    lines = str(source).strip().splitlines()
    return f"{type(source).__name__}: {lines[0] if lines else ''}"[:_ERROR_CHARS]


def transient(exc: BaseException) -> bool:
    """The database unreachable, a deadlock, a serialization failure, a full pool: retrying is
    the cure, so such a failure never sends an event to the dead letters."""
    return isinstance(exc, OperationalError | InterfaceError | PoolTimeoutError) or bool(
        getattr(exc, "connection_invalidated", False)
    )


async def publish_dead_letter(
    js: JetStreamContext, msg: Msg, *, durable: str, event_id: str, deliveries: int, error: str
) -> None:
    """The dead letter's own message id (durable + event id) makes a repeat (a crash before the
    original was terminated) a duplicate the dead-letter stream drops."""
    meta = msg.metadata
    headers = {key: value for key, value in (msg.headers or {}).items() if key != MSG_ID}
    headers.update(
        {
            MSG_ID: f"{durable}:{event_id}",
            ORIGINAL_SUBJECT: msg.subject,
            ORIGINAL_MSG_ID: (msg.headers or {}).get(MSG_ID, event_id),
            ORIGINAL_STREAM: meta.stream,
            ORIGINAL_SEQUENCE: str(meta.sequence.stream),
            CONSUMER: durable,
            DELIVERIES: str(deliveries),
            ERROR: _header_value(error),
        }
    )
    await js.publish(
        dead_letter_subject(durable, msg.subject), msg.data, headers=headers, stream=DEAD_LETTER_STREAM, timeout=2
    )


def _header_value(text: str) -> str:
    return " ".join(text.split())  # a header is one line
