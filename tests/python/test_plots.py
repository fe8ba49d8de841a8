"""plots/plot.py on the real-output fixtures: every chart in both formats,
the FD_SETSIZE line and ceiling labels as SVG text, one colour per model, and
one line on stderr with exit 2 for bad input.

Run with Debian's interpreter, which has matplotlib:
  /usr/bin/python3 -m unittest discover -s tests/python -v
"""
import glob
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ElementTree

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLOTS = os.path.join(REPO, "plots")
FIXTURES = sorted(glob.glob(os.path.join(REPO, "tests", "fixtures", "*.json")))
# The scripts run under the interpreter they name, whatever runs the tests.
PYTHON = "/usr/bin/python3"
SVG = "{http://www.w3.org/2000/svg}"

sys.dont_write_bytecode = True  # no __pycache__ left in plots/
sys.path.insert(0, PLOTS)
import charts  # noqa: E402  (after the path is set)
import results  # noqa: E402
import style  # noqa: E402

SCENARIO_CHARTS = ["throughput", "latency", "cpu-per-request", "rss-per-connection"]


def run_script(script, *args):
    return subprocess.run([PYTHON, os.path.join(PLOTS, script), *args], capture_output=True,
                          text=True, timeout=120,
                          env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))


def plot_document(document, directory):
    """Writes a (changed) results document into `directory` and runs plot.py
    on it there, as SVG; the charts are named after its scenario."""
    path = os.path.join(directory, "document.json")
    with open(path, "w", encoding="utf-8") as out:
        json.dump(document, out)
    return run_script("plot.py", path, "--out", directory, "--format", "svg")


def expected_charts(document):
    """The charts plot.py should draw for a document: the idle chart only
    where the sweep holds idle connections."""
    names = list(SCENARIO_CHARTS)
    if any(run.get("tcp") and (run.get("throughput") or {}).get("requests")
           for run in document["runs"]):
        names.append("tcp-segments-per-request")
    if any(run["params"].get("active", run["params"]["connections"])
           < run["params"]["connections"] for run in document["runs"]):
        names.append("idle-throughput")
    most = max(run["params"]["connections"] for run in document["runs"])
    if any(run["params"]["connections"] == most and len(run.get("timeseries") or []) >= 3
           for run in document["runs"]):
        names.append("timeline")
    return names


def read_json(path):
    with open(path, encoding="utf-8") as source:
        return json.load(source)


def svg_texts(path):
    return ["".join(element.itertext()) for element in ElementTree.parse(path).iter(SVG + "text")]


def write_bad_inputs(directory):
    """A missing file, a file that is not JSON, and JSON of another schema
    version: the three ways a CI job hands the scripts the wrong file."""
    not_json = os.path.join(directory, "not-json.json")
    with open(not_json, "w", encoding="utf-8") as out:
        out.write("c10k: no results, the run crashed\n")
    wrong_version = os.path.join(directory, "wrong-version.json")
    document = read_json(FIXTURES[0])
    document["schema_version"] = 999
    with open(wrong_version, "w", encoding="utf-8") as out:
        json.dump(document, out)
    return {"missing": os.path.join(directory, "missing.json"), "not JSON": not_json,
            "wrong schema_version": wrong_version}


def write_document_without_runs(directory):
    """What `c10k run` writes when interrupted before its first point: a valid
    document with no runs."""
    document = read_json(FIXTURES[0])
    document["runs"], document["interrupted"] = [], True
    path = os.path.join(directory, "interrupted.json")
    with open(path, "w", encoding="utf-8") as out:
        json.dump(document, out)
    return path


class BadInputMixin:
    """Checks a script's answer to each bad input: exit 2, one stderr line."""

    def assert_bad_input(self, result, what):
        self.assertEqual(result.returncode, 2, f"{what}: {result.stderr}")
        lines = result.stderr.splitlines()
        self.assertEqual(len(lines), 1, f"{what}: stderr was {result.stderr!r}")
        self.assertTrue(lines[0].strip(), what)


