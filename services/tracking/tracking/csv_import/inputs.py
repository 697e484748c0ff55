"""How the CSV text reaches `import-csv` (tracking.md §4.6), first match wins: a multipart file
field `file`, a JSON body `{"csv": …}` or `{"data": …}`, or the raw body (e.g. `text/csv`).

The shared body middleware has already turned an empty or untyped body into JSON; a body typed
JSON that does not start like a JSON object is read as CSV text, so a CSV posted without a
content type still imports, while a broken JSON object is a 400 as everywhere else."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile

from shared.errors import BadRequestError, ValidationError

FILE_FIELD = "file"
TEXT_KEYS = ("csv", "data")


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


async def _uploaded(request: Request) -> str:
    form = await request.form()
    try:
        upload: Any = form.get(FILE_FIELD)
        if isinstance(upload, UploadFile):
            return _decode(await upload.read())
        return upload if isinstance(upload, str) else ""
    finally:
        await form.close()


def _from_json(raw: bytes) -> str:
    try:
        body = json.loads(raw)
    except ValueError:
        raise BadRequestError("Request body is not valid JSON", error="Malformed JSON") from None
    if not isinstance(body, dict):
        raise BadRequestError("Request body must be a JSON object")
    text = next((body[k] for k in TEXT_KEYS if body.get(k)), "")
    if not isinstance(text, str):
        raise ValidationError({"csv": ["CSV text must be a string"]}, "CSV text must be a string")
    return text


def _is_json(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")


async def read_csv_text(request: Request) -> str:
    """The CSV text as sent ("" when none): the file decoded as UTF-8, invalid bytes replaced."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "multipart/form-data":
        return await _uploaded(request)
    raw = await request.body()
    if _is_json(media) and raw.lstrip()[:1] in (b"{", b"["):
        return _from_json(raw)
    return _decode(raw)
