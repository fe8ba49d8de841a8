"""The charts of one results document, as matplotlib figures.

plot.py saves them as PNG and SVG; report.py inlines their SVG. Every chart
has the sweep's x axis (connections, or idle connections), one line per model
in the model's fixed colour (style.py), a cross where a point hit a ceiling or
failed, labelled with the reason, and, where they apply, a dashed line at
FD_SETSIZE and a dotted calibration floor.

SVG ids (matplotlib's gid) let tests and readers find the parts:
series-MODEL (a model's line), ceiling-MODEL-CONNECTIONS (a failed point),
fd-setsize-line, calibration-floor.
"""
import math
import re
from dataclasses import dataclass, field

import results
import style

style.require_matplotlib()  # before the matplotlib imports: one line, not a traceback

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import (FixedLocator, FuncFormatter, MaxNLocator, NullFormatter,  # noqa: E402
                               NullLocator)
from matplotlib.transforms import blended_transform_factory  # noqa: E402

# Variants of one model (other depths, rates, sizes) are told apart by line style.
VARIANT_STYLES = ["-", "--", "-.", (0, (1, 1))]
# Ticks at every swept value read better than decades, up to this many.
MAX_EXPLICIT_TICKS = 10


@dataclass
class Chart:
    name: str  # the file stem, e.g. "throughput"
    title: str
    figure: Figure


@dataclass
class Series:
    """The runs of one model at one load variant, sorted along the x axis.
    With several variants the legend has a key of its own for each (its line
    style), and each model once, on its first variant's series: "threads
    per-connection=100" for every line made legends wider than the figure."""
    model: str
    label: str
    gid: str
    linestyle: object
    runs: list = field(default_factory=list)
    variant: str = ""  # empty: the only one
    legend_label: str = None  # None: not in the legend

    @property
    def colour(self):
        return style.model_colour(self.model)


def _id_safe(text):
    return re.sub(r"[^A-Za-z0-9_-]", "_", str(text))


def _variant(run, with_active):
    """The run's load apart from its connections: what tells one model's
    lines apart. In a sweep with idle connections the active count is part of
    it even where it equals the connections (100 of 100 active)."""
    variant = results.describe_load(run, skip=("connections", "active"))
    if with_active:
        variant = f"active={results.active(run)} {variant}".strip()
    return variant


def build_series(runs, x_of):
    """Groups runs into series, one per model and load variant; the variant
    is named in the label only when the runs have more than one."""
    with_active = any(results.idle(run) > 0 for run in runs)
    variants = sorted({_variant(run, with_active) for run in runs})
    groups = {}
    for run in runs:
        groups.setdefault((run["model"], _variant(run, with_active)), []).append(run)
    series = []
    for (model, variant), members in sorted(
            groups.items(), key=lambda item: (style.model_sort_key(item[0][0]), item[0][1])):
        index = variants.index(variant)
        several = len(variants) > 1 and variant
        label = f"{model} {variant}" if several else model
        gid = f"series-{_id_safe(model)}" + (f"-{index}" if index else "")
        first_of_model = not any(line.model == model for line in series)
        series.append(Series(model, label, gid, VARIANT_STYLES[index % len(VARIANT_STYLES)],
                             sorted(members, key=x_of), variant if several else "",
                             model if first_of_model else None))
    return series


def variant_keys(series_list):
    """The legend's keys for the load variants: a grey line in each
    variant's style, named by the variant, in the variants' order."""
    keys = {}
    for series in series_list:
        if series.variant:
            keys.setdefault(series.variant, series.linestyle)
    return [(Line2D([], [], color="#666666", linestyle=linestyle, linewidth=1.8), variant)
            for variant, linestyle in sorted(keys.items())]


# Axis tick labels: exact values ('%g'), unlike the rounded table cells of
# results.micros_text, because a tick sits on a round number anyway.
def _micros_text(value):
    if value >= 1e6:
        return f"{value / 1e6:g} s"
    if value >= 1e3:
        return f"{value / 1e3:g} ms"
    return f"{value:g} µs"


def _count_text(value):
    if value >= 1e6:
        return f"{value / 1e6:g}M"
    if value >= 1e3:
        return f"{value / 1e3:g}k"
    return f"{value:g}"


def _kib_text(value):
    if value >= 1024:
        return f"{value / 1024:g} MiB"
    return f"{value:g} KiB"


def _plain_text(value):
    return f"{value:g}"


@dataclass
class Metric:
    """One y quantity: how to read it from a run, label and scale it."""
    name: str
    title: str
    ylabel: str
    value: object  # run -> number or None
    log_y: bool
    tick_text: object = _plain_text


