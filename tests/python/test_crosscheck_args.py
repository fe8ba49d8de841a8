"""scripts/crosscheck refuses what would fail later, before it starts a
server: connection counts one process cannot hold, and an --out it could not
write its results into after three quarters of an hour of runs."""
import contextlib
import importlib.machinery
import importlib.util
import io
import os
import tempfile
import unittest

from test_plots import REPO


def load_crosscheck():
    path = os.path.join(REPO, "scripts", "crosscheck")
    loader = importlib.machinery.SourceFileLoader("crosscheck", path)
    spec = importlib.util.spec_from_loader("crosscheck", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


crosscheck = load_crosscheck()


class CrosscheckArgsTest(unittest.TestCase):
    def setUp(self):
        self.out = tempfile.TemporaryDirectory()
        self.addCleanup(self.out.cleanup)

    def refused(self, *argv):
        """The one-line error parse_args exits 2 with."""
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr), self.assertRaises(SystemExit) as exit:
            crosscheck.parse_args(["--out", self.out.name, *argv])
        self.assertEqual(exit.exception.code, 2)
        return stderr.getvalue().strip().splitlines()[-1]

    def test_counts_are_read_and_kept(self):
        args = crosscheck.parse_args(["--out", self.out.name, "--connections", "50,19900",
                                      "--model-connections", "1"])
        self.assertEqual(args.connections, [50, 19900])
        self.assertEqual(args.model_connections, [1])
        self.assertEqual(os.listdir(self.out.name), [], "the write probe leaves nothing")

    def test_counts_one_process_cannot_hold_are_refused(self):
        for argv in (["--connections", "0"], ["--connections", "50,19901"],
                     ["--model-connections", "100,50000"]):
            self.assertIn("take counts from 1 to 19,900", self.refused(*argv), argv)

    def test_an_out_that_cannot_be_written_is_refused(self):
        a_file = os.path.join(self.out.name, "a-file")
        with open(a_file, "w") as handle:
            handle.write("not a directory\n")
        self.assertIn(f"--out {a_file} is not a directory", self.refused("--out", a_file))
        below_a_file = os.path.join(a_file, "results")
        self.assertIn(f"--out {below_a_file}: cannot write there", self.refused("--out", below_a_file))


if __name__ == "__main__":
    unittest.main()
