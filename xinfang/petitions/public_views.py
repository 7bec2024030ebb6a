"""Pages for the public (no login): follow a matter by its query code, submit online, rate the handling."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from xinfang.core.captcha import CaptchaForm
from xinfang.core.ratelimit import allow, allow_all
from xinfang.directory.models import County
from xinfang.directory.selectors import county_by_code_or_only
from xinfang.petitions.forms import OnlineSubmissionForm, QueryCodeForm, RatingForm
from xinfang.petitions.models import Matter, OnlineSubmission
from xinfang.petitions.services.common import PetitionerInput, RegistryError
from xinfang.petitions.services.public import online_submit
from xinfang.petitions.services.workflow import matter_rate

QUERY_LIMIT = (30, 600)
HOUR = 3600
BUSY = "当前网上提交的人数较多，请一小时后再试，或前往信访接待场所、拨打信访电话反映。"


def public_county(request: HttpRequest) -> County:
    """The county the public page serves: the one given by code, or the only one installed."""
    county = county_by_code_or_only(request.GET.get("county") or request.POST.get("county") or "")
    if county is None:
        raise Http404("请选择县(市、区)")
    return county


def _matter_by_code(code: str) -> Matter | None:
    return Matter.objects.select_related("county", "responsible_unit").filter(query_code=code).first()


def _submission_by_code(code: str) -> OnlineSubmission | None:
    """An online submission not (yet) registered as a matter: pending or rejected."""
    return OnlineSubmission.objects.filter(query_code=code, matter__isnull=True).first()


@never_cache
def query(request: HttpRequest) -> HttpResponse:
    form = QueryCodeForm(request.GET or None)
    matter = submission = None
    if form.is_bound:
        if not allow(request, "public-query", limit=QUERY_LIMIT[0], window_seconds=QUERY_LIMIT[1]):
            form.add_error(None, "查询过于频繁，请稍后再试")
        elif form.is_valid():
            code = form.cleaned_data["code"]
            matter = _matter_by_code(code)
            submission = None if matter else _submission_by_code(code)
            if matter is None and submission is None:
                form.add_error("code", "没有找到该查询码对应的信访事项，请核对后重新输入")
    status = 422 if form.is_bound and form.errors else 200
    context = {"form": form, "matter": matter, "submission": submission}
    return render(request, "petitions/public/query.html", context, status=status)


@never_cache
def submit(request: HttpRequest) -> HttpResponse:
    """The online petition form: limited per address and overall, with a CAPTCHA; what passes is kept for
    the bureau to screen (待审核) and answered with its query code."""
    county = public_county(request)
    form = OnlineSubmissionForm(request.POST or None, county=county)
    if request.method == "POST":
        if not allow(
            request, "public-submit", limit=settings.XINFANG_PUBLIC_SUBMIT_RATE, window_seconds=HOUR
        ):
            form.add_error(None, "提交过于频繁，请稍后再试")
        elif form.is_valid():
            if not allow_all(
                f"public-submit:{county.code}", limit=settings.XINFANG_PUBLIC_SUBMIT_CAP, window_seconds=HOUR
            ):
                form.add_error(
                    None, "当前网上提交的人数较多，请一小时后再试，或前往信访接待场所、拨打信访电话反映。"
                )
            else:
                data = form.cleaned_data
                try:
                    submission = online_submit(
                        county=county,
                        township=data["township"],
                        village=data.get("village", ""),
                        petitioner=PetitionerInput(
                            data["name"], data["id_number"], data["phone"], data["address"]
                        ),
                        content=data["content"],
                        appeal=data.get("appeal", ""),
                    )
                except RegistryError as error:
                    form.add_error(None, str(error))
                else:
                    context = {"submission": submission, "county": county}
                    return render(request, "petitions/public/submitted.html", context)
    status = 422 if request.method == "POST" else 200
    return render(request, "petitions/public/submit.html", {"form": form, "county": county}, status=status)


@never_cache
def captcha(request: HttpRequest) -> HttpResponse:
    """A new CAPTCHA picture for the form (看不清，换一张)."""
    return render(request, "components/captcha.html", {"form": CaptchaForm()})


@never_cache
def rate(request: HttpRequest, code: str) -> HttpResponse:
    if not allow(request, "public-query", limit=QUERY_LIMIT[0], window_seconds=QUERY_LIMIT[1]):
        raise PermissionDenied("查询过于频繁，请稍后再试")
    matter = _matter_by_code(code.strip().upper())
    if matter is None:
        raise Http404("没有找到该查询码对应的信访事项")
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            matter_rate(matter=matter, **form.cleaned_data)
        except RegistryError as error:
            form.add_error(None, str(error))
        else:
            return redirect(f"/public/query/?code={matter.query_code}")
    status = 422 if request.method == "POST" else 200
    return render(request, "petitions/public/rate.html", {"form": form, "matter": matter}, status=status)
