"""Vietnam's public holidays, Tết included, from the maintained `holidays` library.

Imported only when a plan asks for deadlines to be moved off days off: it is the
heaviest import kttn has.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date


def vietnam_holidays() -> Callable[[date], bool]:
    """A predicate: is this day a public holiday in Vietnam (observed days included)?"""
    import holidays

    calendar = holidays.country_holidays("VN")
    return lambda day: day in calendar
