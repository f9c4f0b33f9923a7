"""Datetimes as Appwrite reads, stores and writes them: PHP's `new \\DateTime($value)` under utopia-php/database's
Datetime validator on the way in, UTC text with milliseconds in storage, `Y-m-d\\TH:i:s.vP` on the way out.

The accepted forms are the absolute dates and times of PHP's parser (timelib) that clients write: ISO 8601 with
`T`, `t` or spaces, with or without seconds and fractions, `Z`, numeric offsets (`+02:00`, `+0200`, `+02`,
`GMT+2`), zone abbreviations (`UTC`, `CEST`, `EST`, …), IANA names (`America/New_York`); `m/d/Y`, `Y/m/d`,
`d.m.Y`, `d-m-Y`; month names (`12 June 1975`, `Jun 12, 1975`); a leading weekday; `am`/`pm`. Out-of-range days
and hours roll over as in PHP (`2021-02-30` is 2 March). Relative phrases (`next monday`, `+1 day`) are refused
(see the README's differences).
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


class InvalidDatetime(ValueError):
    """The value is not a date utopia's Datetime validator lets through."""


# utopia-php/database Adapter/MariaDB.php getMinDateTime/getMaxDateTime: the range of row values and of
# their query values. Appwrite's own collections (users, teams, memberships) are validated with the
# validator's defaults, 0000-01-01 … 9999-12-31 (Validator/Query/Filter.php); Python's floor is year 1.
ROW_MIN_YEAR = 1000
SYSTEM_MIN_YEAR = 1
MAX = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)

# Zone abbreviations of timelib's table (timezonemap.h) that clients write, as the fixed offsets PHP gives
# them (an abbreviation is never a DST rule: `EST` is -05:00 in July too).
ABBREVIATIONS = {
    "utc": 0, "gmt": 0, "ut": 0, "z": 0, "wet": 0, "west": 60, "bst": 60, "cet": 60, "cest": 120, "met": 60,
    "mest": 120, "eet": 120, "eest": 180, "msk": 180, "ist": 330, "jst": 540, "kst": 540, "hkt": 480,
    "awst": 480, "acst": 570, "aest": 600, "aedt": 660, "nzst": 720, "nzdt": 780, "est": -300, "edt": -240,
    "cst": -360, "cdt": -300, "mst": -420, "mdt": -360, "pst": -480, "pdt": -420, "akst": -540, "akdt": -480,
    "hst": -600, "ast": -240, "adt": -180, "nst": -210, "ndt": -150,
}
MONTHS = {name: i + 1 for i, names in enumerate((
    "january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul", "august aug",
    "september sep sept", "october oct", "november nov", "december dec")) for name in names.split()}
WEEKDAYS = {name: i for i, names in enumerate((
    "monday mon", "tuesday tue tues", "wednesday wed", "thursday thu thur thurs", "friday fri",
    "saturday sat", "sunday sun")) for name in names.split()}

_MONTH = "(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?P<wd>" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")\.?,?\s+)?"
_DATES = [
    r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})",          # ISO 8601 / gnudateshorter
    r"(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})",          # Y/m/d
    r"(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})",          # American m/d/Y
    r"(?P<d>\d{1,2})[.\-](?P<m>\d{1,2})[.\-](?P<y>\d{4})",  # d.m.Y, d-m-Y
    r"(?P<d>\d{1,2})(?:st|nd|rd|th)?[ \-.]*" + _MONTH + r"[ \-.,]*(?P<y>\d{4})",
    _MONTH + r"[ \-.]*(?P<d>\d{1,2})(?:st|nd|rd|th)?[ ,.\-]*(?P<y>\d{4})",
]
_TIME = (r"(?:(?:[Tt]|\s+|[Tt]\s*)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d+))?)?"
         r"(?:\s*(?P<ampm>[aApP])\.?[mM]\.?(?![A-Za-z]))?)?")
_ZONE = (r"(?:\s*(?:(?P<z>[zZ])|(?:GMT|UTC)?(?P<sign>[+-])(?P<oh>\d{1,2})(?::?(?P<om>\d{2}))?"
         r"|(?P<tzname>[A-Za-z]+(?:[/_\-+][A-Za-z0-9_+\-]+)+)|(?P<abbr>[A-Za-z]{1,6})))?")
_FORMS = [re.compile(r"\s*" + _WEEKDAY + date + _TIME + _ZONE + r"\s*", re.IGNORECASE) for date in _DATES]
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


@cache
def _zone_names() -> dict[str, str]:
    """IANA names by their lower-cased spelling: PHP looks zone names up case-insensitively."""
    return {name.lower(): name for name in available_timezones()}


def _zone(name: str) -> ZoneInfo:
    real = _zone_names().get(name.lower())
    if real is None:
        raise InvalidDatetime(f"unknown time zone {name!r}")
    try:
        return ZoneInfo(real)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise InvalidDatetime(f"unknown time zone {name!r}") from e


