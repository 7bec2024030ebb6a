"""SMS gateways, chosen by XINFANG_SMS_GATEWAY: console, file (the demo's), dummy (tests), http (a
generic JSON gateway), aliyun and tencent (the cloud platforms' HTTP APIs, signed as they document).

A gateway either returns the provider's id or raises: TransientSmsError (try again later),
PermanentSmsError (never resend) or UncertainSmsError (the request may have been accepted: ask the
provider with `query` before sending again). No third-party SDK: the intranet reaches the platforms
through a proxy or a private endpoint, set with the *_ENDPOINT settings."""

from __future__ import annotations

import base64
import datetime as dt
import enum
import hashlib
import hmac
import json
import socket
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from django.conf import settings

from xinfang.lib.masking import mask_phone


class SmsError(Exception):
    pass


class TransientSmsError(SmsError):
    pass


class PermanentSmsError(SmsError):
    pass


class UncertainSmsError(SmsError):
    pass


class Delivery(enum.Enum):
    NOT_FOUND = "not_found"  # the provider has no such message (yet)
    ACCEPTED = "accepted"  # accepted, no delivery receipt yet
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True)
class Outgoing:
    out_id: str  # ours, given to the provider (OutId, SessionContext) to find the message again
    mobile: str
    recipient_name: str
    template: str
    template_id: str  # the platform's id of the template, from XINFANG_SMS_TEMPLATE_IDS
    params: dict[str, str]
    param_order: tuple[str, ...]
    body: str  # signature + rendered text
    signature: str  # 【宝丰县信访局】
    created_at: dt.datetime
    provider_id: str = ""

    @property
    def sign_name(self) -> str:
        return self.signature.strip("【】[] ")


class Gateway:
    name: ClassVar[str] = ""
    can_query: ClassVar[bool] = False

    def send(self, sms: Outgoing) -> str:
        raise NotImplementedError

    def query(self, sms: Outgoing) -> Delivery:
        raise NotImplementedError


class ConsoleGateway(Gateway):
    name = "console"

    def send(self, sms: Outgoing) -> str:
        sys.stdout.write(f"[短信] {sms.recipient_name} {mask_phone(sms.mobile)}\n{sms.body}\n\n")
        return sms.out_id


class FileGateway(Gateway):
    """Each message as a text file under DATA_DIR/sms/<date>/: what a phone would show, and to whom
    (the number masked; the file is for reading, not for dialling)."""

    name = "file"

    def send(self, sms: Outgoing) -> str:
        folder = Path(settings.DATA_DIR) / "sms" / f"{sms.created_at.astimezone(_zone()):%Y-%m-%d}"
        folder.mkdir(parents=True, exist_ok=True)
        text = f"收件人：{sms.recipient_name} {mask_phone(sms.mobile)}\n模板：{sms.template}\n\n{sms.body}\n"
        (folder / f"{sms.out_id}.txt").write_text(text, encoding="utf-8")
        return sms.out_id


