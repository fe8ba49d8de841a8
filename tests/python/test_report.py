"""plots/report.py: one self-contained HTML file with the context, the charts
as inline SVG, every point and every ceiling in words; text escaped; the page
renders with its charts in headless Chromium; bad input exits 2 with one line."""
import copy
import html
import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
import threading
import unittest

import matplotlib.image
import numpy
from matplotlib.colors import to_rgb

# The helpers live in test_plots; importing names (not the TestCase) keeps
# unittest from running PlotTest twice.
from test_plots import (FIXTURES, REPO, BadInputMixin, expected_charts, read_json, run_script,
                        write_bad_inputs)

import style

FD_SETSIZE_FIXTURE = os.path.join(REPO, "tests", "fixtures", "fd-setsize.json")
# Anything that would make the browser fetch: a URL in src/href/url(), a
# protocol-relative one, scripts, stylesheets or imports.
EXTERNAL = re.compile(r"""(?:\b(?:src|href)\s*=\s*["']?\s*|url\(\s*["']?\s*)(?:[a-z]+:)?//"""
                      r"""|<script|<link|@import|<iframe|<img\b""", re.I)


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


class ReportTest(BadInputMixin, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.temp = tempfile.TemporaryDirectory()
        cls.out = os.path.join(cls.temp.name, "sub", "report.html")
        cls.result = run_script("report.py", *FIXTURES, "--out", cls.out)
        with open(cls.out, encoding="utf-8") as source:
            cls.html = source.read()
        cls.documents = [read_json(path) for path in FIXTURES]

    @classmethod
    def tearDownClass(cls):
        cls.temp.cleanup()

    def test_written_with_every_chart_inline(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        self.assertEqual(self.result.stdout.strip(), self.out)
        self.assertTrue(self.html.startswith("<!DOCTYPE html>"))
        charts = sum(len(expected_charts(document)) for document in self.documents)
        self.assertEqual(self.html.count("<svg"), charts)
        self.assertNotIn("<?xml", self.html)

    def test_no_external_assets(self):
        self.assertIsNone(EXTERNAL.search(self.html),
                          EXTERNAL.search(self.html) and EXTERNAL.search(self.html).group(0))
        # Chart ids are made unique per chart, so no two definitions collide.
        ids = re.findall(r'\bid="([^"]+)"', self.html)
        self.assertEqual(len(ids), len(set(ids)))

    def test_context_of_every_document(self):
        for document in self.documents:
            context = document["context"]
            for value in (document["scenario"]["name"], context["host"], context["kernel"],
                          context["tool_version"], context["git_sha"]):
                self.assertIn(html.escape(str(value)), self.html)
        self.assertIn("Calibrated floors", self.html)
        # c10k-curve's send+recv floor, 7761.8 ns.
        curve = read_json(os.path.join(REPO, "tests", "fixtures", "c10k-curve.json"))
        nanos = curve["context"]["calibration"]["tcp_send_recv_ns"]
        self.assertIn(f"{nanos / 1e3:.3g} µs", self.html)

    def test_a_row_for_every_point(self):
        runs = sum(len(document["runs"]) for document in self.documents)
        self.assertEqual(self.html.count('<td class="model">'), runs)
        for status in ("ok", "ceiling", "error"):
            self.assertIn(f'<td class="{status}">{status}</td>', self.html)

    def test_every_ceiling_in_a_sentence(self):
        failed = [run for document in self.documents for run in document["runs"]
                  if run["status"] != "ok"]
        self.assertTrue(failed)
        for run in failed:
            verb = "hit its ceiling" if run["status"] == "ceiling" else "failed"
            count = run["params"]["connections"]
            sentence = f"{run['model']} {verb} at {count:,} connection"
            self.assertIn(html.escape(sentence), self.html)
            self.assertIn(html.escape(run["reason"]), self.html)

    def test_text_is_escaped(self):
        document = read_json(os.path.join(REPO, "tests", "fixtures", "load.json"))
        document["context"]["host"] = "<b>host</b> & co"
        run = copy.deepcopy(document["runs"][0])
        run["status"], run["reason"] = "ceiling", "<script>alert(1)</script> at 50"
        document["runs"].append(run)
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "evil.json")
            with open(path, "w", encoding="utf-8") as out:
                json.dump(document, out)
            out_path = os.path.join(directory, "report.html")
            result = run_script("report.py", path, "--out", out_path)
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(out_path, encoding="utf-8") as source:
                page = source.read()
        self.assertNotIn("<script", page)
        self.assertNotIn("<b>host", page)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page)
        self.assertIn("&lt;b&gt;host&lt;/b&gt; &amp; co", page)

    def test_bench_chart_section(self):
        bench = {"context": {"host_name": "vm", "num_cpus": 2},
                 "benchmarks": [{"name": f"BM_Wait{model}/registered:{count}",
                                 "run_type": "iteration", "real_time": 50 + count * cost,
                                 "time_unit": "ns"}
                                for model, cost in (("Select", 3.0), ("Poll", 2.0),
                                                    ("Epoll", 0.0))
                                for count in (10, 100, 1000)]}
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "bench.json")
            with open(path, "w", encoding="utf-8") as out:
                json.dump(bench, out)
            out_path = os.path.join(directory, "report.html")
            result = run_script("report.py", FD_SETSIZE_FIXTURE, "--bench", path,
                                "--out", out_path)
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(out_path, encoding="utf-8") as source:
                page = source.read()
        self.assertIn('<section id="bench">', page)
        scenario_charts = len(expected_charts(read_json(FD_SETSIZE_FIXTURE)))
        self.assertEqual(page.count("<svg"), scenario_charts + 1)

    def test_renders_with_charts_in_chromium(self):
        browser = chromium()
        if not browser:
            self.skipTest("chromium is not installed: the rendering is not checked")
        with tempfile.TemporaryDirectory() as directory:
            # One scenario, so its charts fill the first screen.
            page = os.path.join(directory, "report.html")
            self.assertEqual(run_script("report.py", FD_SETSIZE_FIXTURE, "--out", page)
                             .returncode, 0)
            screenshot = os.path.join(directory, "report.png")
            subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                            f"--user-data-dir={os.path.join(directory, 'profile')}",
                            f"--screenshot={screenshot}", "--window-size=1200,2000",
                            "file://" + page], capture_output=True, timeout=120)
            self.assertTrue(os.path.exists(screenshot), "chromium wrote no screenshot")
            pixels = matplotlib.image.imread(screenshot)[..., :3]
        self.assertEqual(pixels.shape[:2], (2000, 1200))
        self.assertGreater(pixels.std(), 0.05, "the screenshot is blank")
        for model in {run["model"] for run in read_json(FD_SETSIZE_FIXTURE)["runs"]}:
            colour = numpy.array(to_rgb(style.model_colour(model)))
            count = int((numpy.abs(pixels - colour).max(axis=2) < 0.03).sum())
            # The table's colour swatches are ~125 pixels a row, two rows a
            # model; only drawn chart lines and markers reach this many.
            self.assertGreater(count, 600, f"{model}'s colour is nearly absent: no charts?")

    def test_a_stream_is_written_through_and_a_link_kept(self):
        # --out /dev/stdout once renamed a file over the device.
        with tempfile.TemporaryDirectory() as temp:
            fifo = os.path.join(temp, "pipe")
            os.mkfifo(fifo)
            received = []

            def read_all():
                with open(fifo, "rb") as pipe:
                    received.append(pipe.read())

            reader = threading.Thread(target=read_all, daemon=True)
            reader.start()
            result = run_script("report.py", FIXTURES[0], "--out", fifo)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stdout, "")
            reader.join(timeout=30)
            self.assertTrue(stat.S_ISFIFO(os.stat(fifo).st_mode))
            self.assertTrue(received and received[0].startswith(b"<!DOCTYPE html>"))
            os.mkdir(os.path.join(temp, "runs"))
            os.symlink("runs/report.html", os.path.join(temp, "latest.html"))
            result = run_script("report.py", FIXTURES[0], "--out", os.path.join(temp, "latest.html"))
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertTrue(os.path.islink(os.path.join(temp, "latest.html")))
            self.assertEqual(os.listdir(os.path.join(temp, "runs")), ["report.html"])

    def test_bad_input_exits_2_with_one_line(self):
        with tempfile.TemporaryDirectory() as directory:
            out_path = os.path.join(directory, "report.html")
            for what, path in write_bad_inputs(directory).items():
                self.assert_bad_input(run_script("report.py", path, "--out", out_path), what)
                self.assertFalse(os.path.exists(out_path), f"{what}: a report was written")

    def test_out_that_is_a_directory_exits_2_with_one_line(self):
        with tempfile.TemporaryDirectory() as directory:
            for out in (directory, directory + os.sep):
                result = run_script("report.py", FIXTURES[0], "--out", out)
                self.assert_bad_input(result, f"--out {out}")
                self.assertIn("is a directory", result.stderr)
            self.assertEqual(os.listdir(directory), [])

    def test_out_under_a_file_exits_2_with_one_line(self):
        with tempfile.TemporaryDirectory() as directory:
            taken = os.path.join(directory, "taken")
            open(taken, "w", encoding="utf-8").close()
            result = run_script("report.py", FIXTURES[0], "--out",
                                os.path.join(taken, "sub", "report.html"))
            self.assert_bad_input(result, "--out under a file")
            self.assertIn(taken, result.stderr)


if __name__ == "__main__":
    unittest.main()
