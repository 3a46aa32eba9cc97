"""The wall-clock time of a council meeting: its zone (Asia/Ho_Chi_Minh), now there, and a
meeting time as the unambiguous UTC instant."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

MEETING_TZ = "Asia/Ho_Chi_Minh"


def zone(name: str | None) -> dt.tzinfo:
    """The meeting's time zone. Vietnam has kept UTC+7 without daylight saving since 1975, so
    a fixed offset stands in where the zone database is missing (Windows without tzdata)."""
    name = name or MEETING_TZ
    try:
        return ZoneInfo(name)
    except Exception:  # noqa: BLE001 - no tz database: only the Vietnamese zone is known
        return dt.timezone(dt.timedelta(hours=7), "ICT")


def local_now(tz_name: str | None = None) -> dt.datetime:
    """Now, as the wall-clock time of the meeting's zone (naive, to the minute)."""
    return dt.datetime.now(dt.UTC).astimezone(zone(tz_name)).replace(tzinfo=None, second=0, microsecond=0)


def as_utc(local: dt.datetime | None, tz_name: str | None = None) -> dt.datetime | None:
    """A meeting time (naive local) as an aware UTC datetime: the unambiguous instant."""
    if local is None:
        return None
    return local.replace(tzinfo=zone(tz_name)).astimezone(dt.UTC)
