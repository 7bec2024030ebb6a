"""Chinese SMS length rules (issue 6), no ORM: a message in Chinese is sent as UCS-2, 70 characters in
one part, 67 per part when it needs several (the rest of each part carries the joining header); the
signature (【宝丰县信访局】) counts. A report longer than the allowed parts is split into several messages
at line boundaries, each with the signature."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

SINGLE_PART = 70
MULTI_PART = 67
DEFAULT_MAX_PARTS = 4


def sms_parts(body: str) -> int:
    """How many parts a complete message (signature included) is billed and sent as."""
    length = len(body)
    return 1 if length <= SINGLE_PART else math.ceil(length / MULTI_PART)


def split_messages(lines: Sequence[str], signature: str, max_parts: int = DEFAULT_MAX_PARTS) -> list[str]:
    """The lines as few messages as possible, each `signature` + lines joined by newlines and at most
    `max_parts` parts; a single line too long even alone is cut where the limit falls."""
    if max_parts < 1:
        raise ValueError("max_parts must be at least 1")
    room = (SINGLE_PART if max_parts == 1 else MULTI_PART * max_parts) - len(signature)
    if room < 1:
        raise ValueError("the signature leaves no room for text")
    pieces: list[str] = []
    for line in lines:
        pieces.extend(line[start : start + room] for start in range(0, max(len(line), 1), room))
    messages: list[str] = []
    current: list[str] = []
    for piece in pieces:
        candidate = "\n".join([*current, piece])
        if current and sms_parts(signature + candidate) > max_parts:
            messages.append(signature + "\n".join(current))
            current = [piece]
        else:
            current.append(piece)
    if current:
        messages.append(signature + "\n".join(current))
    return messages


def capped(items: Sequence[T], limit: int, render: Callable[[T], str]) -> list[str]:
    """A line for each of the first `limit` items, then how many more there are: an SMS is a summary,
    the platform's pages hold the list."""
    lines = [render(item) for item in items[:limit]]
    if len(items) > limit:
        lines.append(f"另有{len(items) - limit}条，请登录信访工作平台查看。")
    return lines
