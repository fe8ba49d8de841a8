"""scripts/paired_runs.py: A's i-th run is divided by B's i-th, runs without
the measurement are skipped, and a target reads as reached everywhere,
missed everywhere, or within the noise."""
import os
import sys
import unittest

from test_plots import REPO

sys.path.insert(0, os.path.join(REPO, "scripts"))
import paired_runs  # noqa: E402  (after the path is set)


def runs(*values):
    return [{"requests_per_s": value} for value in values]


class PairedRunsTest(unittest.TestCase):
    def test_ratios_pair_runs_by_position(self):
        self.assertEqual(paired_runs.ratios(runs(110, 90, 100), runs(100, 100, 50), "requests_per_s"),
                         [1.1, 0.9, 2.0])

    def test_a_run_without_the_measurement_is_skipped(self):
        a = runs(100, None, 120)
        self.assertEqual(paired_runs.ratios(a, runs(100, 100, 100), "requests_per_s"), [1.0, 1.2])
        self.assertEqual(paired_runs.ratios(runs(100), [{}], "requests_per_s"), [])

    def test_reached_in_every_pair(self):
        verdict = paired_runs.against([1.0, 1.3, 1.1], 1.0)
        self.assertEqual((verdict["pairs"], verdict["reached"]), (3, 3))
        self.assertEqual(verdict["reading"], "reached in every pair (per pair 1.00-1.30, median 1.10)")

    def test_missed_in_every_pair(self):
        verdict = paired_runs.against([0.9, 0.95], 1.0)
        self.assertEqual(verdict["reached"], 0)
        self.assertTrue(verdict["reading"].startswith("missed in every pair"), verdict["reading"])

    def test_mixed_pairs_are_within_the_noise(self):
        verdict = paired_runs.against([0.8, 1.27, 1.1, 1.19, 1.2], 1.2)
        self.assertEqual((verdict["reached"], verdict["median"]), (2, 1.19))
        self.assertEqual(verdict["reading"], "reached in 2 of 5 pairs: within the noise "
                                             "(per pair 0.80-1.27, median 1.19)")

    def test_no_pairs(self):
        self.assertEqual(paired_runs.against([], 1.0),
                         {"pairs": 0, "reached": 0, "median": None, "reading": "no pairs"})


if __name__ == "__main__":
    unittest.main()
