"""`/api/v1/timer`: the caller's running timer (tracking.md §6) and its admin setting."""

from __future__ import annotations

from typing import Annotated

from fastapi import status

from shared.db import SessionDep
from shared.identity import Identity, requires
from tracking.deps import SettingsDep
from tracking.routing import feature_router
from tracking.timer import service
from tracking.timer.schemas import (
    TimerEntryEnvelope,
    TimerSettingsEnvelope,
    TimerSettingsUpdate,
    TimerSettingsUpdated,
    TimerStart,
    TimerStarted,
    TimerStatus,
)

router = feature_router("/api/v1/timer", tags=["timer"])
ReadScope = Annotated[Identity, requires("read:time_entries")]
WriteScope = Annotated[Identity, requires("write:time_entries")]
AdminScope = Annotated[Identity, requires("admin:all")]


@router.get("/status", response_model=TimerStatus)
def get_timer_status(session: SessionDep, identity: ReadScope) -> dict:
    """The caller's running timer (the most recently started one if several run), or null."""
    return service.timer_status(session, identity)


@router.post("/start", response_model=TimerStarted, status_code=status.HTTP_201_CREATED)
def start_timer(body: TimerStart, session: SessionDep, settings: SettingsDep, identity: WriteScope) -> dict:
    """Start a timer on an active project in the caller's scope; 409 while one runs and the
    single-active-timer setting is on."""
    return service.start_timer(session, body, actor=identity, settings=settings)


@router.post("/stop", response_model=TimerEntryEnvelope)
def stop_timer(session: SessionDep, identity: WriteScope) -> dict:
    """Stop the running timer (a pause still open counts as break); no body needed."""
    return service.stop_timer(session, actor=identity)


@router.post("/pause", response_model=TimerEntryEnvelope)
def pause_timer(session: SessionDep, identity: WriteScope) -> dict:
    """Pause the running timer: its duration stops advancing."""
    return service.pause_timer(session, actor=identity)


@router.post("/resume", response_model=TimerEntryEnvelope)
def resume_timer(session: SessionDep, identity: WriteScope) -> dict:
    """Resume a paused timer; the paused seconds are added to its break."""
    return service.resume_timer(session, actor=identity)


@router.get("/settings", response_model=TimerSettingsEnvelope)
def get_timer_settings(session: SessionDep, settings: SettingsDep, identity: AdminScope) -> dict:
    """The single-active-timer setting; admin users only."""
    return service.get_timer_settings(session, actor=identity, settings=settings)


@router.patch("/settings", response_model=TimerSettingsUpdated)
def update_timer_settings(
    body: TimerSettingsUpdate, session: SessionDep, settings: SettingsDep, identity: AdminScope
) -> dict:
    """Switch the single-active-timer rule on or off; admin users only."""
    return service.update_timer_settings(session, body, actor=identity, settings=settings)


@router.put("/settings", response_model=TimerSettingsUpdated)
def update_timer_settings_put(
    body: TimerSettingsUpdate, session: SessionDep, settings: SettingsDep, identity: AdminScope
) -> dict:
    """Same partial semantics as PATCH (CONVENTIONS §1)."""
    return service.update_timer_settings(session, body, actor=identity, settings=settings)
