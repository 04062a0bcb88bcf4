#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the llama.cpp workload's own logic without llama.cpp (meson test bench-llama-logic):
llama-bench's JSON read back, the target rule (a spread that overlaps the target is not met),
the generator's vocabulary, and the refusal of a directory without a llama.cpp build."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_llama  # noqa: E402
import llama_model  # noqa: E402

# The fields of llama-bench -o json that the workload reads (b4747 prints more).
BENCH_OUT = json.dumps([
    {"build_commit": "c5d91a74", "build_number": 4747, "gpu_info": "NVIDIA H200",
     "n_prompt": 512, "n_gen": 0, "avg_ts": 12345.6},
    {"build_commit": "c5d91a74", "build_number": 4747, "gpu_info": "NVIDIA H200",
     "n_prompt": 0, "n_gen": 128, "avg_ts": 321.5},
])


def rows(mode, metric, values, workload="llama-q4_0"):
    return [{"rep": i, "workload": workload, "mode": mode, "metric": metric, "value": str(v),
             "status": "ok"} for i, v in enumerate(values)]


class BenchLlama(unittest.TestCase):
    def test_parse_bench(self):
        res, first = bench_llama.parse_bench("log line before\n" + BENCH_OUT)
        self.assertEqual(res, {"pp512_tps": 12345.6, "tg128_tps": 321.5})
        self.assertEqual(first["build_number"], 4747)
        self.assertEqual(bench_llama.parse_bench("no json here"), ({}, None))

    def test_target_met_only_without_overlap(self):
        ours = bench_llama.MODES[1]
        nat = rows("native", "tg128_tps", [100, 101, 99, 100, 102])
        met = nat + rows(ours, "tg128_tps", [97, 98, 99, 96, 98])
        overlap = nat + rows(ours, "tg128_tps", [97, 98, 99, 90, 98])
        missed = nat + rows(ours, "tg128_tps", [80, 81, 82, 83, 84])
        self.assertIn("| yes |", bench_llama.report(met, {}))
        self.assertIn("no (spread overlaps)", bench_llama.report(overlap, {}))
        text = bench_llama.report(missed, {})
        self.assertIn("0.820×", text)
        self.assertNotIn("yes", text)

    def test_each_pearvisor_mode_has_its_row(self):
        nat = rows("native", "pp512_tps", [100, 100, 100])
        both = nat + rows("pearvisor-25.0.7", "pp512_tps", [50, 50, 50]) + \
            rows("pearvisor-25.0.7-nofb", "pp512_tps", [99, 99, 99])
        text = bench_llama.report(both, {})
        self.assertIn("| pearvisor-25.0.7 | 50.0 (50.0–50.0) | 0.500× | no |", text)
        self.assertIn("| pearvisor-25.0.7-nofb | 99.0 (99.0–99.0) | 0.990× | yes |", text)

    def test_failures_and_tokens_reported(self):
        fail = [{"rep": 0, "workload": "llama-f16", "mode": bench_llama.MODES[1], "metric": "",
                 "value": "", "status": "fails: exit status 1: boom"}]
        meta = {"n_predict": 8, "tokens": {"q4_0": {"match": True}, "f16": {"match": False}}}
        text = bench_llama.report(fail, meta)
        self.assertIn("boom", text)
        self.assertIn("**the same**", text)
        self.assertIn("**differ**", text)

    def test_vocab_words_distinct(self):
        words = llama_model.piece_words(40000)
        self.assertEqual(len(words), len(set(words)))
        self.assertEqual(words[:3], ["a", "b", "c"])
        self.assertEqual(words[26], "aa")

    def test_param_counts(self):
        self.assertAlmostEqual(llama_model.param_count(llama_model.SHAPES["1b"]) / 1e9, 1.10,
                               places=2)
        self.assertLess(llama_model.param_count(llama_model.SHAPES["tiny"]), 10e6)

    def test_refuses_a_dir_without_a_build(self):
        with tempfile.TemporaryDirectory() as d:
            with self.assertRaisesRegex(ValueError, "llama-bench"):
                bench_llama.llama_paths(d)


if __name__ == "__main__":
    unittest.main()
