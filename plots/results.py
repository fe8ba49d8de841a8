"""Reading c10k results documents, shared by plot.py, report.py and compare.py.

A document is what `c10k run` or `c10k load --json` writes (results/schema.json,
results/README.md). Loading checks only what the scripts rely on, and turns
every problem into one line naming the file, so a script can print it and exit
2 as the CLI does for bad input. The helpers below read one run: a run whose
server never started has only model, protocol, params, status and reason, so
every measured value may be missing and comes back as None.
"""
import json
import os
import sys
from dataclasses import dataclass

SCHEMA_VERSION = 1

# The parameters that say what load a point applied, with the value each has
# when a run does not record it (a point whose server never started records
# only connections, active, depth and message_size). Matching on these rather
# than on every params field lets such a point meet its measured counterpart,
# and keeps the generator's own settings (target port, threads, timeouts) out
# of a point's identity. http's method, path and body size are part of it: a
# POST of 100 kB is not the GET it would otherwise be matched to; so is resp's
# SET:GET ratio (runs from before it was recorded alternated, 1:1).
LOAD_SHAPE = ("connections", "active", "depth", "rate", "mode", "message_size", "keys",
              "ratio", "slow_clients", "method", "path", "body_bytes", "requests_per_connection")
LOAD_SHAPE_DEFAULTS = {"depth": 1, "rate": 0, "mode": "closed", "message_size": 64, "keys": 0,
                       "ratio": "1:1", "slow_clients": 0, "method": "GET", "path": "/",
                       "body_bytes": None, "requests_per_connection": 0}
# Shorter names in labels and legends, as `c10k run` prints its points.
LOAD_SHAPE_WORDS = {"requests_per_connection": "per-connection"}


class InputError(Exception):
    """A file the scripts cannot use; str() is the one line to print."""


@dataclass
class Document:
    path: str
    data: dict

    @property
    def context(self):
        return self.data["context"]

    @property
    def runs(self):
        return self.data["runs"]

    @property
    def scenario(self):
        return self.data.get("scenario") or {}

    @property
    def name(self):
        return self.scenario.get("name") or "results"

    @property
    def protocol(self):
        protocols = sorted({run["protocol"] for run in self.runs})
        return ", ".join(protocols)


def load_document(path):
    """Reads and checks one results document; raises InputError."""
    try:
        with open(path, encoding="utf-8") as source:
            data = json.load(source)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a results document") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a results document (not UTF-8 text)") from None
    except ValueError as error:
        raise InputError(f"{path}: not a results document (not JSON: {error})") from None
    if not isinstance(data, dict) or "schema_version" not in data or "context" not in data:
        raise InputError(f"{path}: not a results document (no schema_version and context)")
    if data["schema_version"] != SCHEMA_VERSION:
        raise InputError(f"{path}: schema_version {data['schema_version']!r} is not supported "
                         f"(these scripts read version {SCHEMA_VERSION})")
    if not isinstance(data.get("runs"), list):
        raise InputError(f"{path}: a results document without runs (a `c10k calibrate` "
                         "document?): nothing to show")
    for index, run in enumerate(data["runs"]):
        missing = [field for field in ("model", "protocol", "params", "status")
                   if not isinstance(run, dict) or field not in run]
        if not missing and "connections" not in run["params"]:
            missing = ["params.connections"]
        if missing:
            raise InputError(f"{path}: runs[{index}] has no {missing[0]}: not a valid results "
                             "document")
    for field in ("host", "kernel", "cpus", "tool_version", "fd_setsize"):
        if field not in data["context"]:
            raise InputError(f"{path}: context has no {field}: not a valid results document")
    return Document(path, data)


def load_documents(paths):
    return [load_document(path) for path in paths]


def exit_on_input_error(program, action):
    """Runs action(); an InputError becomes one line on stderr and exit 2."""
    try:
        return action()
    except InputError as error:
        print(f"{program}: {error}", file=sys.stderr)
        return 2


def _nearest_existing(path):
    """path, or its closest ancestor that exists: where creating it would start."""
    path = os.path.abspath(path)
    while not os.path.lexists(path) and os.path.dirname(path) != path:
        path = os.path.dirname(path)
    return path


