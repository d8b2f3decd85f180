"""The look shared by every scorecast figure, and writing figures to files.

The colours are Okabe and Ito's palette, told apart by readers with any common
colour-vision deficiency; the common methods keep one colour in every figure.
matplotlib is imported on first use and figures are built without pyplot, so drawing
neither needs nor changes a display backend.
"""

from pathlib import Path

from ..errors import ScorecastError

#: Okabe-Ito colours, most distinct first (black last: it is kept for reference lines).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000")
#: Colours of observed and predicted scores, and of model and task factors.
OBSERVED, PREDICTED = PALETTE[0], PALETTE[1]
KIND_COLORS = {"model": PALETTE[0], "task": PALETTE[1]}
#: Resolution of raster figures (PNG): sharp on screen, files of tens of kB.
DPI = 120
_RC = {"font.size": 9, "axes.titlesize": "medium", "axes.grid": True, "grid.alpha": 0.3,
       "axes.spines.top": False, "axes.spines.right": False, "svg.fonttype": "none"}


#: The baselines' and the common methods' own colours, the same in every figure: the
#: default method in the strongest blue, the baselines in muted tones (grey is not in
#: Okabe and Ito's palette but reads the same for everyone).
FIXED_COLORS = {"auto": PALETTE[0], "active": PALETTE[0], "mean": PALETTE[1],
                "mf": PALETTE[2], "soft-impute": PALETTE[3], "additive": PALETTE[4],
                "random": "#999999"}


def colors(names):
    """One colour per name, in order: a method's fixed colour (:data:`FIXED_COLORS`),
    else the next palette colour not taken (the palette repeats past 8 names)."""
    names = list(dict.fromkeys(names))
    taken = {FIXED_COLORS[n] for n in names if n in FIXED_COLORS}
    free = [c for c in PALETTE[:-1] if c not in taken] or list(PALETTE[:-1])
    out, i = {}, 0
    for name in names:
        if name in FIXED_COLORS:
            out[name] = FIXED_COLORS[name]
        else:
            out[name] = free[i % len(free)]
            i += 1
    return out


def new_figure(width, height, title=None, n_panels=1, sharey=False):
    """A constrained-layout figure with `n_panels` axes side by side, in scorecast's style.

    Returns
    -------
    figure : matplotlib.figure.Figure
    axes : list of matplotlib.axes.Axes
    """
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(width, height), layout="constrained")
        axes = figure.subplots(1, n_panels, sharey=sharey, squeeze=False)[0]
    for ax in axes:
        # rc_context applies at creation; the grid goes behind the data on every axes.
        ax.set_axisbelow(True)
    if title:
        figure.suptitle(title, fontsize="medium")
    return figure, list(axes)


def figure_formats():
    """The file extensions matplotlib writes (png, svg, pdf...)."""
    from matplotlib.backend_bases import FigureCanvasBase

    return sorted(FigureCanvasBase.get_supported_filetypes())


def check_plot_path(path, option="--plot"):
    """Refuse a figure path whose extension matplotlib cannot write (before any work).

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    formats = figure_formats()
    if path.suffix.lstrip(".").lower() not in formats:
        raise ScorecastError(f"{option} {path}: give a file name ending in one of "
                             f"{', '.join('.' + f for f in formats)}")
    return path


def save_figure(figure, path, fmt=None):
    """Write `figure` to `path` (PNG, SVG... by the extension of `fmt` or of `path`)."""
    import matplotlib

    with matplotlib.rc_context(_RC):
        figure.savefig(path, dpi=DPI, format=fmt or Path(path).suffix.lstrip(".").lower())