def _naive(m: re.Match[str]) -> datetime:
    """The wall-clock time the fields spell, rolled over like PHP's (day 31 of a 30-day month, hour 24)."""
    year, month = int(m["y"]), int(MONTHS[m["mon"].lower()] if m.groupdict().get("mon") else m["m"])
    day = int(m["d"])
    hour = int(m["H"] or 0)
    minute, second = int(m["M"] or 0), int(m["S"] or 0)
    if not 1 <= month <= 12 or day > 31 or hour > 24 or minute > 59 or second > 60:
        raise InvalidDatetime("field out of range")
    if m["ampm"]:
        if not 1 <= hour <= 12:
            raise InvalidDatetime("hour out of range for am/pm")
        hour = hour % 12 + (12 if m["ampm"].lower() == "p" else 0)
    micro = int((m["f"] or "0")[:6].ljust(6, "0"))
    try:
        moment = datetime(year, month, 1) + timedelta(days=day - 1, hours=hour, minutes=minute, seconds=second,
                                                      microseconds=micro)
    except (ValueError, OverflowError) as e:
        raise InvalidDatetime("out of range") from e
    if m["wd"]:  # a weekday name moves forward to that day (timelib's weekday behaviour 1), at midnight if no time
        ahead = (WEEKDAYS[m["wd"].lower()] - moment.weekday()) % 7
        moment += timedelta(days=ahead)
    return moment


def _aware(m: re.Match[str], naive: datetime) -> datetime:
    if m["sign"]:
        minutes = int(m["oh"]) * 60 + int(m["om"] or 0)
        if int(m["oh"]) > 99:
            raise InvalidDatetime("offset out of range")
        offset = timedelta(minutes=minutes if m["sign"] == "+" else -minutes)
        return (naive - offset).replace(tzinfo=UTC)
    if m["abbr"] or m["z"]:
        minutes = ABBREVIATIONS.get((m["abbr"] or "z").lower())
        if minutes is None:
            raise InvalidDatetime("unknown zone abbreviation")
        return (naive - timedelta(minutes=minutes)).replace(tzinfo=UTC)
    if m["tzname"]:
        return naive.replace(tzinfo=_zone(m["tzname"])).astimezone(UTC)
    return naive.replace(tzinfo=UTC)  # Appwrite runs PHP in UTC: a value without a zone is UTC


def parse(value: object, *, min_year: int = ROW_MIN_YEAR) -> datetime:
    """The UTC instant of `value`, as Appwrite validates it (utopia-php/database Validator/Datetime.php):
    a non-empty string PHP parses, whose first standalone four-digit number (the year) and whose instant both
    lie within [min_year-01-01 00:00:00, 9999-12-31 23:59:59]."""
    if not isinstance(value, str) or value in ("", "0") or len(value) > 128:
        raise InvalidDatetime("not a datetime")
    for form in _FORMS:
        m = form.fullmatch(value)
        if m is not None:
            break
    else:
        raise InvalidDatetime("not a date PHP's parser reads")
    try:
        moment = _aware(m, _naive(m))
    except OverflowError as e:
        raise InvalidDatetime("out of range") from e
    year = _YEAR.search(value)
    if year is None or not min_year <= int(year.group(1)) <= 9999:
        raise InvalidDatetime("year out of range")
    if not datetime(min_year, 1, 1, tzinfo=UTC) <= moment <= MAX:
        raise InvalidDatetime("out of range")
    return moment


def range_text(min_year: int = ROW_MIN_YEAR) -> str:
    """utopia's Datetime validator description."""
    return f"Value must be valid date between {min_year:04d}-01-01 00:00:00 and 9999-12-31 23:59:59."


# -- the one storage format: UTC "YYYY-MM-DD HH:MM:SS.mmm" (fixed width, so text order is time order, as
# DATETIME(3) in Appwrite's MariaDB; PHP's `v` format truncates to milliseconds).


def to_stored(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"{moment.year:04d}-{moment:%m-%d %H:%M:%S}.{moment.microsecond // 1000:03d}"


def stored(value: object, *, min_year: int = ROW_MIN_YEAR) -> str:
    """A client's datetime → its stored form; raises InvalidDatetime."""
    return to_stored(parse(value, min_year=min_year))


def now_stored() -> str:
    t = time.time()
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}"


def stored_in(seconds: float) -> str:
    """The stored form of now + `seconds`."""
    return to_stored(datetime.now(UTC) + timedelta(seconds=seconds))


def output(value: str | None) -> str | None:
    """Stored → Appwrite's answer `2024-12-15T14:25:10.123+00:00`; None stays None."""
    if value is None:
        return None
    return f"{value[:10]}T{value[11:23]}+00:00"


def output_or_empty(value: str | None) -> str:
    """For Appwrite's own models, whose unset datetimes answer `""`."""
    return output(value) or ""


def to_timestamp(value: str) -> int:
    """Stored → Unix seconds (cookie expiry)."""
    return int(datetime.strptime(value[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp())
