from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "xinfang.onboarding"
    verbose_name = "县域名录导入"
