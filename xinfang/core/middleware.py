"""Per-request context (source IP, request id) that services read when they write audit records; every
form field and query parameter through the one text sanitiser; security headers."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, QueryDict

from xinfang.lib.text import clean_text

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RequestContext:
    source_ip: str | None
    request_id: str


_current: ContextVar[RequestContext | None] = ContextVar("xinfang_request_context", default=None)
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_context() -> RequestContext | None:
    return _current.get()


def client_ip(request: HttpRequest) -> str | None:
    """The client address, trusting X-Forwarded-For only as far as the configured proxies."""
    proxies: int = settings.XINFANG_TRUSTED_PROXIES
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        token = _current.set(RequestContext(source_ip=client_ip(request), request_id=request_id))
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = request_id
        return response


def clean_query(data: QueryDict) -> QueryDict:
    """The parameters with every key and value through `clean_text` (multi-line text keeps its TABs and
    line breaks); the same object when nothing needs removing, the common case."""
    if all(
        key.isprintable() and all(value.isprintable() for value in values) for key, values in data.lists()
    ):
        return data
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        cleaned.setlist(clean_text(key), [clean_text(value) for value in values])
    cleaned._mutable = False
    return cleaned


class CleanInputMiddleware:
    """Every query parameter and form field passes the one sanitiser (`lib.text.clean_text`) before any
    view or form sees it: a control or bidirectional formatting character planted
    in a form is never stored. The API's bodies pass it in its parsers (`core.parsers`)."""

    FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.GET = cast(Any, clean_query(request.GET))
        if request.method == "POST" and request.content_type in self.FORM_TYPES:
            request.POST = cast(Any, clean_query(request.POST))
        return self.get_response(request)


# Everything the pages use comes from the app itself: no inline script or style, no other origin.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


# Static files leave the app before the middleware below (WhiteNoise answers them first): they get the
# same headers here, through WhiteNoise's hook, but keep their caching.
STATIC_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Permissions-Policy": PERMISSIONS_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def static_file_headers(headers: Any, path: str, url: str) -> None:
    """WHITENOISE_ADD_HEADERS_FUNCTION: the security headers of every page on every static file."""
    for name, value in STATIC_HEADERS.items():
        headers[name] = value


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy and Permissions-Policy, and `Cache-Control: no-store`, on every
    response the app renders (pages and API carry personal data: no browser or proxy may keep them).
    Static files are served before this by WhiteNoise, with their own caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers["Cache-Control"] = "no-store"
        return response


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, except that a session that cannot be saved after the view has answered (the database
    busy for longer than the busy timeout) does not turn the answer into an error: the view's own writes
    have committed, and answering 400 or 500 would make a client retry them. What is lost is what the
    session would have kept (a message, the activity time); it is logged."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        try:
            return super().process_response(request, response)
        except (SessionInterrupted, DatabaseError):
            logger.warning("session not saved after %s %s", request.method, request.path, exc_info=True)
            return response
