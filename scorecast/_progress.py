"""Progress of long loops: a bar on a terminal, plain lines in a log.

On a terminal, tqdm's bar shows the total, the rate and the time left. When
stderr is not a terminal (a batch job's log) a bar would write control
characters; instead one plain line is written when the work starts, at most
every `every` seconds while it runs, and when it ends::

    scorecast: paper: 20/50 fits (40%), 31 s elapsed, about 46 s left
"""

import sys
import time

__all__ = ["progress"]


class _Lines:
    """tqdm's ``update``/``close`` interface, writing one line per report."""

    def __init__(self, total, desc, unit, every, stream):
        self.total, self.desc, self.unit, self.every = total, desc, unit, every
        self.stream = stream
        self.n = 0
        self.start = self.last = time.monotonic()
        self._write()

    def _write(self):
        elapsed = time.monotonic() - self.start
        plural = self.unit + "s" * (self.unit[-1:] != "s")
        if self.total:
            line = f"scorecast: {self.desc}: {self.n}/{self.total} {plural} " \
                   f"({100 * self.n / self.total:.0f}%), {elapsed:.0f} s elapsed"
            if 0 < self.n < self.total:
                line += f", about {elapsed * (self.total - self.n) / self.n:.0f} s left"
        else:
            line = f"scorecast: {self.desc}: {self.n} {plural}, {elapsed:.0f} s elapsed"
        print(line, file=self.stream, flush=True)

    def update(self, n=1):
        self.n += n
        now = time.monotonic()
        if now - self.last >= self.every and self.n != self.total:
            self.last = now
            self._write()

    def close(self):
        if self.stream is not None:
            self._write()
            self.stream = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        # An error or Ctrl-C already says the work did not finish: no last line then.
        if exc[0] is None:
            self.close()
        self.stream = None


def progress(total=None, desc="", unit="it", enabled=True, every=30.0, stream=None):
    """A progress reporter for `total` steps (``update()`` after each, use as a context).

    Parameters
    ----------
    total : int, optional
        Steps expected (the bar's total and the basis of the time left).
    desc, unit : str
        What is being done, and what one step is ("fit", "seed", "refit").
    enabled : bool, default=True
        False reports nothing.
    every : float, default=30
        Seconds between plain lines (when `stream` is not a terminal).
    stream : file, optional
        Default ``sys.stderr``.
    """
    stream = sys.stderr if stream is None else stream
    if enabled and not _is_terminal(stream):
        return _Lines(total, desc, unit, every, stream)
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit=unit, disable=not enabled, leave=False,
                file=stream)


def _is_terminal(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
