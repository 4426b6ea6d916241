"""The pages of `azwa serve` for case workers and the governance group (docs/pages.md):
to-dos with a form per act, plans with their timeline and diagram, the A4 §4 monitoring, the
glossary. Server-rendered, Dutch first, behind the same tokens as the API."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from workflow.http.pages.session import new_secret

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Add the pages to the service: their routes under /pages, their CSS and script."""
    from workflow.http.pages.routes import router

    app.state.pages_secret = new_secret()
    app.include_router(router)
    app.mount("/pages/static", StaticFiles(directory=STATIC), name="pages-static")