class PlotTest(BadInputMixin, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.temp = tempfile.TemporaryDirectory()
        cls.out = os.path.join(cls.temp.name, "charts")
        cls.result = run_script("plot.py", *FIXTURES, "--out", cls.out)

    @classmethod
    def tearDownClass(cls):
        cls.temp.cleanup()

    def chart(self, name, extension="svg"):
        return os.path.join(self.out, f"{name}.{extension}")

    def test_exits_zero_and_prints_every_file(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        printed = sorted(self.result.stdout.split())
        self.assertEqual(printed, sorted(glob.glob(os.path.join(self.out, "*"))))

    def test_every_chart_in_both_formats_and_not_empty(self):
        expected = 0
        for path in FIXTURES:
            document = read_json(path)
            name = document["scenario"]["name"]
            for chart in expected_charts(document):
                expected += 2
                for extension in ("png", "svg"):
                    # Two documents of one scenario get their start time in the stem.
                    found = glob.glob(os.path.join(self.out, f"{name}*-{chart}.{extension}"))
                    self.assertTrue(found, f"no {chart}.{extension} for {path}")
                    for chart_path in found:
                        self.assertGreater(os.path.getsize(chart_path), 1000, chart_path)
        self.assertEqual(len(os.listdir(self.out)), expected)
        for png in glob.glob(os.path.join(self.out, "*.png")):
            with open(png, "rb") as source:
                self.assertEqual(source.read(8), b"\x89PNG\r\n\x1a\n", png)
        for svg in glob.glob(os.path.join(self.out, "*.svg")):
            self.assertEqual(ElementTree.parse(svg).getroot().tag, SVG + "svg", svg)

    def test_fd_setsize_line_and_ceiling_label_are_svg_text(self):
        document = read_json(os.path.join(REPO, "tests", "fixtures", "fd-setsize.json"))
        fd_setsize = document["context"]["fd_setsize"]
        ceiling = next(run for run in document["runs"] if run["status"] == "ceiling")
        label = ceiling["reason"].split(":")[0]  # the chart labels the reason up to its ':'
        for chart in ("throughput", "latency"):
            path = self.chart(f"fd-setsize-{chart}")
            texts = svg_texts(path)
            self.assertIn(f"FD_SETSIZE = {fd_setsize}", texts, path)
            self.assertTrue(any(label in text for text in texts),
                            f"no ceiling label {label!r} in {path}: {texts}")
            ids = {element.get("id") for element in ElementTree.parse(path).iter()}
            self.assertIn("fd-setsize-line", ids)
            self.assertTrue(any(i and i.startswith(f"ceiling-{ceiling['model']}-") for i in ids))

    def test_segments_chart_has_the_two_segment_line(self):
        # The fixtures come from a tool that reads the kernel's TCP counters.
        document = read_json(os.path.join(REPO, "tests", "fixtures", "c10k-curve.json"))
        self.assertTrue(all("tcp" in run for run in document["runs"] if run["status"] == "ok"))
        path = self.chart("c10k-curve-tcp-segments-per-request")
        texts = svg_texts(path)
        self.assertTrue(any("2: request + reply" in text for text in texts), texts)
        ids = {element.get("id") for element in ElementTree.parse(path).iter()}
        self.assertIn("calibration-floor", ids)
        self.assertTrue(any(i and i.startswith("series-epoll") for i in ids), ids)

    def test_a_model_has_one_colour_in_every_chart(self):
        colours = {}  # model -> {colour}
        for svg in glob.glob(os.path.join(self.out, "*.svg")):
            for group in ElementTree.parse(svg).iter(SVG + "g"):
                gid = group.get("id") or ""
                if not gid.startswith("series-"):
                    continue
                # series-MODEL, series-MODEL-N (a load variant), ...-secondary (p50).
                model = re.sub(r"(-\d+)?(-secondary)?$", "", gid[len("series-"):])
                for path in group.iter(SVG + "path"):
                    stroke = re.search(r"stroke: (#[0-9a-f]{6})", path.get("style") or "")
                    if stroke:
                        colours.setdefault(model, set()).add(stroke.group(1))
                        break
        self.assertTrue({"select", "poll", "epoll"} <= set(colours), colours)
        for model, found in colours.items():
            self.assertEqual(found, {style.model_colour(model)}, model)
        every = [style.model_colour(model) for model in colours]
        self.assertEqual(len(set(every)), len(every), "two models share a colour")

    def test_bad_input_exits_2_with_one_line(self):
        with tempfile.TemporaryDirectory() as directory:
            for what, path in write_bad_inputs(directory).items():
                result = run_script("plot.py", path, "--out", os.path.join(directory, "out"))
                self.assert_bad_input(result, what)

    def test_only_documents_without_runs_exit_2_with_one_line(self):
        with tempfile.TemporaryDirectory() as directory:
            empty = write_document_without_runs(directory)
            out = os.path.join(directory, "charts")
            result = run_script("plot.py", empty, "--out", out)
            self.assert_bad_input(result, "a document without runs")
            self.assertIn("nothing to plot", result.stderr)
            self.assertIn(empty, result.stderr)
            self.assertFalse(os.path.exists(out), "a directory was made for no charts")

    def test_a_document_without_runs_beside_others_is_noted_and_skipped(self):
        load = os.path.join(REPO, "tests", "fixtures", "load.json")
        with tempfile.TemporaryDirectory() as directory:
            empty = write_document_without_runs(directory)
            out = os.path.join(directory, "charts")
            result = run_script("plot.py", empty, load, "--out", out, "--format", "svg")
            self.assertEqual(result.returncode, 0, result.stderr)
            lines = result.stderr.splitlines()
            self.assertEqual(len(lines), 1, result.stderr)
            self.assertIn(empty, lines[0])
            self.assertEqual(sorted(os.listdir(out)),
                             sorted(f"load-{chart}.svg" for chart in expected_charts(read_json(load))))

    def test_out_that_is_a_file_exits_2_with_one_line(self):
        with tempfile.TemporaryDirectory() as directory:
            taken = os.path.join(directory, "charts")
            with open(taken, "w", encoding="utf-8") as out:
                out.write("not a directory\n")
            for out in (taken, os.path.join(taken, "sub")):
                result = run_script("plot.py", FIXTURES[0], "--out", out)
                self.assert_bad_input(result, f"--out {out}")
                self.assertIn("--out", result.stderr)
            with open(taken, encoding="utf-8") as source:
                self.assertEqual(source.read(), "not a directory\n")


class LoadVariantTest(unittest.TestCase):
    def test_churn_points_are_lines_of_their_own_labelled_as_c10k_run_prints_them(self):
        # Runs that differ only in requests_per_connection were one line,
        # their points mixed, before it was part of a point's load.
        fixture = os.path.join(REPO, "tests", "fixtures", "c10k-curve.json")
        base = read_json(fixture)["runs"][0]
        runs = []
        for per_connection in (100, 1):
            run = json.loads(json.dumps(base))
            run["params"]["requests_per_connection"] = per_connection
            runs.append(run)
        series = charts.build_series(runs, lambda run: run["params"]["connections"])
        model = base["model"]
        self.assertEqual([line.label for line in series],
                         [f"{model} per-connection=1", f"{model} per-connection=100"])
        self.assertNotEqual(series[0].linestyle, series[1].linestyle)
        # The legend names the model once and each variant once, by its
        # line style: a label per line was wider than the figure.
        self.assertEqual([line.legend_label for line in series], [model, None])
        keys = charts.variant_keys(series)
        self.assertEqual([text for _, text in keys], ["per-connection=1", "per-connection=100"])
        self.assertEqual([handle.get_linestyle() for handle, _ in keys],
                         [line.linestyle for line in series])


class TimelineTest(unittest.TestCase):
    """The per-second chart: drawn for windows of a few seconds, one line per
    model at the sweep's most connections."""

    def test_a_load_run_of_five_seconds_gets_one(self):
        path = os.path.join(REPO, "tests", "fixtures", "load-timeline.json")
        document = read_json(path)
        self.assertEqual(len(document["runs"][0]["timeseries"]), 5)
        self.assertIn("timeline", expected_charts(document))
        with tempfile.TemporaryDirectory() as directory:
            result = run_script("plot.py", path, "--out", directory, "--format", "svg")
            self.assertEqual(result.returncode, 0, result.stderr)
            svg = os.path.join(directory, "load-timeline.svg")
            texts = svg_texts(svg)
            self.assertIn("second of the measured window", texts)
            self.assertTrue(any("each second at 100 connections" in text for text in texts), texts)
            ids = {element.get("id") for element in ElementTree.parse(svg).iter()}
            self.assertTrue({"series-epoll", "series-epoll-secondary"} <= ids, ids)

    def test_a_second_in_which_nothing_completed_is_a_gap_in_p99(self):
        # A stall: the load generator writes that second's p99 as null. The
        # p99 line must break there: not drop to 0, and not run straight
        # from second 2 to second 4 as if nothing had happened.
        path = os.path.join(REPO, "tests", "fixtures", "load-timeline.json")
        document = read_json(path)
        seconds = document["runs"][0]["timeseries"]
        seconds[2].update({"requests": 0, "p99_us": None})
        timeline = next(chart for chart in charts.scenario_charts(results.Document(path, document))
                        if chart.name == "timeline")
        rate_ax, p99_ax = timeline.figure.axes[:2]
        (rate_line,) = [line for line in rate_ax.get_lines() if line.get_gid() == "series-epoll"]
        self.assertEqual(list(rate_line.get_ydata())[2], 0.0)
        (p99_line,) = [line for line in p99_ax.get_lines()
                       if line.get_gid() == "series-epoll-secondary"]
        self.assertEqual(list(p99_line.get_xdata()), [1, 2, 3, 4, 5])
        p99 = list(p99_line.get_ydata())
        self.assertTrue(math.isnan(p99[2]), p99)
        self.assertEqual(p99[:2] + p99[3:],
                         [second["p99_us"] for i, second in enumerate(seconds) if i != 2])
        # In the SVG, the line is two pieces: a second move-to starts the
        # part after the gap.
        with tempfile.TemporaryDirectory() as directory:
            result = plot_document(document, directory)
            self.assertEqual(result.returncode, 0, result.stderr)
            svg = ElementTree.parse(os.path.join(directory, "load-timeline.svg"))
            group = next(element for element in svg.iter(SVG + "g")
                         if element.get("id") == "series-epoll-secondary")
            line = next(element for element in group.iter(SVG + "path") if element.get("d"))
            self.assertEqual(line.get("d").count("M"), 2, line.get("d"))

    def test_a_sweep_shows_every_model_at_its_most_connections(self):
        # The curve fixture's windows are half a second; give its 5,000
        # connection points three and a half, and one point at 1,000 a
        # timeline too, which must not be drawn.
        document = read_json(os.path.join(REPO, "tests", "fixtures", "c10k-curve.json"))
        self.assertNotIn("timeline", expected_charts(document))
        stretched = []
        for run in document["runs"]:
            if run["params"]["connections"] in (1000, 5000) and run.get("timeseries"):
                run["measured_s"] = 3.5
                run["timeseries"] = [{"t_s": t, "requests": 1000, "p99_us": 900.0}
                                     for t in (1, 2, 3, 4)]
                if run["params"]["connections"] == 5000:
                    stretched.append(run)
        with tempfile.TemporaryDirectory() as directory:
            result = plot_document(document, directory)
            self.assertEqual(result.returncode, 0, result.stderr)
            svg = os.path.join(directory, "c10k-curve-timeline.svg")
            ids = {element.get("id") for element in ElementTree.parse(svg).iter()}
            drawn = {i[len("series-"):] for i in ids
                     if i and i.startswith("series-") and not i.endswith("-secondary")}
            self.assertEqual(drawn, {run["model"] for run in stretched})
            texts = svg_texts(svg)
            self.assertTrue(any("each second at 5,000 connections" in text for text in texts))
            # A model that hit its ceiling there says so in the legend.
            failed = next(run for run in stretched if run["status"] != "ok")
            self.assertTrue(any(text.startswith(f"{failed['model']} (") for text in texts), texts)

    def test_a_part_second_at_the_end_is_a_rate_and_a_sliver_is_left_out(self):
        run = {"measured_s": 2.5, "timeseries": [{"t_s": 1, "requests": 100, "p99_us": 5.0},
                                                 {"t_s": 2, "requests": 100, "p99_us": 5.0},
                                                 {"t_s": 3, "requests": 50, "p99_us": 5.0}]}
        self.assertEqual(charts._per_second(run),
                         [(1, 100.0, 5.0), (2, 100.0, 5.0), (3, 100.0, 5.0)])
        run["measured_s"] = 2.05
        self.assertEqual(len(charts._per_second(run)), 2)


if __name__ == "__main__":
    unittest.main()
