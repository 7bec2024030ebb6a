"""Pages for the public (no login): follow a matter by its query code, submit online, rate the handling."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from xinfang.core.ratelimit import allow
from xinfang.directory.models import County
from xinfang.directory.selectors import county_by_code_or_only
from xinfang.petitions.forms import OnlineSubmissionForm, QueryCodeForm, RatingForm
from xinfang.petitions.models import Matter
from xinfang.petitions.services.common import PetitionerInput, RegistryError
from xinfang.petitions.services.public import matter_submit_online
from xinfang.petitions.services.workflow import matter_rate

SUBMIT_LIMIT = (5, 3600)  # five submissions an hour from one address
QUERY_LIMIT = (30, 600)


def public_county(request: HttpRequest) -> County:
    """The county the public page serves: the one given by code, or the only one installed."""
    county = county_by_code_or_only(request.GET.get("county") or request.POST.get("county") or "")
    if county is None:
        raise Http404("请选择县(市、区)")
    return county


def _matter_by_code(code: str) -> Matter | None:
    return Matter.objects.select_related("county", "responsible_unit").filter(query_code=code).first()


@never_cache
def query(request: HttpRequest) -> HttpResponse:
    form = QueryCodeForm(request.GET or None)
    matter = None
    if form.is_bound:
        if not allow(request, "public-query", limit=QUERY_LIMIT[0], window_seconds=QUERY_LIMIT[1]):
            form.add_error(None, "查询过于频繁，请稍后再试")
        elif form.is_valid():
            matter = _matter_by_code(form.cleaned_data["code"])
            if matter is None:
                form.add_error("code", "没有找到该查询码对应的信访事项，请核对后重新输入")
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "petitions/public/query.html", {"form": form, "matter": matter}, status=status)


@never_cache
def submit(request: HttpRequest) -> HttpResponse:
    county = public_county(request)
    form = OnlineSubmissionForm(request.POST or None, county=county)
    if request.method == "POST":
        if not allow(request, "public-submit", limit=SUBMIT_LIMIT[0], window_seconds=SUBMIT_LIMIT[1]):
            form.add_error(None, "提交过于频繁，请稍后再试")
        elif form.is_valid():
            data = form.cleaned_data
            try:
                matter = matter_submit_online(
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
                return render(
                    request, "petitions/public/submitted.html", {"matter": matter, "county": county}
                )
    status = 422 if request.method == "POST" else 200
    return render(request, "petitions/public/submit.html", {"form": form, "county": county}, status=status)


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
