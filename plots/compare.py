#!/usr/bin/python3
"""Compares two c10k results documents point by point, for CI: did NEW regress?

Points are matched by model, protocol and load shape (connections, active,
depth, rate, message size, ...), so the generator's own settings (port,
threads) do not matter. For each matched point: the change in requests/s and
in p99 latency, in percent. A point regresses when
  - it was ok in BASE and hit a ceiling or failed in NEW, or
  - its throughput fell, or its p99 rose, by more than --threshold percent
    AND the ranges of its repetitions in the two files do not overlap (a
    point without repetitions counts as the range of its one value).
A change beyond the threshold whose repetitions overlap is reported as noise:
the runs disagree with themselves as much as with each other. A point that
failed in both files is not judged on its numbers: they measure a run that
broke. Points in only one file are listed, not failed.

Exit 0: no point regressed; 1: at least one did; 2: a file is missing or not a
results document, or the two have no point in common (one line on stderr).
"""
import argparse
import json
import math
import sys
from dataclasses import dataclass

import results
import style


@dataclass
class Metric:
    name: str  # the key in --json output
    label: str
    value: object  # run -> number or None
    repetition_field: str
    worse: int  # +1: a rise is worse (latency); -1: a fall is worse (throughput)
    unit_text: object


def _rate_text(value):
    return f"{value:,.0f}"


METRICS = [
    Metric("requests_per_s", "throughput", results.requests_per_s, "requests_per_s", -1,
           _rate_text),
    Metric("p99_us", "p99", lambda run: results.latency_us(run, "p99"), "p99_us", +1,
           results.micros_text),
]
# A point's verdict is the first of these that any of its metrics has: one
# regressed metric fails the point whatever the other did. "failing" (a
# ceiling or error in both files) is never mixed with the others.
VERDICTS = ["regressed", "improved", "noise", "same", "failing"]