@dataclass
class DummyGateway(Gateway):
    """For tests: records what it sends; `script` lists what the next sends do (None: succeed, an
    exception: raise it) and `deliveries` what queries answer, keyed by out_id."""

    name: ClassVar[str] = "dummy"
    can_query: ClassVar[bool] = True
    sent: list[Outgoing] = field(default_factory=list)
    script: list[Exception | None] = field(default_factory=list)
    deliveries: dict[str, Delivery] = field(default_factory=dict)
    queries: list[str] = field(default_factory=list)

    def send(self, sms: Outgoing) -> str:
        outcome = self.script.pop(0) if self.script else None
        if outcome is not None:
            raise outcome
        self.sent.append(sms)
        self.deliveries.setdefault(sms.out_id, Delivery.ACCEPTED)
        return f"dummy-{sms.out_id}"

    def query(self, sms: Outgoing) -> Delivery:
        self.queries.append(sms.out_id)
        return self.deliveries.get(sms.out_id, Delivery.NOT_FOUND)


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _build(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None
) -> urllib.request.Request:
    """A request to an http(s) endpoint of the settings; any other scheme is a configuration error."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise PermanentSmsError(f"短信平台地址应以 http:// 或 https:// 开头：{url}")
    return urllib.request.Request(url, data=data, headers=headers or {}, method=method)  # noqa: S310


def _request(request: urllib.request.Request) -> tuple[int, Any]:
    """Send one HTTP request; returns (status, parsed JSON). A connection that never got through is
    transient; a timeout once the request was sent is uncertain."""
    try:
        with urllib.request.urlopen(request, timeout=settings.XINFANG_SMS_TIMEOUT_SECONDS) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except urllib.error.URLError as error:
        if isinstance(error.reason, (TimeoutError, socket.timeout)):
            raise TransientSmsError("连接短信平台超时") from error
        raise TransientSmsError(f"无法连接短信平台：{error.reason}") from error
    except TimeoutError as error:
        raise UncertainSmsError("短信平台响应超时，需查询是否已受理") from error
    except OSError as error:
        raise UncertainSmsError(f"与短信平台的连接中断：{error}") from error
    try:
        return status, json.loads(raw.decode("utf-8") or "null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        if status >= 500:
            raise TransientSmsError(f"短信平台错误 HTTP {status}") from None
        raise PermanentSmsError(f"短信平台返回了无法解析的内容（HTTP {status}）") from None


def _classify_http(status: int, detail: str) -> None:
    if status in (408, 429) or status >= 500:
        raise TransientSmsError(f"HTTP {status} {detail}".strip())
    if status >= 400:
        raise PermanentSmsError(f"HTTP {status} {detail}".strip())


class HttpJsonGateway(Gateway):
    """POST {"id", "to", "template", "template_id", "params", "body", "signature"} to
    XINFANG_SMS_HTTP_URL (bearer token XINFANG_SMS_HTTP_TOKEN); a 2xx answer may carry {"id"}. With
    XINFANG_SMS_HTTP_STATUS_URL, GET …?id=<our id> answers {"status": "accepted|delivered|failed"}
    or 404."""

    name = "http"

    @property
    def can_query(self) -> bool:  # type: ignore[override]
        return bool(settings.XINFANG_SMS_HTTP_STATUS_URL)

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        if settings.XINFANG_SMS_HTTP_TOKEN:
            headers["Authorization"] = f"Bearer {settings.XINFANG_SMS_HTTP_TOKEN}"
        return headers

    def send(self, sms: Outgoing) -> str:
        payload = {
            "id": sms.out_id, "to": sms.mobile, "template": sms.template, "template_id": sms.template_id,
            "params": sms.params, "body": sms.body, "signature": sms.signature,
        }  # fmt: skip
        request = _build(
            settings.XINFANG_SMS_HTTP_URL, data=json.dumps(payload, ensure_ascii=False).encode(),
            headers=self._headers(), method="POST",
        )  # fmt: skip
        status, answer = _request(request)
        detail = answer.get("error", "") if isinstance(answer, dict) else ""
        _classify_http(status, str(detail))
        return str(answer.get("id") or sms.out_id) if isinstance(answer, dict) else sms.out_id

    def query(self, sms: Outgoing) -> Delivery:
        url = f"{settings.XINFANG_SMS_HTTP_STATUS_URL}?{urllib.parse.urlencode({'id': sms.out_id})}"
        status, answer = _request(_build(url, headers=self._headers()))
        if status == 404:
            return Delivery.NOT_FOUND
        _classify_http(status, "")
        state = answer.get("status", "") if isinstance(answer, dict) else ""
        return {"accepted": Delivery.ACCEPTED, "sent": Delivery.ACCEPTED, "delivered": Delivery.DELIVERED,
                "failed": Delivery.FAILED}.get(state, Delivery.NOT_FOUND)  # fmt: skip


def _percent(text: str) -> str:
    return urllib.parse.quote(text, safe="-_.~")


class AliyunGateway(Gateway):
    """Alibaba Cloud SMS (dysmsapi 2017-05-25), RPC style with signature version 1.0 (HMAC-SHA1)."""

    name = "aliyun"
    can_query = True
    # Codes worth another try later; every other error code is permanent.
    TRANSIENT: ClassVar[frozenset[str]] = frozenset(
        {"isv.BUSINESS_LIMIT_CONTROL", "Throttling", "Throttling.User", "Throttling.Api", "isp.SYSTEM_ERROR",
         "ServiceUnavailable", "InternalError", "isv.AMOUNT_NOT_ENOUGH", "isv.OUT_OF_SERVICE"}
    )  # fmt: skip

    def _call(self, action: str, params: dict[str, str]) -> dict[str, Any]:
        common = {
            "AccessKeyId": settings.XINFANG_SMS_ALIYUN_ACCESS_KEY_ID,
            "Action": action,
            "Format": "JSON",
            "RegionId": settings.XINFANG_SMS_ALIYUN_REGION,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        query = {**common, **params}
        canonical = "&".join(f"{_percent(key)}={_percent(query[key])}" for key in sorted(query))
        to_sign = f"POST&{_percent('/')}&{_percent(canonical)}"
        secret = f"{settings.XINFANG_SMS_ALIYUN_ACCESS_KEY_SECRET}&".encode()
        query["Signature"] = base64.b64encode(
            hmac.new(secret, to_sign.encode(), hashlib.sha1).digest()
        ).decode()
        request = _build(
            settings.XINFANG_SMS_ALIYUN_ENDPOINT, data=urllib.parse.urlencode(query).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"}, method="POST",
        )  # fmt: skip
        status, answer = _request(request)
        answer = answer if isinstance(answer, dict) else {}
        code = str(answer.get("Code", ""))
        if code == "OK":
            return answer
        message = f"{code} {answer.get('Message', '')}".strip() or f"HTTP {status}"
        if code in self.TRANSIENT or (not code and status >= 500):
            raise TransientSmsError(f"阿里云短信：{message}")
        raise PermanentSmsError(f"阿里云短信：{message}")

    def send(self, sms: Outgoing) -> str:
        answer = self._call(
            "SendSms",
            {
                "PhoneNumbers": sms.mobile,
                "SignName": sms.sign_name,
                "TemplateCode": sms.template_id,
                "TemplateParam": json.dumps(sms.params, ensure_ascii=False),
                "OutId": sms.out_id,
            },
        )
        return str(answer.get("BizId", ""))

    def query(self, sms: Outgoing) -> Delivery:
        params = {
            "PhoneNumber": sms.mobile,
            "SendDate": f"{sms.created_at.astimezone(_zone()):%Y%m%d}",
            "PageSize": "50",
            "CurrentPage": "1",
        }
        if sms.provider_id:
            params["BizId"] = sms.provider_id
        answer = self._call("QuerySendDetails", params)
        details = (answer.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []
        for detail in details:
            if detail.get("OutId") == sms.out_id or (
                sms.provider_id and detail.get("BizId") == sms.provider_id
            ):
                return {1: Delivery.ACCEPTED, 2: Delivery.FAILED, 3: Delivery.DELIVERED}.get(
                    int(detail.get("SendStatus", 1)), Delivery.ACCEPTED
                )
        return Delivery.NOT_FOUND


class TencentGateway(Gateway):
    """Tencent Cloud SMS (API 3.0, version 2021-01-11), signed with TC3-HMAC-SHA256."""

    name = "tencent"
    can_query = True
    TRANSIENT_PREFIXES: ClassVar[tuple[str, ...]] = (
        "InternalError", "RequestLimitExceeded", "LimitExceeded.DeliveryFrequencyLimit",
        "FailedOperation.InsufficientBalanceInSmsPackage", "ResourceUnavailable",
    )  # fmt: skip

    def _classify(self, code: str, message: str) -> None:
        text = f"腾讯云短信：{code} {message}".strip()
        if code.startswith(self.TRANSIENT_PREFIXES):
            raise TransientSmsError(text)
        raise PermanentSmsError(text)

    def _call(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        endpoint = settings.XINFANG_SMS_TENCENT_ENDPOINT
        host = urllib.parse.urlsplit(endpoint).netloc
        body = json.dumps(payload, ensure_ascii=False)
        timestamp = int(dt.datetime.now(dt.UTC).timestamp())
        day = dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d")
        content_type = "application/json; charset=utf-8"
        canonical = "\n".join([
            "POST", "/", "", f"content-type:{content_type}\nhost:{host}\n", "content-type;host",
            hashlib.sha256(body.encode()).hexdigest(),
        ])  # fmt: skip
        scope = f"{day}/sms/tc3_request"
        to_sign = "\n".join(
            ["TC3-HMAC-SHA256", str(timestamp), scope, hashlib.sha256(canonical.encode()).hexdigest()]
        )

        def sign(key: bytes, text: str) -> bytes:
            return hmac.new(key, text.encode(), hashlib.sha256).digest()

        key = sign(
            sign(sign(f"TC3{settings.XINFANG_SMS_TENCENT_SECRET_KEY}".encode(), day), "sms"), "tc3_request"
        )
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        headers = {
            "Authorization": (
                f"TC3-HMAC-SHA256 Credential={settings.XINFANG_SMS_TENCENT_SECRET_ID}/{scope}, "
                f"SignedHeaders=content-type;host, Signature={signature}"
            ),
            "Content-Type": content_type,
            "Host": host,
            "X-TC-Action": action,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Version": "2021-01-11",
            "X-TC-Region": settings.XINFANG_SMS_TENCENT_REGION,
        }
        status, answer = _request(_build(endpoint, data=body.encode(), headers=headers))
        response = answer.get("Response", {}) if isinstance(answer, dict) else {}
        if "Error" in response:
            self._classify(str(response["Error"].get("Code", "")), str(response["Error"].get("Message", "")))
        if status >= 400 or not response:
            _classify_http(status, "腾讯云短信") if status >= 400 else self._classify(
                "InternalError", "空响应"
            )
        return dict(response)

    def send(self, sms: Outgoing) -> str:
        response = self._call(
            "SendSms",
            {
                "PhoneNumberSet": [f"+86{sms.mobile}"],
                "SmsSdkAppId": settings.XINFANG_SMS_TENCENT_APP_ID,
                "SignName": sms.sign_name,
                "TemplateId": sms.template_id,
                "TemplateParamSet": [sms.params[name] for name in sms.param_order],
                "SessionContext": sms.out_id,
            },
        )
        statuses = response.get("SendStatusSet") or [{}]
        first = statuses[0]
        if first.get("Code") != "Ok":
            self._classify(str(first.get("Code", "")), str(first.get("Message", "")))
        return str(first.get("SerialNo", ""))

    def query(self, sms: Outgoing) -> Delivery:
        begin = int(sms.created_at.timestamp()) - 60
        response = self._call(
            "PullSmsSendStatusByPhoneNumber",
            {
                "BeginTime": begin,
                "EndTime": int(dt.datetime.now(dt.UTC).timestamp()),
                "Offset": 0,
                "Limit": 100,
                "PhoneNumber": f"+86{sms.mobile}",
                "SmsSdkAppId": settings.XINFANG_SMS_TENCENT_APP_ID,
            },
        )
        for report in response.get("PullSmsSendStatusSet") or []:
            if report.get("SessionContext") == sms.out_id or (
                sms.provider_id and report.get("SerialNo") == sms.provider_id
            ):
                return Delivery.DELIVERED if report.get("ReportStatus") == "SUCCESS" else Delivery.FAILED
        return Delivery.NOT_FOUND


GATEWAYS: dict[str, type[Gateway]] = {
    gateway.name: gateway
    for gateway in (ConsoleGateway, FileGateway, DummyGateway, HttpJsonGateway, AliyunGateway, TencentGateway)
}
_dummy = DummyGateway()


def sms_gateway() -> Gateway:
    """The configured gateway; the dummy is one shared instance so tests can read what it sent."""
    name = settings.XINFANG_SMS_GATEWAY
    if name == "dummy":
        return _dummy
    return GATEWAYS[name]()


def dummy_gateway() -> DummyGateway:
    return _dummy
