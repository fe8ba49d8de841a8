"""What alternating runs (A B A B ...) say beyond the ratio of their medians.

On a machine whose speed drifts by 10-15% from one run to the next, a ratio
of medians of 0.95 can mean one side is slower or can be noise. Runs made
back to back (A's i-th and B's i-th) drift together. So the per-pair ratios,
and how many of them reach a target, tell the two apart: a side below the
target in every pair is behind; one above it in some pairs and below in
others is within the noise of this machine. The median of the per-pair
ratios can differ from the ratio of the medians: the runs that make one
side's median need not be the ones beside the runs that make the other's.
"""
import statistics


def ratios(a_runs, b_runs, key):
    """A's i-th run over B's i-th run, for every pair where both have `key`."""
    return [round(a[key] / b[key], 3) for a, b in zip(a_runs, b_runs)
            if a.get(key) and b.get(key)]


def against(pair_ratios, minimum):
    """How the per-pair ratios stand against a target: the number of pairs
    that reach it, of how many, and a short reading for people."""
    reached = sum(1 for value in pair_ratios if value >= minimum)
    count = len(pair_ratios)
    if count == 0:
        reading = "no pairs"
    elif reached == count:
        reading = "reached in every pair"
    elif reached == 0:
        reading = "missed in every pair"
    else:
        reading = f"reached in {reached} of {count} pairs: within the noise"
    median = statistics.median(pair_ratios) if count else None
    spread = (f" (per pair {min(pair_ratios):.2f}-{max(pair_ratios):.2f}, median {median:.2f})"
              if count else "")
    return {"pairs": count, "reached": reached, "median": median, "reading": reading + spread}