THROUGHPUT = Metric("throughput", "Throughput", "requests per second", results.requests_per_s,
                    False, _count_text)
CPU = Metric("cpu-per-request", "Server CPU per request",
             "server CPU time per request (user + system)", results.cpu_us_per_request, True,
             _micros_text)
RSS = Metric("rss-per-connection", "Server memory per connection",
             "server peak RSS / connections", results.rss_kib_per_connection, True,
             _kib_text)
TCP = Metric("tcp-segments-per-request", "TCP segments per request",
             "TCP segments per request (whole host, both ends)",
             results.tcp_segments_per_request, False)
P99 = Metric("latency", "Latency p50 and p99", "latency (from the intended send time)",
             lambda run: results.latency_us(run, "p99"), True, _micros_text)
P50 = Metric("latency", "Latency p50", "", lambda run: results.latency_us(run, "p50"), True,
             _micros_text)


class Plot:
    """One figure under construction. Ceiling labels wait for finish(), when
    the axis limits are final, to be placed on the side of their point that
    has room."""

    def __init__(self, title, footer, xlabel, metric, log_x=True):
        self.metric = metric
        self.log_x = log_x
        self.figure = Figure(figsize=style.FIGURE_SIZE, dpi=style.PNG_DPI)
        # An Agg canvas to measure text with while placing labels.
        self.canvas = FigureCanvasAgg(self.figure)
        # Room on the right for the legend, below for the footer.
        self.figure.subplots_adjust(left=0.11, right=0.76, top=0.86, bottom=0.2)
        self.ax = self.figure.add_subplot()
        self.ax.set_title(title, fontsize=10.5, pad=16)
        self.ax.set_xlabel(xlabel)
        self.ax.set_ylabel(metric.ylabel)
        # Scales first: limits read while drawing (the floor) are then right.
        if log_x:
            self.ax.set_xscale("log")
        if metric.log_y:
            self.ax.set_yscale("log")
        self.figure.text(0.01, 0.015, footer, fontsize=6.5, color="#444444")
        self.xs = []
        self.ceiling_labels = []  # (text, x, y, transform, colour)
        self.legend_series = []  # drawn with a legend entry, for the variant keys

    def draw(self, series, x_of, metric, marker="o", linestyle=None, label=True, alpha=1.0,
             mark_ceilings=True):
        """One series: a line through every point with a value (a ceiling
        point that was measured belongs to the curve), then a cross on each
        failed point, the first one labelled with its reason."""
        ax = self.ax
        if label:
            self.legend_series.append(series)
        points = [(x_of(run), metric.value(run)) for run in series.runs]
        self.xs.extend(x for x, _ in points)
        drawn = [(x, y) for x, y in points if y is not None and (y > 0 or not metric.log_y)]
        if drawn:
            ax.plot([x for x, _ in drawn], [y for _, y in drawn], color=series.colour,
                    linestyle=linestyle or series.linestyle, marker=marker, markersize=5,
                    markerfacecolor=series.colour if label else "white",
                    linewidth=1.8 if label else 1.1, alpha=alpha,
                    label=series.legend_label if label else None,
                    gid=series.gid if label else f"{series.gid}-secondary")
        if not mark_ceilings:
            return
        labelled = False
        for run, (x, y) in zip(series.runs, points):
            if not results.failed(run):
                continue
            # A failed point without a value sits on the bottom edge.
            on_edge = y is None or (metric.log_y and y <= 0)
            transform = (blended_transform_factory(ax.transData, ax.transAxes) if on_edge
                         else ax.transData)
            y_at = 0.03 if on_edge else y
            variant = results.describe_load(run)
            ax.plot([x], [y_at], transform=transform, linestyle="none", marker="X",
                    markersize=11, markerfacecolor=series.colour,
                    markeredgecolor=style.CEILING_EDGE, markeredgewidth=1.0, zorder=5,
                    gid=f"ceiling-{_id_safe(run['model'])}-{results.connections(run)}"
                        + (f"-{_id_safe(variant)}" if variant else ""))
            if not labelled:
                labelled = True
                reason = results.short_reason(run)
                # "select closes fd >= ..." names its model already.
                text = reason if reason.startswith(f"{run['model']} ") else (
                    f"{series.label}: {reason}")
                self.ceiling_labels.append((text, x, y_at, transform, series.colour))

    def fd_setsize_line(self, x, label):
        """The dashed line at FD_SETSIZE, where the data comes near it: a
        line far beyond the points would squash them into a corner."""
        if x is None or not self.xs or max(self.xs) < x / 2 or min(self.xs) > x * 2:
            return
        self.ax.axvline(x, color=style.FD_SETSIZE_COLOUR, linestyle="--", linewidth=1.2,
                        gid="fd-setsize-line", zorder=1)
        # Above the frame, where no line can cross it.
        self.ax.text(x, 1.01, label, transform=blended_transform_factory(
            self.ax.transData, self.ax.transAxes), ha="center", va="bottom", fontsize=7.5,
            color=style.FD_SETSIZE_COLOUR, gid="fd-setsize-label")

    def floor(self, value, label):
        if value is None or value <= 0:
            return
        self.ax.axhline(value, color=style.FLOOR_COLOUR, linestyle=":", linewidth=1.4,
                        gid="calibration-floor", zorder=1)
        self.ax.text(0.01, value, f" {label}", transform=blended_transform_factory(
            self.ax.transAxes, self.ax.transData), ha="left", va="bottom", fontsize=7.5,
            color=style.FLOOR_COLOUR)
        # Keep the floor in view even when every point is far from it.
        low, high = self.ax.get_ylim()
        if value < low or value > high:
            self.ax.set_ylim(min(low, value / 1.5), max(high, value * 1.5))

    def finish(self, extra_legend=()):
        ax, metric = self.ax, self.metric
        _set_x_ticks(ax, sorted(set(self.xs)), self.log_x)
        if metric.log_y:
            _set_log_y_ticks(ax, metric.tick_text)
        else:
            ax.set_ylim(bottom=0)
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: metric.tick_text(v)))
        self._place_ceiling_labels()
        handles, labels = ax.get_legend_handles_labels()
        if self.ceiling_labels:
            handles.append(Line2D([], [], linestyle="none", marker="X", markersize=9,
                                  markerfacecolor="#bbbbbb",
                                  markeredgecolor=style.CEILING_EDGE))
            labels.append("ceiling or error")
        extra_legend = variant_keys(self.legend_series) + list(extra_legend)
        handles += [handle for handle, _ in extra_legend]
        labels += [text for _, text in extra_legend]
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  borderaxespad=0)
        return self.figure

    def _place_ceiling_labels(self):
        """Each label beside its point at the first of a few candidate
        offsets, nearest first, where it stays inside the axes and clear of
        the labels already placed; measured, since only drawn text has a size."""
        ax = self.ax
        renderer = self.canvas.get_renderer()
        axes_box = ax.get_window_extent(renderer)
        placed = []
        for text, x, y, transform, colour in self.ceiling_labels:
            first_dy, _, _, first_dx = _LABEL_OFFSETS[0]
            label = ax.annotate(text, (x, y), xycoords=transform, xytext=(first_dx, first_dy),
                                textcoords="offset points",
                                fontsize=7, color="#222222",
                                bbox={"boxstyle": "round,pad=0.25", "facecolor": "white",
                                      "edgecolor": colour, "alpha": 0.92},
                                arrowprops={"arrowstyle": "-", "color": colour, "lw": 0.9},
                                zorder=6)
            for dy, va, ha, dx in _LABEL_OFFSETS:
                label.set_position((dx, dy))
                label.set_verticalalignment(va)
                label.set_horizontalalignment(ha)
                box = label.get_window_extent(renderer).expanded(1.05, 1.2)
                inside = (box.x0 >= axes_box.x0 and box.x1 <= axes_box.x1
                          and box.y0 >= axes_box.y0 and box.y1 <= axes_box.y1)
                if inside and not any(box.overlaps(other) for other in placed):
                    break
            placed.append(label.get_window_extent(renderer))


