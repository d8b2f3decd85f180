"""Size and rendering time of `scorecast report` pages on synthetic leaderboards.

    python benchmarks/report_size.py [--models 500] [--tasks 100] [--method mf]
    python benchmarks/report_size.py --dataset cpp-llm --method auto

Builds the report of a synthetic leaderboard (``scorecast.synthetic.make_leaderboard``,
shape "generations"), then opens it in headless Chromium (the system's package) and
prints the file size, the time to build it, and the time from navigation to a drawn,
usable page (the page's script records it), median of 3 openings.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from browser import Browser, find_chromium  # noqa: E402
from scorecast import datasets  # noqa: E402
from scorecast.report import build_report  # noqa: E402
from scorecast.synthetic import make_leaderboard  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=500)
    parser.add_argument("--tasks", type=int, default=100)
    parser.add_argument("--method", default="mf")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dataset", help="a published dataset instead of a synthetic table")
    args = parser.parse_args()
    if args.dataset:
        table = datasets.load(args.dataset)
    else:
        table = make_leaderboard("generations", n_models=args.models, n_tasks=args.tasks,
                                 random_state=args.seed)[0]
    start = time.perf_counter()
    page = build_report(table, method=args.method, random_state=args.seed).html()
    built = time.perf_counter() - start
    chromium = find_chromium()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.html"
        path.write_text(page, encoding="utf-8")
        size = path.stat().st_size
        ready = []
        if chromium:
            with Browser(chromium) as browser:
                for _ in range(3):
                    session = browser.open(path.as_uri())
                    ready.append(browser.evaluate(session, "window.scorecastReadyMs"))
                    errors = browser.console_errors()
                    if errors:
                        raise SystemExit(f"console errors: {errors}")
    ready.sort()
    print(f"{table.name}: {table.shape[0]} models x {table.shape[1]} tasks "
          f"({table.n_observed} scores), method {args.method}")
    print(f"  file size       {size / 1e6:.2f} MB")
    print(f"  build           {built:.1f} s")
    if ready:
        print(f"  ready in Chromium (navigation to drawn page), median of 3: "
              f"{ready[1] / 1000:.2f} s")
    else:
        print("  Chromium not found: no rendering time")


if __name__ == "__main__":
    main()
