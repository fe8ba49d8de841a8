#!/usr/bin/python3
"""One self-contained HTML report from c10k results documents, for CI artifacts.

For each results document, one section: where it was measured (host, kernel,
CPUs, tool version, limits, the calibrated floors), the charts plot.py draws,
inlined as SVG, a table of every point (model, load, status, requests/s, p50
and p99 latency, server CPU, reason), and each ceiling or error in a sentence.
With --bench, a last section with the micro-benchmark wait-cost chart.

The file needs nothing else: no scripts, no stylesheets, fonts or images from
anywhere, so it opens the same from a CI artifact, a mail or a laptop offline.

Exit 0: report written (its path printed); 2: a file is missing or not a
results document, or --out cannot be written (one line on stderr).
"""
import argparse
import html
import io
import os
import re
import sys
import tempfile

import charts
import micro
import results
import style

# What each calibration floor measures (runner/calibration.h), in its order.
CALIBRATION_FLOORS = [
    ("syscall_ns", "a trivial system call (getppid)"),
    ("tcp_send_recv_ns", "TCP send + recv of 64 B on loopback, one thread"),
    ("tcp_round_trip_same_core_ns", "TCP round trip between two threads on one CPU"),
    ("tcp_round_trip_cross_core_ns", "TCP round trip between threads on two CPUs"),
    ("poll_1000_idle_ns", "poll() over 1,000 idle + 1 ready descriptors"),
    ("epoll_wait_1000_idle_ns", "epoll_wait() over 1,000 idle + 1 ready descriptors"),
]

