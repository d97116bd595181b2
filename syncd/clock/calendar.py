"""The Indonesian working-day calendar that every response clock counts in.

CONTRACT.md section 2: Monday to Friday, minus national holidays and cuti bersama
(the ``holidays`` package, country ``ID``, categories ``public`` and ``government``),
minus the configured ``extra_holidays``; the configured ``extra_working_days`` win
over everything, weekends included.

Each year is built once, on first use: its holidays and the sorted ordinals of its
working days. Counting and adding working days is then a bisection per year touched,
never a walk over days.

The package marks dates it computed rather than took from a decree (Islamic, Chinese
and Buddhist holidays of years not decreed yet) by wrapping the holiday name in the
entity's ``estimated_label`` (``"%s (perkiraan)"`` in Indonesian). That label, in the
same language the names are built in, is how :attr:`Holiday.estimated` is read.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

COUNTRY = "ID"
LANGUAGE = "id"
EXTRA_HOLIDAY_NAME = "Libur tambahan (konfigurasi)"
DUE_TIME = time(23, 59, 59)
_NAME_DELIMITER = "; "
_ZONE_ABBREVIATIONS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


@dataclass(frozen=True)
class Holiday:
    """A day off: its Indonesian name, without the package's estimate label."""

    day: date
    name: str
    estimated: bool
    """The package computed the date; the decree may still move it."""
    joint: bool
    """Cuti bersama (the package's ``government`` category), not a national holiday."""


@dataclass(frozen=True)
class _Year:
    working: list[int]
    """Sorted ordinals of the year's working days."""
    holidays: dict[date, Holiday]
    """The year's days off other than weekends (holidays on a weekend included)."""


