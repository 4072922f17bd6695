"""Parser for the Dutch day-ahead price file shipped with ev2gym."""

from __future__ import annotations

from collections.abc import Iterable
import csv
from datetime import UTC, datetime
import functools
import io

from benchmarks.wheels import read_member

PRICE_MEMBER = "ev2gym/data/Netherlands_day-ahead-2015-2024.csv"
# The file switches format on 2023-10-01; a generic parser would swap day and month there.
TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M")


def parse_utc_timestamp(text: str) -> datetime:
    """Parse one UTC timestamp in either of the file's two formats."""
    for timestamp_format in TIMESTAMP_FORMATS:
        try:
            return datetime.strptime(text.strip(), timestamp_format).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise ValueError(f"unrecognised timestamp {text!r}")


def parse_day_ahead_csv(lines: Iterable[str]) -> dict[datetime, float]:
    """Return hourly prices in EUR/MWh keyed by UTC hour; the first row of a duplicate wins."""
    reader = csv.reader(lines)
    header = next(reader)
    utc_column = header.index("Datetime (UTC)")
    price_column = next(i for i, name in enumerate(header) if name.startswith("Price"))
    prices: dict[datetime, float] = {}
    for row in reader:
        if len(row) <= max(utc_column, price_column) or not row[utc_column].strip():
            continue
        hour = parse_utc_timestamp(row[utc_column])
        if hour not in prices and row[price_column].strip():
            prices[hour] = float(row[price_column])
    return prices


@functools.cache
def load_nl_day_ahead() -> dict[datetime, float]:
    """Return the whole NL day-ahead series (EUR/MWh by UTC hour)."""
    text = read_member("ev2gym", PRICE_MEMBER).decode("utf-8-sig")
    return parse_day_ahead_csv(io.StringIO(text))