# System fonts only: a web font would be an external asset.
CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
       margin: 1.5em auto; max-width: 1200px; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { border-top: 2px solid #ccc; padding-top: 0.8em; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.6em 0; }
th, td { padding: 0.2em 0.6em; border-bottom: 1px solid #e3e3e3; text-align: left;
         vertical-align: top; }
td.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.context th { font-weight: normal; color: #555; }
td.model, td.load { white-space: nowrap; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.35em;
          border-radius: 2px; vertical-align: -0.05em; }
.ok { color: #1b7a1b; } .ceiling { color: #b35900; font-weight: bold; }
.error { color: #c00000; font-weight: bold; }
.note { color: #555; } .warning { color: #b35900; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr));
          gap: 0.8em; }
figure { margin: 0; }
figure svg { width: 100%; height: auto; }
small { color: #666; }
"""


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="report.py", description=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example: plots/report.py results/fd-setsize-*.json --out report.html")
    parser.add_argument("results", nargs="+", metavar="RESULTS.json",
                        help="results documents written by `c10k run` or `c10k load --json`; "
                             "one section each, in the order given")
    parser.add_argument("--out", required=True, metavar="REPORT.html",
                        help="the HTML file to write (its directory is created if missing)")
    parser.add_argument("--bench", action="append", default=[], metavar="BENCH.json",
                        help="Google Benchmark JSON from bench/, for a wait-cost chart; "
                             "may be given more than once")
    parser.add_argument("--title", default="c10k-bench report",
                        help="the page title (default: %(default)s)")
    return parser.parse_args(argv)


def _text(value):
    return html.escape(str(value))


def inline_svg(figure, prefix):
    """The figure as an <svg> element to paste into HTML. Every chart's ids
    get `prefix`: matplotlib derives clip-path ids partly from Python object
    ids, so two charts in one page could define the same id differently."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    # The XML prologue and doctype are not allowed inside HTML; the RDF
    # metadata only names matplotlib.
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.S)
    svg = re.sub(r'\bid="', f'id="{prefix}', svg)
    svg = svg.replace('href="#', f'href="#{prefix}').replace("url(#", f"url(#{prefix}")
    return svg


def _nanos_text(nanos):
    if not nanos:
        return "not measured"
    return f"{nanos / 1e3:.3g} µs" if nanos >= 1e3 else f"{nanos:.3g} ns"


def _rows(pairs):
    cells = "".join(f"<tr><th>{_text(name)}</th><td>{_text(value)}</td></tr>"
                    for name, value in pairs)
    return f'<table class="context">{cells}</table>'


def context_html(document):
    context = document.context
    tool = f"c10k {context['tool_version']}"
    if context.get("git_sha"):
        tool += f", git {context['git_sha']}"
    if context.get("build_type"):
        tool += f", {context['build_type']} build"
    pairs = [("host", context["host"]), ("kernel", context["kernel"]),
             ("CPUs", context["cpus"]), ("tool", tool),
             ("started", context.get("started_at", "–")),
             ("FD_SETSIZE", context["fd_setsize"])]
    limit = context.get("rlimit_nofile") or {}
    if limit:
        pairs.append(("RLIMIT_NOFILE", f"soft {limit.get('soft')}, hard {limit.get('hard')}"))
    placement = context.get("placement") or {}
    if placement:
        pairs.append(("pinned", f"server on CPU {placement.get('server_cpu', '?')}, load "
                                f"generator on CPU {placement.get('loadgen_cpu', '?')}"))
    scenario = document.scenario
    if scenario.get("file"):
        pairs.append(("scenario file", f"{scenario['file']} (sha256 "
                                       f"{(scenario.get('sha256') or '?')[:12]})"))
    if scenario.get("duration_s"):
        pairs.append(("each point", f"{scenario['duration_s']:g} s measured after "
                                    f"{scenario.get('warmup_s', 0):g} s warmup, "
                                    f"{scenario.get('repetitions', 1)} repetition(s)"
                                    + (", quick" if scenario.get("quick") else "")))
    floors = context.get("calibration") or {}
    calibration = [(description, _nanos_text(floors.get(key)))
                   for key, description in CALIBRATION_FLOORS if key in floors]
    parts = [_rows(pairs)]
    if calibration:
        parts.append("<h3>Calibrated floors (medians on this machine)</h3>" + _rows(calibration))
    else:
        parts.append('<p class="note">No calibration floors in this document.</p>')
    return "\n".join(parts)


def _model_cell(model):
    return (f'<span class="swatch" style="background:{style.model_colour(model)}"></span>'
            f"{_text(model)}")


def load_text(run):
    extra = results.describe_load(run)
    count = results.connections(run)
    text = f"{count:,} connection{'s' if count != 1 else ''}"
    return text + (f", {extra}" if extra else "")


def _rate_cell(run):
    """Requests/s, with the range over repetitions below it: how far apart
    the repetitions were says how much to trust a difference."""
    rate = results.requests_per_s(run)
    if rate is None:
        return "–"
    cell = f"{rate:,.0f}"
    rates = [rep["requests_per_s"] for rep in run.get("repetitions") or []]
    if len(rates) > 1:
        cell += f"<br><small>{min(rates):,.0f}–{max(rates):,.0f}</small>"
    return cell


def _cpu_cell(run):
    percent = (run.get("cpu") or {}).get("server_cpu_pct")
    per_request = results.cpu_us_per_request(run)
    parts = []
    if percent is not None:
        parts.append(f"{percent:.0f} %")
    if per_request is not None:
        parts.append(f"<small>{_text(results.micros_text(per_request))}/req</small>")
    return "<br>".join(parts) or "–"


def _segments_cell(run):
    segments = results.tcp_segments_per_request(run)
    return "–" if segments is None else f"{segments:.2f}"


def points_table(document):
    head = ("<tr><th>model</th><th>protocol</th><th>load</th><th>status</th>"
            "<th>req/s</th><th>p50</th><th>p99</th><th>server CPU</th>"
            '<th title="the host&#39;s TCP segments per request over the window; 2 when every '
            'ACK rides on a request or reply">TCP segs/req</th><th>reason</th></tr>')
    rows = []
    for run in sorted(document.runs, key=lambda run: (style.model_sort_key(run["model"]),
                                                      results.load_shape(run))):
        status = run["status"]
        rows.append(
            f'<tr><td class="model">{_model_cell(run["model"])}</td>'
            f"<td>{_text(run['protocol'])}</td>"
            f'<td class="load">{_text(load_text(run))}</td>'
            f'<td class="{_text(status)}">{_text(status)}</td>'
            f'<td class="number">{_rate_cell(run)}</td>'
            f'<td class="number">{_text(results.micros_text(results.latency_us(run, "p50")))}</td>'
            f'<td class="number">{_text(results.micros_text(results.latency_us(run, "p99")))}</td>'
            f'<td class="number">{_cpu_cell(run)}</td>'
            f'<td class="number">{_segments_cell(run)}</td>'
            f"<td>{_text(run.get('reason') or '')}</td></tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def ceiling_sentence(run):
    """One sentence: which model, at what load, what happened and why."""
    verb = "hit its ceiling" if run["status"] == "ceiling" else "failed"
    reason = (run.get("reason") or "no reason was recorded").strip()
    if not reason.endswith((".", "!", "?")):
        reason += "."
    return f"{run['model']} {verb} at {load_text(run)}: {reason}"


def ceilings_html(document):
    failed = [run for run in document.runs if results.failed(run)]
    if not failed:
        return '<p class="note">Every point passed: no ceiling was hit.</p>'
    items = []
    for run in failed:
        # The server's own one-time lines often say why in its words.
        said = "".join(f"<br><small>server: {_text(line)}</small>"
                       for line in run.get("server_log") or [])
        items.append(f"<li>{_text(ceiling_sentence(run))}{said}</li>")
    return f"<ul>{''.join(items)}</ul>"


def figures_html(chart_list, prefix):
    figures = [f"<figure>{inline_svg(chart.figure, f'{prefix}c{index}-')}</figure>"
               for index, chart in enumerate(chart_list)]
    return f'<div class="charts">{"".join(figures)}</div>'


def document_html(document, anchor):
    scenario = document.scenario
    parts = [f'<section id="{anchor}"><h2>{_text(document.name)} '
             f"<small>({_text(document.protocol or 'no runs')}, "
             f"{_text(os.path.basename(document.path))})</small></h2>"]
    if scenario.get("description"):
        parts.append(f"<p>{_text(scenario['description'])}</p>")
    if document.data.get("interrupted"):
        parts.append('<p class="warning">The run was interrupted (SIGINT): the points '
                     "after it are missing.</p>")
    parts.append(context_html(document))
    if document.runs:
        parts.append("<h3>Charts</h3>" + figures_html(charts.scenario_charts(document),
                                                      f"{anchor}-"))
    parts.append("<h3>Ceilings and errors</h3>" + ceilings_html(document))
    parts.append("<h3>Every point</h3>" + points_table(document))
    skipped = document.data.get("skipped") or []
    if skipped:
        parts.append("<h3>Models not run</h3><ul>" + "".join(
            f"<li>{_text(entry['model'])}: {_text(entry['reason'])}</li>" for entry in skipped)
            + "</ul>")
    parts.append("</section>")
    return "\n".join(parts)


def bench_html(benches, fd_setsize):
    chart = micro.wait_chart(benches, fd_setsize)
    files = ", ".join(os.path.basename(bench.path) for bench in benches)
    return (f'<section id="bench"><h2>{_text(chart.title)} <small>({_text(files)})</small>'
            f"</h2>{figures_html([chart], 'bench-')}</section>")


def page_html(title, documents, sections):
    contents = "".join(
        f'<li><a href="#doc{index}">{_text(document.name)}</a> '
        f"<small>{_text(results.context_line(document))}</small></li>"
        for index, document in enumerate(documents, 1))
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_text(title)}</title><style>{CSS}</style></head>\n<body>"
            f"<h1>{_text(title)}</h1><ul>{contents}</ul>\n" + "\n".join(sections)
            + "\n</body></html>\n")


def is_stream(path):
    """/dev/stdout, /dev/null, a named pipe: there, but not a file or a directory."""
    return os.path.exists(path) and not os.path.isfile(path) and not os.path.isdir(path)


def check_out(out):
    """Refuses an --out the page cannot be written to now, rather than after
    every chart is drawn. A trailing slash means a directory too: the page
    would otherwise be written as a file of that name."""
    if is_stream(out):
        return
    if os.path.isdir(out) or out.endswith(os.sep):
        raise results.InputError(f"--out {out} is a directory; name the HTML file to write")
    # Through a link, the file it names is the one replaced (write_atomically).
    results.check_can_write_in(os.path.dirname(os.path.realpath(out)), out)


def write_atomically(path, text):
    """Temp file + rename, as the CLI writes its JSON: a reader never sees half.
    A stream is written straight through (a file renamed over /dev/stdout would
    replace the device); through a link, the file it names is replaced."""
    if is_stream(path):
        with open(path, "w", encoding="utf-8") as out:
            out.write(text)
        return
    path = os.path.realpath(path)
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=directory, prefix=".report-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise


def run(args):
    check_out(args.out)
    documents = results.load_documents(args.results)
    benches = [micro.load_benchmarks(path) for path in args.bench]
    sections = [document_html(document, f"doc{index}")
                for index, document in enumerate(documents, 1)]
    if benches:
        sections.append(bench_html(benches, documents[0].context["fd_setsize"]))
    streamed = is_stream(args.out)
    write_atomically(args.out, page_html(args.title, documents, sections))
    if not streamed:  # after the page itself, the name would corrupt it
        print(args.out)
    return 0


def main(argv):
    args = parse_args(argv)
    return results.exit_on_input_error("report.py", lambda: run(args))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
