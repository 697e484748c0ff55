"""A minimal service assembled with create_service_app, used to test the shared mechanisms."""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, status
from pydantic import BaseModel, Field
from sqlalchemy import Column, Integer, String, Table, insert, select

from shared.app import create_service_app
from shared.db import SessionDep, new_metadata
from shared.events import record
from shared.events.outbox import outbox_table, processed_events_table
from shared.identity import Identity, requires
from shared.pagination import PageDep, paginate
from shared.settings import PlatformSettings

metadata = new_metadata()
widgets = Table(
    "widgets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(50), nullable=False, unique=True),
)
outbox = outbox_table(metadata)
processed = processed_events_table(metadata)

router = APIRouter(prefix="/api/v1")


class WidgetCreate(BaseModel):
    name: str = Field(min_length=1, max_length=50)
    size: int = 1


@router.post("/widgets", status_code=status.HTTP_201_CREATED)
def create_widget(body: WidgetCreate, session: SessionDep, identity: Annotated[Identity, requires("write:widgets")]):
    widget_id = session.execute(insert(widgets).values(name=body.name).returning(widgets.c.id)).scalar_one()
    record(
        session,
        source="demo",
        type="tt.demo.widget.created",
        entity_id=widget_id,
        data={"id": widget_id, "name": body.name},
        actor=identity,
    )
    if body.name == "explode-after-record":
        raise RuntimeError("boom after the event was recorded")
    return {"message": "Widget created successfully", "widget": {"id": widget_id, "name": body.name}}


@router.get("/widgets")
def list_widgets(session: SessionDep, page: PageDep, identity: Annotated[Identity, requires("read:widgets", "read:*")]):
    rows, pagination = paginate(session, select(widgets.c.name).order_by(widgets.c.id), page)
    return {"widgets": rows, "pagination": pagination}


@router.post("/widgets/touch")
def touch(identity: Annotated[Identity, requires()]):
    return {"ok": True, "user_id": identity.user_id}


# alembic.ini and migrations/ of the demo service
SERVICE_DIR = Path(__file__).parent / "demo"


def create_app(settings: PlatformSettings, database_url: str, on_startup=None):
    return create_service_app(
        settings=settings,
        title="demo",
        version="0",
        metadata=metadata,
        routers=[router],
        service_dir=SERVICE_DIR,
        database_url=database_url,
        on_startup=on_startup,
    )