def check_can_write_in(directory, out):
    """Raises InputError when `directory` (what --out `out` needs) could not
    be created or written in: its nearest existing ancestor is a file, or one
    we may not write into. Checks without creating anything, so a run stopped
    later by bad input leaves no empty directory behind, and says so before
    any chart is drawn."""
    existing = _nearest_existing(directory)
    if not os.path.isdir(existing):
        raise InputError(f"--out {out}: cannot write there: {existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(f"--out {out}: cannot write there: no permission to write in "
                         f"{existing}")


def _number(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def connections(run):
    return run["params"]["connections"]


def active(run):
    value = run["params"].get("active")
    return connections(run) if value is None else value


def idle(run):
    return connections(run) - active(run)


def requests_per_s(run):
    return _number((run.get("throughput") or {}).get("requests_per_s"))


def measured_s(run):
    """The length of the window the run measured, in seconds."""
    return _number(run.get("measured_s"))


def latency_us(run, percentile):
    """percentile is a latency_us key: p50, p90, p99, p999, max or mean."""
    return _number((run.get("latency_us") or {}).get(percentile))


def cpu_us_per_request(run):
    """Server CPU time (user + system) per completed request, in microseconds."""
    cpu = run.get("cpu") or {}
    user, system = _number(cpu.get("server_user_s")), _number(cpu.get("server_sys_s"))
    requests = _number((run.get("throughput") or {}).get("requests"))
    if user is None or system is None or not requests:
        return None
    return (user + system) * 1e6 / requests


def tcp_segments_per_request(run):
    """The host's TCP segments per completed request over the window (both
    ends, on loopback); None for documents from before the tool counted
    them, and for runs that completed nothing."""
    requests = _number((run.get("throughput") or {}).get("requests"))
    if not requests:
        return None
    return _number((run.get("tcp") or {}).get("segments_per_request"))


def rss_kib_per_connection(run):
    rss = _number((run.get("cpu") or {}).get("server_rss_kib"))
    return None if rss is None else rss / connections(run)


def failed(run):
    return run["status"] != "ok"


def short_reason(run, limit=60):
    """The reason up to its first ':' or ';', cut to `limit` characters: a label."""
    reason = run.get("reason") or run["status"]
    for stop in (":", ";"):
        reason = reason.split(stop, 1)[0]
    reason = reason.strip()
    return reason if len(reason) <= limit else reason[:limit - 1].rstrip() + "…"


def micros_text(micros):
    """A duration in microseconds for a table cell: '842 µs', '13.4 ms', '1.2 s'
    (three significant digits); '–' when it was not measured."""
    if micros is None:
        return "–"
    if micros >= 1e6:
        return f"{micros / 1e6:.3g} s"
    return f"{micros / 1e3:.3g} ms" if micros >= 1e3 else f"{micros:.3g} µs"


def load_shape(run):
    """The point's load as a tuple of LOAD_SHAPE values, defaults filled in."""
    params = run["params"]
    defaults = dict(LOAD_SHAPE_DEFAULTS, active=params["connections"])
    return tuple(params.get(name, defaults.get(name)) for name in LOAD_SHAPE)


def describe_load(run, skip=("connections",)):
    """The load shape in words, leaving out defaults: 'active=100 depth=4'."""
    params = dict(zip(LOAD_SHAPE, load_shape(run)))
    words = []
    for name in LOAD_SHAPE:
        value = params[name]
        if name in skip or value == LOAD_SHAPE_DEFAULTS.get(name):
            continue
        if name == "active" and value == params["connections"]:
            continue
        if name == "mode":
            continue  # a rate above zero already says open loop
        word = LOAD_SHAPE_WORDS.get(name, name)
        words.append(f"{word}={value:g}" if isinstance(value, float) else f"{word}={value}")
    return " ".join(words)


def context_line(document):
    """Where and with what the document was measured, for chart footers."""
    context = document.context
    tool = f"c10k {context['tool_version']}"
    if context.get("git_sha"):
        tool += f" ({context['git_sha'][:12]}"
        tool += f", {context['build_type']})" if context.get("build_type") else ")"
    parts = [f"host {context['host']}", context["kernel"], f"{context['cpus']} CPUs", tool]
    if context.get("started_at"):
        parts.append(context["started_at"])
    scenario = document.scenario
    if scenario.get("quick"):
        parts.append("quick")
    if scenario.get("duration_s"):
        repetitions = scenario.get("repetitions", 1)
        parts.append(f"{scenario['duration_s']:g} s measured × {repetitions} "
                     f"repetition{'s' if repetitions != 1 else ''}")
    return " · ".join(parts)
