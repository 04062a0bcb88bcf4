#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the VM report's two verdicts without a VM (meson test bench-vm-logic): the strict rule
(met only when every boot of ours is at least as fast as every boot of the reference) and the
exact one-sided rank test for "ours is slower", against values worked out by hand."""
import itertools
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_vm  # noqa: E402


def brute_p(ours, ref):
    """The rank test's p-value by enumerating every split of the pooled values (small n only)."""
    pooled = ours + ref
    u_obs = sum(x > y for x in ours for y in ref)
    hits = total = 0
    for pick in itertools.combinations(range(len(pooled)), len(ours)):
        a = [pooled[i] for i in pick]
        b = [pooled[i] for i in range(len(pooled)) if i not in pick]
        total += 1
        hits += sum(x > y for x in a for y in b) <= u_obs
    return hits / total


class BenchVm(unittest.TestCase):
    def test_null_counts(self):
        self.assertEqual(bench_vm._u_null_counts(2, 2), [1, 1, 2, 1, 1])
        self.assertEqual(sum(bench_vm._u_null_counts(5, 5)), 252)  # 10 choose 5

    def test_p_matches_enumeration(self):
        for ours, ref in (([1, 2, 3], [4, 5, 6]), ([4, 5, 6], [1, 2, 3]),
                          ([1, 3, 5, 7, 9], [2, 4, 6, 8, 10]), ([2, 9, 4, 7], [1, 8, 3, 6, 5])):
            self.assertAlmostEqual(bench_vm.p_slower(ours, ref, True), brute_p(ours, ref))

    def test_lower_is_better(self):
        # fence latency: ours lower in every boot is not slower; higher in every boot is
        self.assertEqual(bench_vm.slower_text([1, 2, 3], [7, 8, 9], False), "no (p = 1.00)")
        self.assertEqual(bench_vm.slower_text([7, 8, 9, 10], [1, 2, 3, 4], False),
                         "yes (p = 0.01)")

    def test_strict_rule(self):
        self.assertTrue(bench_vm.verdict([5, 6], [4, 5], True).startswith("met"))
        self.assertTrue(bench_vm.verdict([1, 2], [3, 4], True).startswith("NOT MET"))
        self.assertTrue(bench_vm.verdict([1, 5], [3, 4], True).startswith("not met"))


if __name__ == "__main__":
    unittest.main()
