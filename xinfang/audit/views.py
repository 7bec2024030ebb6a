from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from xinfang.audit.forms import AuditSearchForm
from xinfang.audit.selectors import AuditFilter, audit_actions, audit_records_search
from xinfang.core.decorators import MemberRequest, role_required
from xinfang.core.roles import Role


@role_required([Role.AUDITOR])
def audit_log(request: MemberRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    filters = AuditFilter(**form.cleaned_data) if form.is_bound and valid else AuditFilter()
    records = audit_records_search(county_id=request.user.county_id, filters=filters)
    if not valid:
        records = records.none()  # a search that cannot be read shows nothing rather than everything
    page = Paginator(records.select_related("county"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "actions": audit_actions(),
        "query": query.urlencode(),
        "nav_key": "audit",
    }
    return render(request, "audit/log.html", context, status=200 if valid else 422)