# Where a ceiling label may go relative to its point (points): above or below,
# further out each time, to the right, the left or centred.
_LABEL_OFFSETS = [(dy * sign, "bottom" if sign > 0 else "top", ha, dx)
                  for dy in (14, 30, 46, 62, 78, 94)
                  for sign in (1, -1)
                  for ha, dx in (("left", 12), ("right", -12), ("center", 0))]


def _set_log_y_ticks(ax, tick_text):
    """Readable ticks on a log y axis whatever its span: powers of ten when it
    spans decades, the 2s and 5s too under two decades, every multiple under
    one; a span under a factor of 4 is widened to it, else no tick would fall
    inside."""
    low, high = ax.get_ylim()
    if low <= 0 or high <= low:
        return
    if high / low < 4:
        centre = math.sqrt(low * high)
        low, high = centre / 2, centre * 2
        ax.set_ylim(low, high)
    decades = math.log10(high / low)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: tick_text(v)))
    if decades < 1:
        minor = FuncFormatter(lambda v, _: tick_text(v))
    elif decades < 2:
        minor = FuncFormatter(lambda v, _: tick_text(v) if _leading_digit(v) in (2, 5) else "")
    else:
        minor = NullFormatter()
    ax.yaxis.set_minor_formatter(minor)


def _leading_digit(value):
    if value <= 0:
        return 0
    return int(round(value / 10 ** math.floor(math.log10(value) + 1e-9), 6))


