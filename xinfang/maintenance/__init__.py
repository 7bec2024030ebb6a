"""The maintenance pages (/manage/): Django's admin opened by role, every change audited. Each app
registers its own rows in its `admin.py`."""
