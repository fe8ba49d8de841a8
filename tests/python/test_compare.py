"""plots/compare.py: a file against itself passes, a halved throughput or a
new ceiling fails, a change inside the repetitions' spread is noise, points in
one file only are listed, and bad input exits 2 with one line."""
import copy
import json
import os
import subprocess
import tempfile
import unittest

# The helpers live in test_plots; importing names (not the TestCase) keeps
# unittest from running PlotTest twice.
from test_plots import PLOTS, PYTHON, REPO, BadInputMixin, read_json, run_script, write_bad_inputs

CURVE = os.path.join(REPO, "tests", "fixtures", "c10k-curve.json")


def find_run(document, model, connections):
    return next(run for run in document["runs"]
                if run["model"] == model and run["params"]["connections"] == connections)


class CompareTest(BadInputMixin, unittest.TestCase):
    def setUp(self):
        self.temp = tempfile.TemporaryDirectory()
        self.addCleanup(self.temp.cleanup)
        self.base = read_json(CURVE)

    def write(self, document, name="new.json"):
        path = os.path.join(self.temp.name, name)
        with open(path, "w", encoding="utf-8") as out:
            json.dump(document, out)
        return path

    def compare(self, new_document, *extra):
        """compare.py --json CURVE NEW: (exit code, parsed output)."""
        result = run_script("compare.py", CURVE, self.write(new_document), "--json", *extra)
        self.assertIn(result.returncode, (0, 1), result.stderr)
        return result.returncode, json.loads(result.stdout)

    def point(self, comparison, model, connections):
        return next(point for point in comparison["points"]
                    if point["model"] == model and point["load"]["connections"] == connections)

    def test_a_file_against_itself_passes(self):
        result = run_script("compare.py", CURVE, CURVE)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn(f"{len(self.base['runs'])} points compared", result.stdout)
        self.assertIn("0 regressed", result.stdout)
        self.assertNotIn("REGRESSED", result.stdout)

    def test_halved_throughput_is_a_regression(self):
        new = copy.deepcopy(self.base)
        for run in new["runs"]:
            run["throughput"]["requests_per_s"] /= 2
            for repetition in run.get("repetitions", []):
                repetition["requests_per_s"] /= 2
        code, comparison = self.compare(new)
        self.assertEqual(code, 1)
        ok_points = [run for run in self.base["runs"] if run["status"] == "ok"]
        self.assertEqual(comparison["regressions"], len(ok_points))
        point = self.point(comparison, "epoll", 1000)
        self.assertEqual(point["verdict"], "regressed")
        self.assertAlmostEqual(point["requests_per_s"]["change_pct"], -50.0, places=1)
        # The table says so too, in capitals a CI log reader finds.
        result = run_script("compare.py", CURVE, self.write(new))
        self.assertEqual(result.returncode, 1)
        self.assertIn("REGRESSED", result.stdout)
        self.assertIn("-50.0%", result.stdout)

    def test_doubled_p99_is_a_regression(self):
        new = copy.deepcopy(self.base)
        run = find_run(new, "uring", 100)
        run["latency_us"]["p99"] *= 2
        for repetition in run["repetitions"]:
            repetition["p99_us"] *= 2
        code, comparison = self.compare(new)
        self.assertEqual(code, 1)
        self.assertEqual(comparison["regressions"], 1)
        self.assertEqual(self.point(comparison, "uring", 100)["verdict"], "regressed")

    def test_change_within_overlapping_repetitions_is_noise(self):
        new = copy.deepcopy(self.base)
        run = find_run(new, "epoll", 100)
        low = min(rep["requests_per_s"] for rep in run["repetitions"])
        # 30% down, but one repetition still as fast as BASE's slowest.
        run["throughput"]["requests_per_s"] *= 0.7
        run["repetitions"] = [{"requests_per_s": run["throughput"]["requests_per_s"],
                               "p99_us": run["latency_us"]["p99"], "status": "ok"},
                              {"requests_per_s": low, "p99_us": run["latency_us"]["p99"],
                               "status": "ok"}]
        code, comparison = self.compare(new)
        self.assertEqual(code, 0)
        self.assertEqual(self.point(comparison, "epoll", 100)["verdict"], "noise")
        # Over a higher threshold the same change is not even noise.
        code, comparison = self.compare(new, "--threshold", "40")
        self.assertEqual(self.point(comparison, "epoll", 100)["verdict"], "same")

    def test_ok_to_ceiling_is_a_regression(self):
        new = copy.deepcopy(self.base)
        run = find_run(new, "poll", 1000)
        run["status"], run["reason"] = "ceiling", "poll stalled: 10 of 1000 active connections"
        code, comparison = self.compare(new)
        self.assertEqual(code, 1)
        point = self.point(comparison, "poll", 1000)
        self.assertEqual(point["verdict"], "regressed")
        self.assertIn("ok → ceiling", point["reasons"][0])

    def test_points_in_one_file_are_listed_not_failed(self):
        new = copy.deepcopy(self.base)
        dropped = find_run(new, "select", 100)
        new["runs"].remove(dropped)
        added = copy.deepcopy(find_run(new, "epoll", 1000))
        added["params"]["connections"] = added["params"]["active"] = 2000
        new["runs"].append(added)
        code, comparison = self.compare(new)
        self.assertEqual(code, 0)
        self.assertEqual([(entry["model"], entry["load"]["connections"])
                          for entry in comparison["only_in_base"]], [("select", 100)])
        self.assertEqual([(entry["model"], entry["load"]["connections"])
                          for entry in comparison["only_in_new"]], [("epoll", 2000)])
        result = run_script("compare.py", CURVE, self.write(new))
        self.assertEqual(result.returncode, 0)
        self.assertIn("only in BASE: select echo connections=100", result.stdout)
        self.assertIn("only in NEW: epoll echo connections=2000", result.stdout)

    def test_http_requests_of_another_method_path_or_body_are_other_points(self):
        # A POST with a body was once matched to the GET at the same
        # connection count, and its lower rate read as a regression.
        base = copy.deepcopy(self.base)
        for run in base["runs"]:
            run["protocol"] = "http"
            run["params"].update(method="GET", path="/", body_bytes=None)
        new = copy.deepcopy(base)
        changed = find_run(new, "epoll", 1000)
        changed["params"].update(method="POST", body_bytes=100000)
        changed["throughput"]["requests_per_s"] /= 10
        result = run_script("compare.py", self.write(base, "base.json"), self.write(new))
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("only in BASE: epoll http connections=1000 (ok)", result.stdout)
        self.assertIn("only in NEW: epoll http connections=1000 method=POST body_bytes=100000",
                      result.stdout)

    def test_resp_runs_of_another_set_get_ratio_are_other_points(self):
        # A run recorded before the ratio was has none, and alternated: 1:1.
        base = copy.deepcopy(self.base)
        for run in base["runs"]:
            run["protocol"] = "resp"
            run["params"]["keys"] = 1000
        new = copy.deepcopy(base)
        find_run(new, "epoll", 100)["params"]["ratio"] = "1:1"
        find_run(new, "epoll", 1000)["params"]["ratio"] = "1:10"
        result = run_script("compare.py", self.write(base, "base.json"), self.write(new))
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        # "1:1" recorded meets the same point with none recorded.
        self.assertIn("1 only in BASE, 1 only in NEW", result.stdout)
        self.assertIn("only in BASE: epoll resp connections=1000 keys=1000 (ok)", result.stdout)
        self.assertIn("only in NEW: epoll resp connections=1000 keys=1000 ratio=1:10", result.stdout)

    def test_files_with_no_point_in_common_are_bad_input(self):
        # Two different scenarios once compared 0 points and passed (exit 0).
        other = copy.deepcopy(self.base)
        other["scenario"]["name"] = "resp"
        for run in other["runs"]:
            run["protocol"] = "resp"
        result = run_script("compare.py", CURVE, self.write(other))
        self.assert_bad_input(result, "no point in common")
        self.assertIn("has no point in common", result.stderr)
        self.assertIn("(scenario 'resp' against 'c10k-curve')", result.stderr)

    def test_a_threshold_that_is_not_a_finite_number_is_refused(self):
        # "nan" once parsed, and then every change, however large, was noise.
        for threshold in ("nan", "inf", "-5", "ten"):
            result = run_script("compare.py", CURVE, CURVE, "--threshold", threshold)
            self.assertEqual(result.returncode, 2, threshold)
            self.assertIn("argument --threshold", result.stderr, threshold)

    def test_bad_input_exits_2_with_one_line(self):
        for what, path in write_bad_inputs(self.temp.name).items():
            self.assert_bad_input(run_script("compare.py", path, CURVE), f"BASE {what}")
            self.assert_bad_input(run_script("compare.py", CURVE, path), f"NEW {what}")


