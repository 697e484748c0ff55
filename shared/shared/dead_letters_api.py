"""`/api/v1/admin/dead-letters/<service>`: the service's dead letters, and their replay.

Each service serves its own consumers' dead letters (only it has their handlers), under its
name, so the gateway routes each family to its service. A replay applies the event through
the consumer's own `apply`: it records the event id in the same transaction, so an event is
applied once however often it is replayed (or was applied meanwhile). A replayed letter leaves
the dead-letter stream; one whose handler still fails stays, with the error in the answer.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ValidationError

from shared.errors import ConflictError, NotFoundError, ServiceUnavailableError
from shared.events.consumer import DurableConsumer
from shared.events.deadletter import (
    DeadLetter,
    delete_dead_letter,
    error_text,
    get_dead_letter,
    read_dead_letters,
)
from shared.events.envelope import EventEnvelope
from shared.identity import Identity, requires
from shared.routing import feature_router

AdminScope = Annotated[Identity, requires("admin:all")]
Outcome = Literal["applied", "already_applied"]


class DeadLetterOut(BaseModel):
    id: int
    consumer: str
    subject: str
    event_id: str
    deliveries: int
    error: str
    dead_lettered_at: datetime | None


class DeadLetterList(BaseModel):
    service: str
    dead_letters: list[DeadLetterOut]
    total: int


class ReplayResult(BaseModel):
    message: str
    outcome: Outcome
    dead_letter: DeadLetterOut


class ReplayFailure(BaseModel):
    id: int
    event_id: str
    error: str


class ReplayAllResult(BaseModel):
    message: str
    applied: int
    already_applied: int
    failed: list[ReplayFailure]


def _out(letter: DeadLetter) -> DeadLetterOut:
    return DeadLetterOut(
        id=letter.id,
        consumer=letter.consumer,
        subject=letter.subject,
        event_id=letter.event_id,
        deliveries=letter.deliveries,
        error=letter.error,
        dead_lettered_at=letter.dead_lettered_at,
    )


class ReplayFailed(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def dead_letters_router(service: str) -> APIRouter:
    router = feature_router(service, f"/api/v1/admin/dead-letters/{service}", tags=["admin"])

    def consumers_of(request: Request) -> dict[str, DurableConsumer]:
        return {c.name: c for c in request.app.state.consumers}

    async def jetstream(request: Request):
        try:
            return await request.app.state.nats.jetstream()
        except Exception as exc:  # noqa: BLE001 - NATS away: the standard 503
            raise ServiceUnavailableError("The event stream cannot be reached.") from exc

    async def letters_of(request: Request) -> list[DeadLetter]:
        js = await jetstream(request)
        letters = [letter for name in consumers_of(request) for letter in await read_dead_letters(js, name)]
        return sorted(letters, key=lambda letter: letter.id)

    async def replay(request: Request, letter: DeadLetter) -> Outcome:
        consumer = consumers_of(request)[letter.consumer]
        try:
            envelope = EventEnvelope.from_json(letter.data)
        except ValidationError as exc:
            raise ReplayFailed(f"malformed envelope: {error_text(exc)}") from exc
        try:
            applied = await asyncio.to_thread(consumer.apply, envelope, letter.original_headers())
        except Exception as exc:  # noqa: BLE001 - the handler still fails: the letter stays
            raise ReplayFailed(error_text(exc)) from exc
        await delete_dead_letter(await jetstream(request), letter.id)
        return "applied" if applied else "already_applied"

    @router.get("", response_model=DeadLetterList)
    async def list_dead_letters(request: Request, identity: AdminScope) -> DeadLetterList:
        """Events this service's consumers gave up on, oldest first."""
        letters = await letters_of(request)
        return DeadLetterList(service=service, dead_letters=[_out(x) for x in letters], total=len(letters))

    @router.post("/{dead_letter_id}/replay", response_model=ReplayResult)
    async def replay_dead_letter(dead_letter_id: int, request: Request, identity: AdminScope) -> ReplayResult:
        """Apply one dead-lettered event to its consumer (after a fix); applied at most once."""
        letter = await get_dead_letter(await jetstream(request), dead_letter_id)
        if letter is None or letter.consumer not in consumers_of(request):
            raise NotFoundError("Dead letter not found.")
        try:
            outcome = await replay(request, letter)
        except ReplayFailed as failed:
            raise ConflictError(f"The event still fails: {failed.error}", error_code="replay_failed") from None
        return ReplayResult(message="Dead letter replayed.", outcome=outcome, dead_letter=_out(letter))

    @router.post("/replay", response_model=ReplayAllResult)
    async def replay_all_dead_letters(request: Request, identity: AdminScope) -> ReplayAllResult:
        """Replay every dead letter of this service, oldest first; failures stay listed."""
        counts = {"applied": 0, "already_applied": 0}
        failed: list[ReplayFailure] = []
        for letter in await letters_of(request):
            try:
                counts[await replay(request, letter)] += 1
            except ReplayFailed as failure:
                failed.append(ReplayFailure(id=letter.id, event_id=letter.event_id, error=failure.error))
        return ReplayAllResult(message="Dead letters replayed.", failed=failed, **counts)

    return router
