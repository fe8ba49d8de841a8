"""The micro-benchmark chart: what one wait costs against how many descriptors
are registered, for select, poll and epoll (and kqueue where it ran), from the
Google Benchmark JSON that bench/ writes.

Google Benchmark names a run FAMILY/ARG:VALUE/...; with repetitions it adds
aggregate entries (run_type "aggregate", aggregate_name "median", ...). The
median is used when there is one, else the mean of the iterations. A run
skipped with SkipWithError (select past FD_SETSIZE) is drawn as a ceiling.
"""
import json
import statistics
from dataclasses import dataclass, field

import charts
import results

# Benchmark family -> model: the one place bench/'s names meet the models'.
# Both name orders are accepted, so a rename in bench/ is one line here.
WAIT_BENCHMARKS = {
    "BM_WaitSelect": "select", "BM_SelectWait": "select",
    "BM_WaitPoll": "poll", "BM_PollWait": "poll",
    "BM_WaitEpoll": "epoll", "BM_EpollWait": "epoll",
    "BM_WaitKqueue": "kqueue", "BM_KqueueWait": "kqueue",
}
# Where N comes from: an argument in the run's name, and what to add to get
# the registered descriptors ("idle" counts the idle ones beside one ready).
REGISTERED_ARGS = (("registered", 0), ("idle", 1))
NANOS_PER_UNIT = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
# Where the context does not say: glibc's and macOS's FD_SETSIZE.
DEFAULT_FD_SETSIZE = 1024


@dataclass
class BenchDocument:
    path: str
    context: dict
    # (model, registered) -> nanoseconds per call; and the runs skipped with an error.
    wait_ns: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)


def _registered(entry, run_name):
    args = dict(part.split(":", 1) for part in run_name.split("/")[1:] if ":" in part)
    for name, extra in REGISTERED_ARGS:
        if name in args:
            try:
                return int(float(args[name])) + extra
            except ValueError:
                return None
    # No argument name (no ->ArgNames): a user counter of that name.
    value = entry.get("registered")
    return int(value) if isinstance(value, (int, float)) and value > 0 else None


def load_benchmarks(path):
    """Reads one Google Benchmark JSON file; raises results.InputError."""
    try:
        with open(path, encoding="utf-8") as source:
            data = json.load(source)
    except FileNotFoundError:
        raise results.InputError(f"{path}: no such file") from None
    except OSError as error:
        raise results.InputError(f"{path}: cannot read: {error.strerror}") from None
    except ValueError as error:
        raise results.InputError(
            f"{path}: not Google Benchmark JSON (not JSON: {error})") from None
    if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list):
        raise results.InputError(f"{path}: not Google Benchmark JSON (no benchmarks list)")
    document = BenchDocument(path, data.get("context") or {})
    medians, iterations = {}, {}
    for entry in data["benchmarks"]:
        run_name = entry.get("run_name") or entry.get("name", "")
        model = WAIT_BENCHMARKS.get(run_name.split("/")[0])
        registered = _registered(entry, run_name) if model else None
        if registered is None:
            continue
        key = (model, registered)
        if entry.get("error_occurred"):
            document.errors[key] = entry.get("error_message") or "skipped with an error"
            continue
        unit = NANOS_PER_UNIT.get(entry.get("time_unit", "ns"))
        if unit is None or not isinstance(entry.get("real_time"), (int, float)):
            continue
        nanos = entry["real_time"] * unit
        if entry.get("run_type") == "aggregate":
            if entry.get("aggregate_name") == "median":
                medians[key] = nanos
        else:
            iterations.setdefault(key, []).append(nanos)
    for key, values in iterations.items():
        document.wait_ns[key] = statistics.mean(values)
    document.wait_ns.update(medians)
    if not document.wait_ns and not document.errors:
        raise results.InputError(f"{path}: no wait benchmarks in it (looked for "
                                 f"{', '.join(sorted(set(WAIT_BENCHMARKS)))})")
    return document


def _as_runs(documents):
    """Each measurement as a run-shaped dict (registered descriptors on the
    connections axis), so the scenario charts' drawing applies unchanged."""
    runs = {}
    for document in documents:
        for (model, registered), nanos in document.wait_ns.items():
            runs[(model, registered)] = {"model": model, "params": {"connections": registered},
                                         "status": "ok", "reason": "", "wait_ns": nanos}
        for (model, registered), message in document.errors.items():
            runs.setdefault((model, registered), {
                "model": model, "params": {"connections": registered}, "status": "ceiling",
                "reason": message})
    return list(runs.values())


def _footer(documents):
    parts = []
    for document in documents:
        context = document.context
        words = [f"host {context.get('host_name', '?')}", f"{context.get('num_cpus', '?')} CPUs"]
        if context.get("mhz_per_cpu"):
            words.append(f"{context['mhz_per_cpu']} MHz")
        if context.get("library_build_type"):
            words.append(f"Google Benchmark library {context['library_build_type']} build")
        if context.get("date"):
            words.append(context["date"])
        parts.append(" · ".join(words))
    return "; ".join(dict.fromkeys(parts))


WAIT = charts.Metric("wait-cost-per-call", "Wait cost per call",
                     "time per wait call (ns, one descriptor ready)",
                     lambda run: run.get("wait_ns"), True,
                     lambda value: f"{value / 1e3:g} µs" if value >= 1e3 else f"{value:g} ns")


def wait_chart(documents, fd_setsize=None):
    """The chart of every wait benchmark in `documents`, one line per model."""
    context = documents[0].context
    fd_setsize = fd_setsize or int(context.get("fd_setsize", DEFAULT_FD_SETSIZE))
    title = (f"Wait cost per call vs registered descriptors (micro-benchmark)\n"
             f"on {context.get('host_name', '?')}, {context.get('num_cpus', '?')} CPUs")
    plot = charts.Plot(title, _footer(documents), "registered descriptors (log scale)", WAIT)
    runs = _as_runs(documents)
    for series in charts.build_series(runs, results.connections):
        plot.draw(series, results.connections, WAIT)
    plot.fd_setsize_line(fd_setsize, f"FD_SETSIZE = {fd_setsize}")
    return charts.Chart(WAIT.name, "Wait cost per call vs registered descriptors",
                        plot.finish())