def _set_x_ticks(ax, xs, log_x):
    """Ticks at the swept values when they are few, else the axis's own."""
    # Short labels (5k, 10k, as on the y axes): "5,000" and "10,000" overlap
    # where a log axis puts them a factor of two apart.
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _count_text(v)))
    if not xs or len(xs) > MAX_EXPLICIT_TICKS:
        return
    ax.xaxis.set_major_locator(FixedLocator(xs))
    if log_x:
        ax.xaxis.set_minor_locator(NullLocator())
    # Neighbouring swept values (1000, 1100) would print on top of each other.
    if len(xs) > 1 and min(b / a if a > 0 else 10 for a, b in zip(xs, xs[1:])) < 1.25:
        for tick in ax.get_xticklabels():
            tick.set_rotation(40)
            tick.set_horizontalalignment("right")


def _scenario_plot(document, what, xlabel, metric, log_x=True):
    context = document.context
    title = (f"{document.name} ({document.protocol}): {what}\n"
             f"on {context['host']}, {context['cpus']} CPUs, c10k {context['tool_version']}")
    return Plot(title, results.context_line(document), xlabel, metric, log_x)


def _fd_setsize(document):
    return document.context.get("fd_setsize")


def _cpu_floor(document):
    """A request costs the server at least one recv and one send: the
    calibrated send+recv pair of 64 bytes on one thread."""
    nanos = (document.context.get("calibration") or {}).get("tcp_send_recv_ns")
    if not nanos:
        return None, ""
    micros = nanos / 1e3
    return micros, f"floor: one TCP send+recv, {micros:.3g} µs (calibration)"


def _segments_floor(document):
    """A request and its reply are one segment each when every ACK rides on
    data; above the line the kernel sent bare ACKs."""
    return 2.0, "2: request + reply, every ACK riding on data"


def _connections_chart(document, metric, floor=None):
    plot = _scenario_plot(document, f"{metric.title} vs connections",
                          "connections (log scale)", metric)
    for series in build_series(document.runs, results.connections):
        plot.draw(series, results.connections, metric)
    if floor:
        plot.floor(*floor(document))
    plot.fd_setsize_line(_fd_setsize(document), f"FD_SETSIZE = {_fd_setsize(document)}")
    return Chart(metric.name, f"{metric.title} vs connections", plot.finish())


def _latency_chart(document):
    plot = _scenario_plot(document, "Latency p50 and p99 vs connections",
                          "connections (log scale)", P99)
    for series in build_series(document.runs, results.connections):
        plot.draw(series, results.connections, P99)
        plot.draw(series, results.connections, P50, marker="o", linestyle=":", label=False,
                  alpha=0.55, mark_ceilings=False)
    plot.fd_setsize_line(_fd_setsize(document), f"FD_SETSIZE = {_fd_setsize(document)}")
    legend = [(Line2D([], [], color="#666666", marker="o", linewidth=1.8), "p99 (solid)"),
              (Line2D([], [], color="#666666", marker="o", markerfacecolor="white",
                      linestyle=":", alpha=0.55), "p50 (dotted)")]
    return Chart("latency", "Latency p50 and p99 vs connections",
                 plot.finish(extra_legend=legend))


def _idle_chart(document):
    plot = _scenario_plot(document, "Throughput vs idle connections",
                          "idle connections (open, sending nothing)", THROUGHPUT, log_x=False)
    for series in build_series(document.runs, results.idle):
        plot.draw(series, results.idle, THROUGHPUT)
    # FD_SETSIZE counts descriptors, so on this axis it sits where the active
    # plus the idle connections reach it; only meaningful when active is fixed.
    actives = {results.active(run) for run in document.runs}
    fd_setsize = _fd_setsize(document)
    if len(actives) == 1 and fd_setsize:
        x = fd_setsize - actives.pop()
        if x > 0:
            plot.fd_setsize_line(x, f"FD_SETSIZE = {fd_setsize} connections")
    return Chart("idle-throughput", "Throughput vs idle connections",
                 plot.finish())


# A timeline needs a few seconds to show a course rather than a point.
MIN_TIMELINE_SECONDS = 3


