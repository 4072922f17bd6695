"""The Dutch day-ahead price parser on a tiny file with all the quirks of the real one."""

from __future__ import annotations

from datetime import UTC, datetime
import io

import pytest

from benchmarks.prices import parse_day_ahead_csv, parse_utc_timestamp

CSV = """Country,Datetime (UTC),Datetime (Local),Price (EUR/MWhe)
Netherlands,2023-09-30 22:00:00,2023-10-01 00:00:00,80.5
Netherlands,2023-09-30 23:00:00,2023-10-01 01:00:00,70.25
Netherlands,2023-09-30 23:00:00,2023-10-01 01:00:00,70.25
Netherlands,,,0.0
Netherlands,01/10/2023 00:00,01/10/2023 02:00,60
Netherlands,02/10/2023 13:00,02/10/2023 15:00,-5.5
Netherlands,12/10/2023 01:00,12/10/2023 03:00,
"""


def test_both_formats_duplicates_and_empty_rows() -> None:
    prices = parse_day_ahead_csv(io.StringIO(CSV))
    assert prices == {
        datetime(2023, 9, 30, 22, tzinfo=UTC): 80.5,
        datetime(2023, 9, 30, 23, tzinfo=UTC): 70.25,
        datetime(2023, 10, 1, 0, tzinfo=UTC): 60.0,
        # Day first: 2 October, not 10 February.
        datetime(2023, 10, 2, 13, tzinfo=UTC): -5.5,
    }


def test_first_of_a_duplicate_wins() -> None:
    text = CSV.replace(
        "Netherlands,2023-09-30 23:00:00,2023-10-01 01:00:00,70.25\n",
        "Netherlands,2023-09-30 23:00:00,2023-10-01 01:00:00,70.25\n"
        "Netherlands,30/09/2023 23:00,30/09/2023 01:00,99\n",
        1,
    )
    assert parse_day_ahead_csv(io.StringIO(text))[datetime(2023, 9, 30, 23, tzinfo=UTC)] == 70.25


def test_unknown_timestamp_format_is_an_error() -> None:
    with pytest.raises(ValueError, match="unrecognised"):
        parse_utc_timestamp("2023/10/01 00:00")