def parse_args(argv):
    def percent(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        # "nan" parses, and then no change exceeds it and every change is noise.
        if not math.isfinite(value) or value < 0:
            raise argparse.ArgumentTypeError(f"must be a number, 0 or more: {text!r}")
        return value

    parser = argparse.ArgumentParser(
        prog="compare.py", description=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example: plots/compare.py results/c10k-curve-old.json "
               "results/c10k-curve-new.json --threshold 15")
    parser.add_argument("base", metavar="BASE.json", help="the results document to compare to")
    parser.add_argument("new", metavar="NEW.json", help="the results document under test")
    parser.add_argument("--threshold", type=percent, default=10.0, metavar="PERCENT",
                        help="how many percent a throughput drop or p99 rise must exceed to count "
                             "as a regression (default: %(default)g)")
    parser.add_argument("--json", action="store_true",
                        help="print the comparison as JSON instead of a table")
    return parser.parse_args(argv)


def point_key(run):
    return (run["model"], run["protocol"], results.load_shape(run))


def index_runs(document):
    """Each run by its point key plus its occurrence number, so a point
    measured twice in one file meets its counterpart in order."""
    indexed, seen = {}, {}
    for run in document.runs:
        key = point_key(run)
        seen[key] = seen.get(key, 0) + 1
        indexed[key + (seen[key],)] = run
    return indexed


def value_range(run, metric):
    values = [rep.get(metric.repetition_field) for rep in run.get("repetitions") or []]
    values = [value for value in values if isinstance(value, (int, float))]
    if not values:
        value = metric.value(run)
        values = [] if value is None else [value]
    return (min(values), max(values)) if values else None


def compare_metric(base, new, metric, threshold):
    """The metric's change and what it means: same, noise, improved or regressed."""
    before, after = metric.value(base), metric.value(new)
    result = {"base": before, "new": after, "change_pct": None,
              "base_range": value_range(base, metric), "new_range": value_range(new, metric),
              "verdict": "same", "reason": None}
    # Without both values, or from zero, there is no percentage to judge.
    if before is None or after is None or before == 0:
        return result
    change = (after - before) / before * 100
    result["change_pct"] = round(change, 2)
    if abs(change) <= threshold:
        return result
    low, high = result["base_range"], result["new_range"]
    ranges = f"{_range_text(low, metric)} vs {_range_text(high, metric)}"
    if not (low[1] < high[0] or high[1] < low[0]):
        result["verdict"] = "noise"
        result["reason"] = f"{metric.label} {change:+.1f}% but the repetitions overlap ({ranges})"
    else:
        result["verdict"] = "regressed" if change * metric.worse > 0 else "improved"
        result["reason"] = f"{metric.label} {change:+.1f}% ({ranges})"
    return result


def _range_text(span, metric):
    low, high = span
    if low == high:
        return metric.unit_text(low)
    return f"{metric.unit_text(low)}–{metric.unit_text(high)}"


def compare_point(base, new, threshold):
    point = {"model": base["model"], "protocol": base["protocol"],
             "load": dict(zip(results.LOAD_SHAPE, results.load_shape(base))),
             "base_status": base["status"], "new_status": new["status"]}
    metrics = {metric.name: compare_metric(base, new, metric, threshold) for metric in METRICS}
    point.update(metrics)
    was_ok, is_ok = not results.failed(base), not results.failed(new)
    if was_ok and not is_ok:
        verdicts = ["regressed"]
        reasons = [f"ok → {new['status']}: {results.short_reason(new)}"]
    elif not was_ok and not is_ok:
        verdicts, reasons = ["failing"], [f"{base['status']} in both"]
    else:
        verdicts = [entry["verdict"] for entry in metrics.values()]
        reasons = [entry["reason"] for entry in metrics.values() if entry["reason"]]
        if not was_ok:
            verdicts.append("improved")
            reasons.insert(0, f"{base['status']} → ok")
    point["verdict"] = min(verdicts, key=VERDICTS.index)
    point["reasons"] = reasons
    return point


def _sort_key(key):
    model, protocol, shape, occurrence = key
    return (style.model_sort_key(model), protocol, shape, occurrence)


def compare(base_document, new_document, threshold):
    base_runs, new_runs = index_runs(base_document), index_runs(new_document)
    order = sorted(set(base_runs) | set(new_runs), key=_sort_key)
    points = [compare_point(base_runs[key], new_runs[key], threshold)
              for key in order if key in base_runs and key in new_runs]

    def only(mine, theirs):
        return [{"model": run["model"], "protocol": run["protocol"],
                 "load": dict(zip(results.LOAD_SHAPE, results.load_shape(run))),
                 "status": run["status"]}
                for key, run in ((key, mine[key]) for key in order if key in mine)
                if key not in theirs]

    return {"base": base_document.path, "new": new_document.path, "threshold_pct": threshold,
            "regressions": sum(point["verdict"] == "regressed" for point in points),
            "points": points, "only_in_base": only(base_runs, new_runs),
            "only_in_new": only(new_runs, base_runs)}


def load_text(load):
    """'connections=1000 active=100', leaving out defaults."""
    return results.describe_load({"params": load}, skip=())


def _change_text(entry, metric):
    if entry["base"] is None or entry["new"] is None:
        return "–", ""
    values = f"{metric.unit_text(entry['base'])} → {metric.unit_text(entry['new'])}"
    change = "" if entry["change_pct"] is None else f"{entry['change_pct']:+.1f}%"
    return values, change


def table(comparison):
    """The comparison as aligned text columns, then the unmatched points."""
    head = ["model", "protocol", "load", "status"]
    for metric in METRICS:
        head += [metric.label, "change"]
    rows = [head + ["verdict"]]
    for point in comparison["points"]:
        status = point["base_status"]
        if point["new_status"] != status:
            status += f" → {point['new_status']}"
        row = [point["model"], point["protocol"], load_text(point["load"]), status]
        for metric in METRICS:
            row += _change_text(point[metric.name], metric)
        verdict = point["verdict"].upper() if point["verdict"] == "regressed" else point["verdict"]
        rows.append(row + [verdict + (": " + "; ".join(point["reasons"])
                                      if point["reasons"] else "")])
    widths = [max(len(row[column]) for row in rows) for column in range(len(head))]
    # No header over an empty table: the unmatched lists below say why.
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1]
             for row in rows] if comparison["points"] else []
    for title, key in (("only in BASE", "only_in_base"), ("only in NEW", "only_in_new")):
        lines += [f"{title}: {entry['model']} {entry['protocol']} {load_text(entry['load'])} "
                  f"({entry['status']})" for entry in comparison[key]]
    counts = {verdict: sum(point["verdict"] == verdict for point in comparison["points"])
              for verdict in VERDICTS}
    lines.append(f"{len(comparison['points'])} points compared (threshold "
                 f"{comparison['threshold_pct']:g}%): " + ", ".join(
                     f"{counts[verdict]} {verdict}" for verdict in VERDICTS)
                 + f"; {len(comparison['only_in_base'])} only in BASE, "
                   f"{len(comparison['only_in_new'])} only in NEW")
    return "\n".join(line.rstrip() for line in lines)


def run(args):
    base, new = results.load_document(args.base), results.load_document(args.new)
    comparison = compare(base, new, args.threshold)
    if not comparison["points"]:
        # Two different scenarios, say: nothing compared must not pass as
        # nothing regressed.
        raise results.InputError(f"{args.new} has no point in common with {args.base} (scenario "
                                 f"{new.name!r} against {base.name!r}): nothing to compare")
    if args.json:
        print(json.dumps(comparison, indent=1, ensure_ascii=False))
    else:
        # Where each was measured: a different host or kernel explains a lot.
        print(f"BASE {base.path}: {results.context_line(base)}")
        print(f"NEW  {new.path}: {results.context_line(new)}")
        print(table(comparison))
    return 1 if comparison["regressions"] else 0


def main(argv):
    args = parse_args(argv)
    return results.exit_on_input_error("compare.py", lambda: run(args))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
