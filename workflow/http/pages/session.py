"""Who is logged in to the pages, in which language, and the forms' CSRF token.

The login form takes an API token and keeps it in an HttpOnly, SameSite=Strict cookie, so
no script reads it and no other site sends it. Every form that changes something carries a
token derived from the session (an HMAC of the session token under a secret made when the
service starts): a form another site built cannot know it. The language is the `lang`
cookie a switch sets, else the browser's `Accept-Language`, else Dutch.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from workflow.core.i18n import LANGUAGES, UnknownLanguage, from_accept_language, normal_language
from workflow.http.settings import Caller, Settings

SESSION = "azwa_session"
LANGUAGE = "azwa_lang"
PATH = "/pages"


def new_secret() -> bytes:
    return secrets.token_bytes(32)


def token_of(request: Request) -> str | None:
    token = request.cookies.get(SESSION, "").strip()
    return token or None


def caller(request: Request) -> Caller | None:
    """The caller of the session cookie's token; None when there is none or it is unknown."""
    token = token_of(request)
    if token is None:
        return None
    settings: Settings = request.app.state.settings
    return settings.caller(token)


def csrf_token(request: Request) -> str:
    """The form token of this session ('' without one)."""
    token = token_of(request)
    if token is None:
        return ""
    secret: bytes = request.app.state.pages_secret
    return hmac.new(secret, token.encode(), hashlib.sha256).hexdigest()


def csrf_holds(request: Request, sent: object) -> bool:
    expected = csrf_token(request)
    return bool(expected) and isinstance(sent, str) and hmac.compare_digest(expected, sent)


def same_origin(request: Request) -> bool:
    """A post whose `Origin` (sent by browsers) is this service, or that names none."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return origin == f"{request.url.scheme}://{request.url.netloc}"


def log_in(response: Response, request: Request, token: str) -> None:
    response.set_cookie(SESSION, token, httponly=True, samesite="strict", path=PATH,
                        secure=request.url.scheme == "https")


def log_out(response: Response) -> None:
    response.delete_cookie(SESSION, path=PATH, httponly=True, samesite="strict")


def language(request: Request) -> str:
    """`?lang=` of this request, else the switch's cookie, else Accept-Language, else Dutch."""
    for chosen in (request.query_params.get("lang"), request.cookies.get(LANGUAGE)):
        if chosen:
            try:
                return normal_language(chosen)
            except UnknownLanguage:
                continue
    return from_accept_language(request.headers.get("accept-language"))


def remember_language(response: Response, request: Request, lang: str) -> None:
    if request.query_params.get("lang") and lang in LANGUAGES:
        response.set_cookie(LANGUAGE, lang, samesite="strict", path=PATH,
                            secure=request.url.scheme == "https", max_age=365 * 24 * 3600)
