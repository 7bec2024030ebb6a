"""Attachments (core/attachments.py): bounded in size, PDF, JPEG or PNG by their first bytes whatever the
browser says, a name safe to show and send back, and a download no browser renders as a page."""

from __future__ import annotations

import hashlib
from urllib.parse import unquote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.supervision.support import JPEG, PDF, PNG, upload
from xinfang.core.attachments import KINDS, attachment_name, attachment_response, attachment_store
from xinfang.core.models import Attachment

pytestmark = pytest.mark.django_db


def test_it_keeps_a_pdf_with_its_digest_and_uploader(bureau):
    stored = attachment_store(upload("情况说明.pdf", PDF), user_id=bureau.pk)
    assert (stored.content_type, stored.size, stored.uploaded_by) == ("application/pdf", len(PDF), bureau)
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest() and bytes(stored.content) == PDF


def test_the_type_is_read_from_the_content_not_the_browser(bureau):
    png = attachment_store(upload("照片.pdf", PNG, "application/pdf"), user_id=bureau.pk)
    assert (png.content_type, png.name) == ("image/png", "照片.pdf.png")
    jpeg = attachment_store(upload("现场.JPEG", JPEG, "text/html"), user_id=bureau.pk)
    assert (jpeg.content_type, jpeg.name) == ("image/jpeg", "现场.JPEG")
    for content in (b"<html><script>alert(1)</script>", b"MZ\x90\x00\x03", b"PK\x03\x04word"):
        with pytest.raises(ValidationError, match="不是 PDF、JPG 或 PNG 格式"):
            attachment_store(upload("伪装.pdf", content, "application/pdf"), user_id=bureau.pk)
    assert Attachment.objects.count() == 2


def test_an_oversized_or_empty_file_is_refused(bureau, settings):
    settings.XINFANG_ATTACHMENT_MAX_MB = 1
    with pytest.raises(ValidationError, match=r"过大：1\.0 MB，上限为 1 MB") as error:
        attachment_store(upload("大.pdf", PDF + b"0" * (1024 * 1024)), user_id=bureau.pk)
    assert error.value.code == "too_large"
    exactly = attachment_store(upload("刚好.pdf", PDF + b"0" * (1024 * 1024 - len(PDF))), user_id=bureau.pk)
    assert exactly.size == 1024 * 1024

    class Lying(SimpleUploadedFile):  # declares a small size, holds a large file
        size = 10

    with pytest.raises(ValidationError, match="过大"):
        attachment_store(Lying("小.pdf", PDF + b"0" * (2 * 1024 * 1024)), user_id=bureau.pk)
    with pytest.raises(ValidationError, match="空文件"):
        attachment_store(upload("空.pdf", b""), user_id=bureau.pk)


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("..\\..\\windows\\证明.pdf", "证明.pdf"),
        ("/etc/passwd", "passwd.pdf"),
        ("报告\u202egnp.pdf", "报告gnp.pdf"),
        ("a\x00b\x07c\r\nd.pdf", "abc  d.pdf"),
        ('引号"与;分号<>.pdf', "引号_与_分号_.pdf"),
        ("", "附件.pdf"),
        ("...", "附件.pdf"),
        ("长" * 300 + ".pdf", "长" * 96 + ".pdf"),
    ],
)
def test_names_are_safe_to_show_and_to_send_back(raw, kept):
    name = attachment_name(raw, KINDS[0])
    assert name == kept and len(name) <= 100


def test_the_download_is_an_attachment_named_in_utf8_and_never_sniffed(bureau):
    stored = attachment_store(upload("周庄镇 办理情况（第1次）.pdf", PDF), user_id=bureau.pk)
    response = attachment_response(Attachment.objects.get(pk=stored.pk))
    assert response.content == PDF and response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith(f"attachment; filename=\"attachment-{stored.pk}.pdf\"; filename*=UTF-8''")
    assert unquote(disposition.split("''", 1)[1]) == "周庄镇 办理情况（第1次）.pdf"
    assert (
        response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
    )
