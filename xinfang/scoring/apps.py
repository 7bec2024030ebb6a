from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "xinfang.scoring"
    verbose_name = "比拼考核"
