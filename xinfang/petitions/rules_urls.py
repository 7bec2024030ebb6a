"""The county's registry rules and deadline profile (登记与时限规则), under /rules/."""

from django.urls import path

from xinfang.petitions import rules_views

app_name = "county_rules"
urlpatterns = [
    path("", rules_views.county_rules, name="page"),
    path("registry/", rules_views.rules_save, name="save"),
    path("profiles/", rules_views.profile_schedule, name="profile_add"),
    path("profiles/<int:assignment_id>/withdraw/", rules_views.profile_withdraw, name="profile_withdraw"),
]
