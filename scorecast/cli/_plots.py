"""The ``--plot FILE`` option of the commands that draw what they compute."""

import sys

from ..plotting import check_plot_path, save_figure


def add_plot_argument(group, what):
    """Add ``--plot FILE``; `what` says what the figure shows."""
    group.add_argument("--plot", metavar="FILE.png",
                       help=f"also draw {what} (PNG, SVG, PDF... by the file's extension)")


def claim_plot(args, outputs):
    """Check the --plot path (extension, folder, not an input) before any work."""
    if getattr(args, "plot", None):
        check_plot_path(args.plot)
        outputs.claim(args.plot, "--plot")


def write_plot(args, outputs, draw):
    """Write the figure ``draw()`` returns to --plot, atomically; say so on stderr."""
    if not getattr(args, "plot", None):
        return
    figure = draw()
    with outputs:
        save_figure(figure, outputs.path(args.plot), check_plot_path(args.plot).suffix[1:])
    print(f"scorecast: wrote {args.plot}", file=sys.stderr)