class WithoutMatplotlibTest(unittest.TestCase):
    """A Python without matplotlib (pyenv's, ahead of Debian's in PATH): the
    comparison a CI job runs needs none, and the chart scripts say in one line
    what is missing instead of a traceback."""

    def run_without_matplotlib(self, script, *args):
        with tempfile.TemporaryDirectory() as shadow:
            os.mkdir(os.path.join(shadow, "matplotlib"))
            with open(os.path.join(shadow, "matplotlib", "__init__.py"), "w") as out:
                out.write("raise ImportError('No module named matplotlib')\n")
            return subprocess.run([PYTHON, os.path.join(PLOTS, script), *args],
                                  capture_output=True, text=True, timeout=60,
                                  env=dict(os.environ, PYTHONPATH=shadow,
                                           PYTHONDONTWRITEBYTECODE="1"))

    def test_compare_runs_and_the_charts_say_what_is_missing(self):
        compared = self.run_without_matplotlib("compare.py", CURVE, CURVE)
        self.assertEqual(compared.returncode, 0, compared.stderr)
        self.assertIn("0 regressed", compared.stdout)
        for script in ("plot.py", "report.py"):
            with self.subTest(script=script):
                result = self.run_without_matplotlib(script, CURVE)
                self.assertEqual(result.returncode, 1)
                self.assertEqual(result.stderr.count("\n"), 1, result.stderr)
                self.assertTrue(result.stderr.startswith(
                    f"{script}: the charts need matplotlib, which {PYTHON} cannot import"),
                    result.stderr)


if __name__ == "__main__":
    unittest.main()
