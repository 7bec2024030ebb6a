"""The HTTP gateways against a local fake server with the platforms' request and response shapes:
the generic JSON gateway, Alibaba Cloud (RPC, signature 1.0) and Tencent Cloud (API 3.0, TC3)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from xinfang.notifications.gateways import (
    AliyunGateway,
    Delivery,
    HttpJsonGateway,
    Outgoing,
    PermanentSmsError,
    TencentGateway,
    TransientSmsError,
    UncertainSmsError,
)

Reply = tuple[int, Any]


class FakePlatform:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.reply: Callable[[dict[str, Any]], Reply] = lambda request: (200, {})
        self.delay = 0.0


@pytest.fixture
def platform() -> Iterator[tuple[FakePlatform, str]]:
    fake = FakePlatform()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            headers = {key.lower(): value for key, value in self.headers.items()}
            request = {"method": self.command, "path": self.path, "headers": headers, "body": body}
            fake.requests.append(request)
            time.sleep(fake.delay)
            status, answer = fake.reply(request)
            data = json.dumps(answer, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield fake, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def sms(**overrides: Any) -> Outgoing:
    fields: dict[str, Any] = {
        "out_id": "xf42",
        "mobile": "13900001001",
        "recipient_name": "郑志远",
        "template": "daily_report",
        "template_id": "SMS_123",
        "params": {"content": "11月27日全县无新增信访。"},
        "param_order": ("content",),
        "body": "【宝丰县信访局】11月27日全县无新增信访。",
        "signature": "【宝丰县信访局】",
        "created_at": dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC),
    }
    return Outgoing(**{**fields, **overrides})


# --- generic JSON ------------------------------------------------------------------------------------


def test_http_gateway_posts_json_and_reads_the_id(platform, settings):
    fake, url = platform
    settings.XINFANG_SMS_HTTP_URL, settings.XINFANG_SMS_HTTP_TOKEN = url + "send", "t0ken"
    fake.reply = lambda request: (200, {"id": "p-1"})
    assert HttpJsonGateway().send(sms()) == "p-1"
    [request] = fake.requests
    payload = json.loads(request["body"])
    assert payload["to"] == "13900001001" and payload["template_id"] == "SMS_123" and payload["id"] == "xf42"
    assert request["headers"]["authorization"] == "Bearer t0ken"


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, TransientSmsError),
        (503, TransientSmsError),
        (429, TransientSmsError),
        (400, PermanentSmsError),
        (401, PermanentSmsError),
    ],
)
def test_http_gateway_classifies_errors(platform, settings, status, error):
    fake, url = platform
    settings.XINFANG_SMS_HTTP_URL = url
    fake.reply = lambda request: (status, {"error": "x"})
    with pytest.raises(error):
        HttpJsonGateway().send(sms())


def test_a_timeout_after_sending_is_uncertain_and_a_refused_connection_transient(platform, settings):
    fake, url = platform
    settings.XINFANG_SMS_HTTP_URL, settings.XINFANG_SMS_TIMEOUT_SECONDS = url, 0.3
    fake.delay = 1.0
    with pytest.raises(UncertainSmsError):
        HttpJsonGateway().send(sms())
    settings.XINFANG_SMS_HTTP_URL = "http://127.0.0.1:9/"  # nothing listens there
    with pytest.raises(TransientSmsError):
        HttpJsonGateway().send(sms())


def test_http_gateway_status_query(platform, settings):
    fake, url = platform
    settings.XINFANG_SMS_HTTP_STATUS_URL = url + "status"
    fake.reply = lambda request: (200, {"status": "delivered"}) if "xf42" in request["path"] else (404, {})
    assert HttpJsonGateway().can_query
    assert HttpJsonGateway().query(sms()) == Delivery.DELIVERED
    assert HttpJsonGateway().query(sms(out_id="xf43")) == Delivery.NOT_FOUND


# --- Alibaba Cloud ----------------------------------------------------------------------------------


def aliyun_signature_ok(params: dict[str, str], secret: str) -> bool:
    def percent(text: str) -> str:
        return urllib.parse.quote(text, safe="-_.~")

    signature = params.pop("Signature")
    canonical = "&".join(f"{percent(key)}={percent(params[key])}" for key in sorted(params))
    expected = hmac.new(
        f"{secret}&".encode(), f"POST&%2F&{percent(canonical)}".encode(), hashlib.sha1
    ).digest()
    return base64.b64encode(expected).decode() == signature


@pytest.fixture
def aliyun(platform, settings):
    fake, url = platform
    settings.XINFANG_SMS_ALIYUN_ENDPOINT = url
    settings.XINFANG_SMS_ALIYUN_ACCESS_KEY_ID, settings.XINFANG_SMS_ALIYUN_ACCESS_KEY_SECRET = (
        "AKID",
        "secret",
    )
    return fake


def form(request: dict[str, Any]) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(request["body"]))


def test_aliyun_send_is_signed_and_shaped_as_documented(aliyun):
    aliyun.reply = lambda request: (200, {"Code": "OK", "Message": "OK", "BizId": "9006^0", "RequestId": "r"})
    assert AliyunGateway().send(sms()) == "9006^0"
    params = form(aliyun.requests[0])
    assert params["Action"] == "SendSms" and params["Version"] == "2017-05-25"
    assert params["PhoneNumbers"] == "13900001001" and params["SignName"] == "宝丰县信访局"
    assert params["TemplateCode"] == "SMS_123" and params["OutId"] == "xf42"
    assert json.loads(params["TemplateParam"]) == {"content": "11月27日全县无新增信访。"}
    assert aliyun_signature_ok(params, "secret")


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("isv.BUSINESS_LIMIT_CONTROL", TransientSmsError),
        ("isp.SYSTEM_ERROR", TransientSmsError),
        ("isv.MOBILE_NUMBER_ILLEGAL", PermanentSmsError),
        ("SignatureDoesNotMatch", PermanentSmsError),
    ],
)
def test_aliyun_error_codes(aliyun, code, error):
    aliyun.reply = lambda request: (200 if code.startswith("isv") else 400, {"Code": code, "Message": "m"})
    with pytest.raises(error, match=code):
        AliyunGateway().send(sms())


def test_aliyun_query_finds_the_message_by_out_id(aliyun):
    details = [
        {"OutId": "xf41", "SendStatus": 3},
        {"OutId": "xf42", "SendStatus": 3, "PhoneNum": "13900001001"},
    ]
    aliyun.reply = lambda request: (
        200,
        {"Code": "OK", "SmsSendDetailDTOs": {"SmsSendDetailDTO": details}, "TotalCount": 2},
    )
    assert AliyunGateway().query(sms()) == Delivery.DELIVERED
    params = form(aliyun.requests[0])
    assert params["Action"] == "QuerySendDetails" and params["SendDate"] == "20261127"
    details[1]["SendStatus"] = 1
    assert AliyunGateway().query(sms()) == Delivery.ACCEPTED
    assert AliyunGateway().query(sms(out_id="xf99")) == Delivery.NOT_FOUND


# --- Tencent Cloud ----------------------------------------------------------------------------------


@pytest.fixture
def tencent(platform, settings):
    fake, url = platform
    settings.XINFANG_SMS_TENCENT_ENDPOINT = url
    settings.XINFANG_SMS_TENCENT_SECRET_ID, settings.XINFANG_SMS_TENCENT_SECRET_KEY = "SID", "skey"
    settings.XINFANG_SMS_TENCENT_APP_ID = "1400000000"
    return fake


def tencent_signature_ok(request: dict[str, Any], secret: str) -> bool:
    headers = request["headers"]
    timestamp = int(headers["x-tc-timestamp"])
    day = dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d")
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{headers['content-type']}\nhost:{headers['host']}\n",
            "content-type;host",
            hashlib.sha256(request["body"].encode()).hexdigest(),
        ]
    )
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{day}/sms/tc3_request\n{digest}"

    def sign(key: bytes, text: str) -> bytes:
        return hmac.new(key, text.encode(), hashlib.sha256).digest()

    key = sign(sign(sign(f"TC3{secret}".encode(), day), "sms"), "tc3_request")
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        headers["authorization"].endswith(f"Signature={expected}")
        and "Credential=SID/" in headers["authorization"]
    )


def test_tencent_send_is_signed_and_shaped_as_documented(tencent):
    tencent.reply = lambda request: (
        200,
        {
            "Response": {
                "SendStatusSet": [
                    {
                        "SerialNo": "5000:1",
                        "PhoneNumber": "+8613900001001",
                        "Fee": 1,
                        "SessionContext": "xf42",
                        "Code": "Ok",
                        "Message": "send success",
                        "IsoCode": "CN",
                    }
                ],
                "RequestId": "r",
            }
        },
    )
    assert TencentGateway().send(sms()) == "5000:1"
    [request] = tencent.requests
    payload = json.loads(request["body"])
    assert payload["PhoneNumberSet"] == ["+8613900001001"] and payload["SmsSdkAppId"] == "1400000000"
    assert payload["TemplateParamSet"] == ["11月27日全县无新增信访。"] and payload["SessionContext"] == "xf42"
    assert (
        request["headers"]["x-tc-action"] == "SendSms" and request["headers"]["x-tc-version"] == "2021-01-11"
    )
    assert tencent_signature_ok(request, "skey")


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ({"Error": {"Code": "InternalError.Timeout", "Message": "m"}}, TransientSmsError),
        ({"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "m"}}, PermanentSmsError),
        (
            {"SendStatusSet": [{"Code": "InvalidParameterValue.IncorrectPhoneNumber", "Message": "m"}]},
            PermanentSmsError,
        ),
        (
            {"SendStatusSet": [{"Code": "LimitExceeded.DeliveryFrequencyLimit", "Message": "m"}]},
            TransientSmsError,
        ),
    ],
)
def test_tencent_error_codes(tencent, answer, error):
    tencent.reply = lambda request: (200, {"Response": {**answer, "RequestId": "r"}})
    with pytest.raises(error):
        TencentGateway().send(sms())


def test_tencent_query_reads_the_receipts_by_phone(tencent):
    receipts = [
        {
            "SessionContext": "xf42",
            "SerialNo": "5000:1",
            "ReportStatus": "SUCCESS",
            "PhoneNumber": "+8613900001001",
        }
    ]
    tencent.reply = lambda request: (200, {"Response": {"PullSmsSendStatusSet": receipts, "RequestId": "r"}})
    assert TencentGateway().query(sms()) == Delivery.DELIVERED
    payload = json.loads(tencent.requests[0]["body"])
    assert payload["PhoneNumber"] == "+8613900001001" and tencent.requests[0]["headers"]["x-tc-action"] == (
        "PullSmsSendStatusByPhoneNumber"
    )
    assert TencentGateway().query(sms(out_id="xf43")) == Delivery.NOT_FOUND
