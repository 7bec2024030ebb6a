"""What every benchmark does first: point the app at its data directory and database, then set Django
up. `--database-url` empty means the SQLite file in the data directory."""

from __future__ import annotations

import os
from pathlib import Path


def django_setup(*, data_dir: str, database_url: str, **environment: str) -> None:
    os.environ["XINFANG_DATA_DIR"] = str(Path(data_dir).resolve())
    os.environ["DJANGO_SETTINGS_MODULE"] = "xinfang.settings"
    os.environ.update(environment)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
