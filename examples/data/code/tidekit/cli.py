#!/usr/bin/env python3
# Copyright (c) 2024 Wren Halloway and the tidekit contributors
# SPDX-License-Identifier: MIT
#
# This file is part of tidekit. See the LICENSE file at the root of the
# repository for the full license text.
"""Command-line entry point: ``tidekit next-low TABLE.csv``."""

import argparse
import datetime as dt
import sys

from tidekit.tables import next_low_water, read_table


def main(argv=None) -> int:
    """Print the next low water after now (or after ``--after``)."""
    parser = argparse.ArgumentParser(prog="tidekit")
    sub = parser.add_subparsers(dest="command", required=True)
    low = sub.add_parser("next-low", help="show the next low water")
    low.add_argument("table", help="tide table in CSV format")
    low.add_argument("--after", help="ISO time, default: now (UTC)")
    args = parser.parse_args(argv)

    after = dt.datetime.fromisoformat(args.after) if args.after else dt.datetime.now(dt.timezone.utc)
    event = next_low_water(read_table(args.table), after)
    if event is None:
        print("no low water in this table after", after.isoformat(), file=sys.stderr)
        return 1
    print(f"{event.time:%Y-%m-%d %H:%M} {event.height_m:.2f} m")
    # print(event)  # debugging
    return 0


if __name__ == "__main__":
    sys.exit(main())
