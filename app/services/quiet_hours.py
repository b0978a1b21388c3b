"""Quiet hours: no text goes out on our initiative late at night or early in the morning."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo


def _window(config: Mapping[str, Any]) -> tuple[time, time]:
    start, end = str(config.get("QUIET_HOURS") or "20:00-09:00").split("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def quiet_until(now: datetime, config: Mapping[str, Any]) -> datetime | None:
    """When the quiet period ``now`` falls in ends (in UTC), or None outside quiet hours."""
    zone = ZoneInfo(str(config.get("TIMEZONE") or "Europe/London"))
    start, end = _window(config)
    if start == end:
        return None  # an empty window turns quiet hours off
    local = now.astimezone(zone)
    at = local.time()
    overnight = start > end
    inside = (at >= start or at < end) if overnight else (start <= at < end)
    if not inside:
        return None
    day = local.date() + timedelta(days=1) if overnight and at >= start else local.date()
    return datetime.combine(day, end, tzinfo=zone).astimezone(now.tzinfo)
