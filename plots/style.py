"""How the charts look: one fixed colour per model and the shared matplotlib
settings, so a model is the same colour in every chart, every scenario and
every report, and a reader learns it once.
"""
import os
import sys
import zlib

try:
    import matplotlib
except ImportError:
    # compare.py needs only the model order below; the chart scripts call
    # require_matplotlib() and say in one line what is missing.
    matplotlib = None
else:
    matplotlib.use("Agg")  # files only; never a window, whatever DISPLAY says

# Models in the order of DESIGN.md's table (the order of the story, from one
# client at a time to every core), which is also the legend order. The hues
# are matplotlib's tab10, assigned so the models a chart most often compares
# side by side (select, poll, epoll) are far apart.
MODEL_COLOURS = {
    "blocking": "#7f7f7f",
    "threads": "#8c564b",
    "busypoll": "#e377c2",
    "select": "#d62728",
    "poll": "#ff7f0e",
    "epoll": "#1f77b4",
    "epoll-et": "#17becf",
    "kqueue": "#9467bd",
    "uring": "#2ca02c",
    "reuseport": "#bcbd22",
    # `c10k load` without --label names its target "external".
    "external": "#393b79",
}
MODEL_ORDER = list(MODEL_COLOURS)

# For a model not in the table (a new one, or a --label): a colour chosen by a
# checksum of its name, so it too is the same in every chart.
_SPARE_COLOURS = ["#637939", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1",
                  "#636363"]

FLOOR_COLOUR = "#555555"
FD_SETSIZE_COLOUR = "#333333"
CEILING_EDGE = "#000000"

FIGURE_SIZE = (8.0, 5.0)  # inches; 800 x 500 pixels at PNG_DPI
PNG_DPI = 100

_RC_PARAMS = {
    # Text stays text in the SVG: small files, selectable in the report, and
    # the tests can read labels.
    "svg.fonttype": "none",
    # Fixed salt: the same chart gives the same SVG ids on every run.
    "svg.hashsalt": "c10k-bench",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.fontsize": 8.5,
    "legend.framealpha": 0.9,
}
if matplotlib:
    matplotlib.rcParams.update(_RC_PARAMS)


def require_matplotlib():
    """Exits with one line when this Python has no matplotlib (a python3
    earlier in PATH than Debian's, or scripts/deps not run yet)."""
    if matplotlib is None:
        sys.exit(f"{os.path.basename(sys.argv[0])}: the charts need matplotlib, which "
                 f"{sys.executable} cannot import; install Debian's python3-matplotlib "
                 "(scripts/deps does) and run the script itself, which starts /usr/bin/python3")


def model_colour(model):
    if model in MODEL_COLOURS:
        return MODEL_COLOURS[model]
    return _SPARE_COLOURS[zlib.crc32(model.encode()) % len(_SPARE_COLOURS)]


def model_sort_key(model):
    """Known models in story order, then the rest alphabetically."""
    if model in MODEL_ORDER:
        return (0, MODEL_ORDER.index(model), model)
    return (1, 0, model)
