from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "xinfang.meetings"
    verbose_name = "联席会议"

    def ready(self) -> None:
        # A decision shows on its matter's page and timeline without petitions importing this app.
        from xinfang.core.matter_extras import matter_extras_register
        from xinfang.meetings.extras import meeting_extras

        matter_extras_register("meetings", meeting_extras)
