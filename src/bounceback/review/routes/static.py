"""The page's own script and style sheet (nothing else is served as a file)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

router = APIRouter()
TYPES = {
    "review.js": "text/javascript",
    "choose.js": "text/javascript",
    "review.css": "text/css",
}


@cache
def _read(name: str) -> bytes:
    return (files("bounceback.review") / "static" / name).read_bytes()


@router.get("/static/{name}")
def static(name: str) -> Response:
    """The page's scripts and its style sheet."""
    if name not in TYPES:
        raise HTTPException(404, "not found")
    return Response(_read(name), media_type=TYPES[name])
