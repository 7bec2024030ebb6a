"""Uploaded files kept in the database (`core.models.Attachment`): the one way in and the one way out.

`attachment_store` takes a file only when it is small enough (XINFANG_ATTACHMENT_MAX_MB) and is what it
says by its first bytes — a PDF, a JPEG or a PNG, whatever the browser claimed — and keeps a name that
is safe to show and to send back. `attachment_response` serves it as a download that no browser renders
in the site's origin. The views that call it live in the owning app: they check the viewer's scope and
write the audit record first.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone

from xinfang.core.models import Attachment
from xinfang.lib.text import clean_text

MB = 1024 * 1024
NAME_MAX = 100  # characters of a stored name, its extension included


@dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str
    magic: bytes


# What a file is, by its first bytes (the browser's content type and the name's extension are the
# sender's word only).
KINDS = (
    Kind("application/pdf", ".pdf", b"%PDF-"),
    Kind("image/jpeg", ".jpg", b"\xff\xd8\xff"),
    Kind("image/png", ".png", b"\x89PNG\r\n\x1a\n"),
)
EXTENSIONS = {kind.content_type: {kind.extension} for kind in KINDS} | {"image/jpeg": {".jpg", ".jpeg"}}
ACCEPT = ",".join([".pdf", ".jpg", ".jpeg", ".png"])  # the file inputs' accept attribute


class Upload(Protocol):
    """What is read of an upload (Django's UploadedFile is one)."""

    @property
    def name(self) -> str | None: ...

    @property
    def size(self) -> int | None: ...

    def read(self, size: int = -1, /) -> bytes: ...


def attachment_max_bytes() -> int:
    return int(settings.XINFANG_ATTACHMENT_MAX_MB) * MB


def attachment_kind(head: bytes) -> Kind | None:
    return next((kind for kind in KINDS if head.startswith(kind.magic)), None)


# Characters that a file name on Windows or in a header may not hold; path separators included.
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|;]+')


def attachment_name(raw: str, kind: Kind) -> str:
    """A name safe to show and to send back: no path, no control or bidirectional characters, no
    characters a file system or a header refuses, at most NAME_MAX characters, and the extension of
    what the file is (a PNG named 证明.pdf is kept as 证明.pdf.png)."""
    name = clean_text(raw or "", multiline=False).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot or f".{extension.lower()}" not in EXTENSIONS[kind.content_type]:
        stem, extension = name, kind.extension.lstrip(".")
    stem = stem[: NAME_MAX - len(extension) - 1].strip(" .") or "附件"
    return f"{stem}.{extension}"


def attachment_store(upload: Upload, *, user_id: int | None) -> Attachment:
    """Keep the uploaded file, or refuse it with a ValidationError in Chinese: empty, larger than
    XINFANG_ATTACHMENT_MAX_MB, or not a PDF, JPEG or PNG by its first bytes. Call it inside the
    transaction of the action the file belongs to."""
    limit = attachment_max_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            f"文件“{_shown(upload.name)}”过大：{upload.size / MB:.1f} MB，上限为 {limit // MB} MB",
            code="too_large",
        )
    content = upload.read(limit + 1)
    if len(content) > limit:  # the declared size was wrong
        raise ValidationError(f"文件“{_shown(upload.name)}”过大：上限为 {limit // MB} MB", code="too_large")
    if not content:
        raise ValidationError(f"文件“{_shown(upload.name)}”是空文件", code="empty")
    kind = attachment_kind(content[:16])
    if kind is None:
        raise ValidationError(
            f"文件“{_shown(upload.name)}”不是 PDF、JPG 或 PNG 格式（按文件内容判断），请转换后再上传",
            code="type",
        )
    return Attachment.objects.create(
        name=attachment_name(upload.name or "", kind),
        content_type=kind.content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_at=timezone.now(),
        uploaded_by_id=user_id,
    )


def _shown(name: str | None) -> str:
    """An upload's name as an error message may quote it."""
    text = clean_text(name or "", multiline=False)
    return text if len(text) <= 40 else f"{text[:39]}…"


def attachment_response(attachment: Attachment) -> HttpResponse:
    """The file as a download: its own type (one of the three it was accepted as), never sniffed, named
    in UTF-8 (RFC 5987) with an ASCII fallback, not kept in shared caches, and sandboxed should a browser
    open it anyway."""
    content = attachment.content
    response = HttpResponse(bytes(content), content_type=attachment.content_type)
    extension = attachment.name.rpartition(".")[2].lower() if "." in attachment.name else "bin"
    fallback = f"attachment-{attachment.pk}.{extension if extension.isalnum() else 'bin'}"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(attachment.name, safe='')}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Content-Length"] = str(len(content))
    return response
