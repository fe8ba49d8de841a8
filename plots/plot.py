#!/usr/bin/python3
"""Charts from c10k results documents (and Google Benchmark JSON), as PNG and SVG.

For each results document (one scenario: `c10k run` or `c10k load --json`):
  SCENARIO-throughput       requests/s vs connections (log x)
  SCENARIO-latency          p50 and p99 latency vs connections (log x, log y)
  SCENARIO-cpu-per-request  server CPU µs per request vs connections, with the
                            calibrated send+recv floor
  SCENARIO-rss-per-connection  server RSS / connections (log y)
  SCENARIO-tcp-segments-per-request  the host's TCP segments per request vs
                            connections, with the line at 2 (every ACK riding
                            on a request or reply); above it, bare ACKs, as
                            from the 40 ms delayed-ACK timer
  SCENARIO-idle-throughput  requests/s vs idle connections, when the sweep
                            holds idle connections
  SCENARIO-timeline         requests/s and p99 in each second of the window,
                            at the most connections, for windows of 3 s or
                            more: stalls and drift the totals average away
With --bench: wait-cost-per-call, the cost of one select/poll/epoll wait
against the registered descriptors, from bench/'s Google Benchmark JSON.

One line per model, in the same colour in every chart; a cross where a model
hit its ceiling or failed, labelled with the reason; a dashed line at
FD_SETSIZE where the sweep comes near it. Titles and footers name the host,
kernel, CPUs and tool version.

A document without runs (a sweep interrupted before its first point) gets a
note on stderr and no charts.

Exit 0: charts written; 2: a file is missing or not a results document, no
document has a run to chart, or --out cannot be a directory (one line on
stderr).
"""
import argparse
import os
import sys

import charts
import micro
import results
import style


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="plot.py", description=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example: plots/plot.py results/c10k-curve-*.json --out results/charts")
    parser.add_argument("results", nargs="*", metavar="RESULTS.json",
                        help="results documents written by `c10k run` or `c10k load --json`")
    parser.add_argument("--bench", action="append", default=[], metavar="BENCH.json",
                        help="Google Benchmark JSON from bench/ (--benchmark_format=json or "
                             "--benchmark_out); may be given more than once")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="directory for the charts (created if missing)")
    parser.add_argument("--format", choices=["png", "svg", "both"], default="both",
                        help="which files to write (default: both)")
    args = parser.parse_args(argv)
    if not args.results and not args.bench:
        parser.error("give at least one RESULTS.json or --bench BENCH.json")
    return args


def chart_stems(documents):
    """A file stem per document: its scenario name, with its start time when
    two documents share a name, so none overwrites another."""
    names = [document.name for document in documents]
    stems = []
    for document in documents:
        stem = document.name
        if names.count(stem) > 1:
            stem += "-" + document.context.get("started_at", "").replace(":", "")
        while stem in stems:
            stem += "-2"
        stems.append(stem)
    return stems


def check_out(out):
    """Refuses an --out that cannot be the charts' directory now, rather than
    after every chart is drawn."""
    if os.path.lexists(out) and not os.path.isdir(out):
        raise results.InputError(f"--out {out} is a file; name a directory for the charts")
    results.check_can_write_in(out, out)


def no_runs_text(document):
    """'FILE has no runs', with why when the document says."""
    text = f"{document.path} has no runs"
    if document.data.get("interrupted"):
        return text + " (the sweep was interrupted before its first point)"
    if document.data.get("skipped"):
        return text + " (every model was skipped: not built here, or not serving the protocol)"
    return text


def save(figure, path_stem, formats):
    written = []
    for extension in formats:
        path = f"{path_stem}.{extension}"
        # No date in the metadata: the same document gives the same file.
        metadata = {"Date": None} if extension == "svg" else {}
        figure.savefig(path, format=extension, dpi=style.PNG_DPI, metadata=metadata)
        written.append(path)
    return written


def run(args):
    check_out(args.out)
    documents = results.load_documents(args.results)
    benches = [micro.load_benchmarks(path) for path in args.bench]
    # `c10k run` writes a document even when interrupted before its first
    # point: valid, but with nothing to chart. Chart the others; only when
    # nothing at all can be drawn is that an error.
    charted = [document for document in documents if document.runs]
    if not charted and not benches:
        raise results.InputError("nothing to plot: " + "; ".join(map(no_runs_text, documents)))
    for document in documents:
        if not document.runs:
            print(f"plot.py: {no_runs_text(document)}: no charts for it", file=sys.stderr)
    formats = ["png", "svg"] if args.format == "both" else [args.format]
    os.makedirs(args.out, exist_ok=True)
    written = []
    for document, stem in zip(charted, chart_stems(charted)):
        for chart in charts.scenario_charts(document):
            written += save(chart.figure, os.path.join(args.out, f"{stem}-{chart.name}"), formats)
    if benches:
        fd_setsize = documents[0].context["fd_setsize"] if documents else None
        chart = micro.wait_chart(benches, fd_setsize)
        written += save(chart.figure, os.path.join(args.out, chart.name), formats)
    for path in written:
        print(path)
    return 0


def main(argv):
    args = parse_args(argv)
    return results.exit_on_input_error("plot.py", lambda: run(args))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
