"""What the command line says besides its results: one line per message, on standard error.

scorecast's warnings are held while a command checks its input, and printed once the
checks pass (:func:`release`): a run refused for bad input prints its error line and
nothing else, while a run that goes on says everything it read in an unusual way.
"""

import sys


def one_line(message):
    """`message` as one line, whatever it holds."""
    return " ".join(str(message).split())


class HeldWarnings:
    """A ``warnings.showwarning`` that holds warnings until :meth:`release`."""

    def __init__(self):
        self.held, self.holding = [], True

    def show(self, message, category, filename, lineno, file=None, line=None):
        text = f"scorecast: warning: {one_line(message)}"
        if self.holding:
            if text not in self.held:
                self.held.append(text)
        else:
            print(text, file=sys.stderr)

    def release(self):
        """Print the warnings held so far, and every later one as it comes."""
        self.holding = False
        for text in self.held:
            print(text, file=sys.stderr)
        self.held = []


_current = HeldWarnings()


def start():
    """Hold the warnings of a new command; return the ``showwarning`` to install."""
    global _current
    _current = HeldWarnings()
    return _current.show


def release():
    """The command's input is checked: say what was held, and say later warnings at once."""
    _current.release()
