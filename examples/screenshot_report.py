"""Regenerate examples/report.png, the picture of the quickstart run's report in README.md.

    python examples/screenshot_report.py [--out examples/report.png] [--height 1600]

Runs the quickstart (``polycorpus run examples/quickstart.yaml``: nothing to do when
runs/quickstart is complete), writes its report afresh with the current code, and has headless
Chromium (Debian packages chromium and chromium-driver, selenium from the test extra) take the
top of the page at 1280 px wide: header, headline numbers and the funnel.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUN = "runs/quickstart"  # relative, so the report shows the path a newcomer sees


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "examples" / "report.png")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1600, help="Pixels of the page's top to keep.")
    args = parser.parse_args()
    os.chdir(REPO)

    from polycorpus.pipeline.report.browser import chromium, chromium_missing
    from polycorpus.pipeline.report.output import write_run_report

    missing = chromium_missing()
    if missing:
        print(f"error: {missing}", file=sys.stderr)
        return 2
    run = subprocess.run([sys.executable, "-m", "polycorpus.pipeline.cli", "run", "examples/quickstart.yaml"], check=False)
    if run.returncode != 0:
        print(f"error: the quickstart run failed (exit {run.returncode}); see above", file=sys.stderr)
        return run.returncode
    page = Path(write_run_report(RUN)).resolve()
    with chromium(args.width, args.height) as driver:
        driver.get(page.as_uri())
        errors = driver.get_log("browser")
        if errors:
            print(f"error: the report logged to the browser console: {errors}", file=sys.stderr)
            return 1
        driver.save_screenshot(str(args.out))
    print(f"wrote {args.out.relative_to(REPO) if args.out.is_relative_to(REPO) else args.out} from {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
