"""Dead letters: an event a consumer could not apply after its allowed deliveries.

Published to the dead-letter stream on `ttdlq.<durable>.<original subject>` (outside `tt.>`, so
no event consumer ever sees it) with the original payload as its body and the original headers,
plus what a replay and an operator need: the original subject, message id and stream position,
the consumer, the delivery count and the error (its first line: no SQL, no parameters).
Read back (`read_dead_letters`) for the admin listing, a replay and the gap repair, which
leaves a dead-lettered event to the operator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import RawStreamMsg
from nats.js.errors import NotFoundError
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
_ADDED_HEADERS = frozenset(
    {MSG_ID, ORIGINAL_SUBJECT, ORIGINAL_MSG_ID, ORIGINAL_STREAM, ORIGINAL_SEQUENCE, CONSUMER, DELIVERIES, ERROR}
)
# A listing reads at most this many dead letters of a consumer (one request each).
READ_LIMIT = 1000


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


@dataclass(frozen=True)
class DeadLetter:
    """A message of the dead-letter stream; `id` is its sequence there."""

    id: int
    consumer: str
    subject: str
    event_id: str
    deliveries: int
    error: str
    dead_lettered_at: datetime | None
    data: bytes
    headers: dict[str, str]

    @classmethod
    def of(cls, msg: RawStreamMsg) -> DeadLetter:
        headers = dict(msg.headers or {})
        return cls(
            id=msg.seq or 0,
            consumer=headers.get(CONSUMER, ""),
            subject=headers.get(ORIGINAL_SUBJECT, ""),
            event_id=headers.get(ORIGINAL_MSG_ID, ""),
            deliveries=int(headers.get(DELIVERIES) or 0),
            error=headers.get(ERROR, ""),
            dead_lettered_at=msg.time,
            data=msg.data or b"",
            headers=headers,
        )

    def original_headers(self) -> dict[str, str]:
        """The headers the event travelled with (its trace context), without the ones added here."""
        return {key: value for key, value in self.headers.items() if key not in _ADDED_HEADERS}


async def read_dead_letters(js: JetStreamContext, durable: str, *, limit: int = READ_LIMIT) -> list[DeadLetter]:
    """The dead letters of one durable consumer, oldest first."""
    letters: list[DeadLetter] = []
    seq = 1
    while len(letters) < limit:
        try:
            msg = await js.get_msg(DEAD_LETTER_STREAM, seq=seq, subject=f"{DEAD_LETTER_PREFIX}.{durable}.>", next=True)
        except NotFoundError:
            break
        letters.append(DeadLetter.of(msg))
        seq = (msg.seq or seq) + 1
    return letters


async def dead_lettered_ids(js: JetStreamContext, durable: str) -> set[str]:
    return {letter.event_id for letter in await read_dead_letters(js, durable)}


async def get_dead_letter(js: JetStreamContext, letter_id: int) -> DeadLetter | None:
    try:
        return DeadLetter.of(await js.get_msg(DEAD_LETTER_STREAM, seq=letter_id))
    except NotFoundError:
        return None


async def delete_dead_letter(js: JetStreamContext, letter_id: int) -> None:
    """After a replay applied the event (or found it applied): it leaves the listing."""
    try:
        await js.delete_msg(DEAD_LETTER_STREAM, letter_id)
    except NotFoundError:  # a concurrent replay removed it first
        pass
