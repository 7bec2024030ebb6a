from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "xinfang.ledger"
    verbose_name = "台账导入"
