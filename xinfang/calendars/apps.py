from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "xinfang.calendars"
    verbose_name = "工作日历"
