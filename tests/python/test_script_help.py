"""Every script in scripts/ answers -h and --help with its usage and does
nothing else: `scripts/demo --help` once installed packages and ran the whole
demo. Those that take no arguments refuse any, and the ones that take a few
refuse what they cannot use, before they build or run anything."""
import os
import subprocess
import unittest

from test_plots import REPO

SCRIPTS = os.path.join(REPO, "scripts")


def run(script, *args):
    return subprocess.run([os.path.join(SCRIPTS, script), *args], capture_output=True,
                          text=True, timeout=30, cwd=REPO)


def executables():
    return sorted(name for name in os.listdir(SCRIPTS)
                  if os.access(os.path.join(SCRIPTS, name), os.X_OK))


class ScriptHelpTest(unittest.TestCase):
    def test_every_script_prints_its_usage_and_stops(self):
        for script in executables():
            for flag in ("-h", "--help"):
                with self.subTest(script=script, flag=flag):
                    result = run(script, flag)
                    self.assertEqual(result.returncode, 0, result.stderr)
                    self.assertGreater(len(result.stdout.splitlines()), 1, result.stdout)
                    # The opening comment, without its "# " marks.
                    self.assertFalse(result.stdout.startswith("#"), result.stdout)

    def test_scripts_without_arguments_refuse_one(self):
        for script in ("demo", "test", "tsan", "deps"):
            with self.subTest(script=script):
                result = run(script, "--quick")
                self.assertEqual(result.returncode, 2)
                self.assertEqual(result.stderr, f"{script}: takes no arguments, got '--quick' "
                                                f"(see {SCRIPTS}/{script} --help)\n")

    def test_arguments_a_script_cannot_use_are_refused_before_it_builds(self):
        cases = {("fuzz", "ten"): "fuzz: SECONDS must be a whole number above 0, got 'ten'",
                 ("fuzz", "0"): "fuzz: SECONDS must be a whole number above 0, got '0'",
                 ("loadgen-bench", "--quick"): "loadgen-bench: takes only --no-build",
                 ("bench", "--bogus"): "bench: unknown argument '--bogus'"}
        for (script, argument), message in cases.items():
            with self.subTest(script=script, argument=argument):
                result = run(script, argument)
                self.assertEqual(result.returncode, 2)
                self.assertIn(message, result.stderr)


if __name__ == "__main__":
    unittest.main()