def _per_second(run):
    """(second, requests/s, p99 µs) for each second of the run's window. The
    last second is a part one when the window was not whole seconds (or was
    interrupted): its count is scaled to a rate, and a sliver is left out."""
    measured = results.measured_s(run)
    points = []
    for second in run.get("timeseries") or []:
        covered = 1.0 if measured is None else min(1.0, measured - (second["t_s"] - 1))
        if covered < 0.1:
            continue
        points.append((second["t_s"], second["requests"] / covered, second["p99_us"]))
    return points


def _p99_line(points):
    """The p99 line's x and y from _per_second's points. A second in which
    nothing completed has no p99 (null): it is NaN, which matplotlib leaves
    as a break in the line. Dropping the point instead would draw the line
    straight across the stall, and 0 would be a latency."""
    return ([t for t, _, _ in points],
            [math.nan if micros is None else micros for _, _, micros in points])


def _timeline_series(document):
    """The document's largest connection count, and per model and load
    variant its run there, where that run has MIN_TIMELINE_SECONDS or more."""
    most = max(results.connections(run) for run in document.runs)
    runs = [run for run in document.runs if results.connections(run) == most
            and len(_per_second(run)) >= MIN_TIMELINE_SECONDS]
    return most, build_series(runs, results.connections)


def _timeline_chart(document, most, series_list):
    """Requests/s and p99 in each second of the window: a stall, a slow
    start or a drift that the window's totals average away. `most` and
    `series_list` come from _timeline_series."""
    context = document.context
    title = (f"{document.name} ({document.protocol}): each second at {most:,} connections\n"
             f"on {context['host']}, {context['cpus']} CPUs, c10k {context['tool_version']}")
    figure = Figure(figsize=(style.FIGURE_SIZE[0], style.FIGURE_SIZE[1] * 1.25),
                    dpi=style.PNG_DPI)
    FigureCanvasAgg(figure)
    figure.subplots_adjust(left=0.11, right=0.76, top=0.88, bottom=0.16, hspace=0.1)
    rate_ax, p99_ax = figure.subplots(2, 1, sharex=True)
    rate_ax.set_title(title, fontsize=10.5, pad=16)
    rate_ax.set_ylabel("requests per second")
    p99_ax.set_ylabel("p99 latency")
    p99_ax.set_yscale("log")
    p99_ax.set_xlabel("second of the measured window")
    figure.text(0.01, 0.015, results.context_line(document), fontsize=6.5, color="#444444")
    for series in series_list:
        run = series.runs[0]
        points = _per_second(run)
        label = series.label
        if results.failed(run):
            label += f" ({run['status']})"  # the reason is in the other charts' labels
        elif series.variant:
            label = series.legend_label  # the variant has its own key
        common = {"color": series.colour, "linestyle": series.linestyle, "marker": "o",
                  "markersize": 3.5, "linewidth": 1.6}
        # The rate line carries the series id, the p99 line its -secondary.
        rate_ax.plot([t for t, _, _ in points], [rate for _, rate, _ in points], label=label,
                     gid=series.gid, **common)
        p99_ax.plot(*_p99_line(points), gid=f"{series.gid}-secondary", **common)
    rate_ax.set_ylim(bottom=0)
    rate_ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _count_text(v)))
    _set_log_y_ticks(p99_ax, _micros_text)
    p99_ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    handles, labels = rate_ax.get_legend_handles_labels()
    keys = variant_keys(series_list)
    rate_ax.legend(handles + [handle for handle, _ in keys], labels + [text for _, text in keys],
                   loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    return Chart("timeline", f"Each second at {most:,} connections", figure)


def scenario_charts(document):
    """Every chart that applies to the document, in reading order."""
    if not document.runs:  # interrupted before its first point: no axis to draw
        return []
    charts = [
        _connections_chart(document, THROUGHPUT),
        _latency_chart(document),
        _connections_chart(document, CPU, floor=_cpu_floor),
        _connections_chart(document, RSS),
    ]
    # Documents from before the tool read the kernel's TCP counters have none.
    if any(results.tcp_segments_per_request(run) is not None for run in document.runs):
        charts.append(_connections_chart(document, TCP, floor=_segments_floor))
    # The idle chart is for sweeps that hold connections open without traffic.
    if any(results.idle(run) > 0 for run in document.runs):
        charts.append(_idle_chart(document))
    # Windows of a few seconds or more: what happened second by second.
    most, timeline = _timeline_series(document)
    if timeline:
        charts.append(_timeline_chart(document, most, timeline))
    return charts