class WorkingCalendar:
    """Working days in Indonesia, with the operator's additions; pure and thread-safe."""

    def __init__(
        self,
        *,
        extra_holidays: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
        joint_holidays: bool = True,
    ) -> None:
        self._extra_holidays = frozenset(extra_holidays)
        self._extra_working_days = frozenset(extra_working_days)
        self._joint_holidays = joint_holidays
        self._years: dict[int, _Year] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"WorkingCalendar(extra_holidays={len(self._extra_holidays)}, "
            f"extra_working_days={len(self._extra_working_days)}, "
            f"joint_holidays={self._joint_holidays})"
        )

    def is_working_day(self, day: date) -> bool:
        working = self._year(day.year).working
        ordinal = day.toordinal()
        index = bisect_right(working, ordinal)
        return index > 0 and working[index - 1] == ordinal

    def add_working_days(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day`` (which never counts); ``day`` for 0."""
        if n < 0:
            raise ValueError(f"working days must be >= 0, got {n}")
        if n == 0:
            return day
        year = day.year
        working = self._year(year).working
        index = bisect_right(working, day.toordinal())
        while index + n > len(working):
            n -= len(working) - index
            year += 1
            if year > date.max.year:
                raise OverflowError("the due date would be after the year 9999")
            working = self._year(year).working
            index = 0
        return date.fromordinal(working[index + n - 1])

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days ``d`` have ``start < d <= end``; 0 if ``end <= start``."""
        if end <= start:
            return 0
        first, last = start.toordinal(), end.toordinal()
        count = 0
        for year in range(start.year, end.year + 1):
            working = self._year(year).working
            low = bisect_right(working, first) if year == start.year else 0
            high = bisect_right(working, last) if year == end.year else len(working)
            count += high - low
        return count

    def weekend_days_between(self, start: date, end: date) -> int:
        """Saturdays and Sundays after ``start`` up to ``end`` that are days off for the
        weekend alone: not a holiday, and not made a working day by configuration."""
        return sum(
            1
            for offset in range(1, (end - start).days + 1)
            if (day := start + timedelta(days=offset)).weekday() >= 5
            and self.holiday(day) is None
            and not self.is_working_day(day)
        )

    def due_instant(self, start: datetime, working_days: int, zone: ZoneInfo) -> datetime:
        """23:59:59 in ``zone`` on the ``working_days``-th working day after ``start``'s
        local date there (CONTRACT.md section 2, "Deadline")."""
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError(f"start must be timezone-aware, got {start.isoformat()}")
        day = self.add_working_days(start.astimezone(zone).date(), working_days)
        return datetime.combine(day, DUE_TIME, tzinfo=zone)

    def holiday(self, day: date) -> Holiday | None:
        """Why ``day`` is off besides being a weekend; ``None`` for a day that is not a
        holiday in this calendar (extra working days included)."""
        return self._year(day.year).holidays.get(day)

    def holidays_between(self, start: date, end: date) -> list[Holiday]:
        """The holidays in ``(start, end]``, weekends' included, by date."""
        return list(self._holidays_in(start, end))

    def estimated_between(self, start: date, end: date) -> list[Holiday]:
        """The holidays in ``(start, end]`` whose date the package only estimates."""
        return [h for h in self._holidays_in(start, end) if h.estimated]

    def _holidays_in(self, start: date, end: date) -> Iterator[Holiday]:
        if end <= start:
            return
        for year in range(start.year, end.year + 1):
            for day, holiday in sorted(self._year(year).holidays.items()):
                if start < day <= end:
                    yield holiday

    def _year(self, year: int) -> _Year:
        built = self._years.get(year)
        if built is None:
            with self._lock:
                built = self._years.get(year)
                if built is None:
                    built = self._build(year)
                    self._years[year] = built
        return built

    def _build(self, year: int) -> _Year:
        days_off = dict(_package_holidays(year, "public", joint=False))
        if self._joint_holidays:
            for day, joint in _package_holidays(year, "government", joint=True):
                public = days_off.get(day)
                days_off[day] = joint if public is None else _merge(public, joint)
        for day in self._extra_holidays:
            if day.year == year and day not in days_off:
                days_off[day] = Holiday(day, EXTRA_HOLIDAY_NAME, estimated=False, joint=False)
        for day in self._extra_working_days:
            days_off.pop(day, None)

        working: list[int] = []
        day = date(year, 1, 1)
        while day.year == year:
            if day in self._extra_working_days or (day.weekday() < 5 and day not in days_off):
                working.append(day.toordinal())
            if day == date.max:
                break
            day += timedelta(days=1)
        return _Year(working, days_off)


def _package_holidays(year: int, category: str, *, joint: bool) -> Iterator[tuple[date, Holiday]]:
    """One category of one year from the ``holidays`` package, names in Indonesian."""
    entity = holidays.country_holidays(
        COUNTRY, years=year, language=LANGUAGE, categories=(category,)
    )
    unlabel = _estimate_reader(entity)
    for day in sorted(entity):
        names = [unlabel(name) for name in entity.get_list(day)]
        yield (
            day,
            Holiday(
                day,
                _NAME_DELIMITER.join(name for name, _ in names),
                estimated=any(estimated for _, estimated in names),
                joint=joint,
            ),
        )


def _estimate_reader(entity: holidays.HolidayBase) -> Callable[[str], tuple[str, bool]]:
    """Turns a holiday name into (name without the estimate label, whether labelled).

    The package formats an estimated name as ``tr(estimated_label) % tr(name)``, and an
    observed estimated one with ``observed_estimated_label``; both labels, translated by
    the entity itself, become patterns, so no language's wording is hard-coded here.
    """
    translate: Callable[[str], str] = getattr(entity, "tr", str)

    def label(attribute: str) -> str | None:
        value = getattr(entity, attribute, None)
        text = translate(value) if isinstance(value, str) else ""
        return text if text.count("%s") == 1 else None

    observed = label("observed_label") or "%s"
    readers: list[tuple[re.Pattern[str], str]] = []
    # The observed form first: it may contain the plain estimate label's wording.
    for attribute, wrap in (("observed_estimated_label", observed), ("estimated_label", "%s")):
        if (text := label(attribute)) is not None:
            before, after = text.split("%s")
            pattern = re.compile(f"{re.escape(before)}(?P<name>.+){re.escape(after)}")
            readers.append((pattern, wrap))

    def read(name: str) -> tuple[str, bool]:
        for pattern, wrap in readers:
            if (match := pattern.fullmatch(name)) is not None:
                return wrap % match["name"], True
        return name, False

    return read


def _merge(public: Holiday, joint: Holiday) -> Holiday:
    return Holiday(
        public.day,
        f"{public.name}{_NAME_DELIMITER}{joint.name}",
        estimated=public.estimated or joint.estimated,
        joint=False,
    )


def zone_abbreviation(zone: ZoneInfo, at: datetime | None = None) -> str:
    """WIB, WITA or WIT for Indonesia's zones; elsewhere the zone's own abbreviation
    at ``at`` (default: now), or its key when it has none."""
    known = _ZONE_ABBREVIATIONS.get(zone.key)
    if known is not None:
        return known
    moment = datetime.now(zone) if at is None else at.astimezone(zone)
    return moment.tzname() or zone.key
