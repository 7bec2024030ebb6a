"""An import's progress, written to a small file the page polls (no database write per step)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.conf import settings


class ProgressFile:
    """Progress of a running check or import, in a small file the page reads: the import's own
    transaction cannot show it in the database until it commits."""

    def __init__(self, ledger_import_id: int) -> None:
        self.path = progress_path(ledger_import_id)
        self.last = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.3 and done < total:
            return
        self.last = now
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"phase": phase, "done": done, "total": total}), encoding="utf-8")
        temporary.replace(self.path)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def progress_path(ledger_import_id: int) -> Path:
    return Path(settings.DATA_DIR) / "ledger" / f"{ledger_import_id}.progress"


# Progress not written for this long is shown as stale: the worker may have stopped.
STALE_SECONDS = 120


def ledger_progress(ledger_import_id: int) -> dict[str, Any] | None:
    try:
        data = json.loads(progress_path(ledger_import_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def ledger_progress_stale_minutes(ledger_import_id: int) -> int:
    """How many minutes the progress has not moved, once that is STALE_SECONDS or more; else 0."""
    try:
        idle = time.time() - progress_path(ledger_import_id).stat().st_mtime
    except OSError:
        return 0
    return int(idle // 60) if idle >= STALE_SECONDS else 0
