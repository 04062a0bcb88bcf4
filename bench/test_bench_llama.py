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

    def test_native_modes_compared_to_native_and_venus_like(self):
        nat = rows("native", "pp512_tps", [100, 100, 100])
        like = rows("native-venus-like", "pp512_tps", [40, 40, 40])
        ours = rows("pearvisor-25.0.7", "pp512_tps", [20, 20, 20])
        text = bench_llama.report(nat + like + ours, {})
        self.assertIn("| native-venus-like | 40.0 (40.0–40.0) | 0.400× | – |", text)
        self.assertIn("| pearvisor-25.0.7 | 20.0 (20.0–20.0) | 0.200× | no |", text)
        # the second table: PearVisor against the native device that looks like the guest's
        self.assertIn("| pearvisor-25.0.7 | 20.0 (20.0–20.0) | 0.500× |", text)
        meta = {"n_predict": 8, "tokens": {"q4_0": {
            "native": "a", "pearvisor-25.0.7": "b", "native-venus-like": "b", "match": False}}}
        text = bench_llama.report(nat, meta)
        self.assertIn("native-venus-like: **differ** from native's, **the same** as "
                      "pearvisor-25.0.7's", text)

    def test_tokens_judged_against_the_correct_native(self):
        class Runner:
            def __init__(self, texts):
                self.texts = texts

            def run(self, mode, argv, outdir, timeout):
                return 0, self.texts[mode], ""
        modes = ["native", "pearvisor-25.0.7", "native-nocoopmat"]
        paths = {"llama-simple": "llama-simple"}
        models = {q: q for q in bench_llama.QUANTS}
        with tempfile.TemporaryDirectory() as d:
            good = Runner({"native": "wrong", "pearvisor-25.0.7": "ok", "native-nocoopmat": "ok"})
            res = bench_llama.check_tokens(good, modes, paths, models, 8, d, 10)
            self.assertTrue(all(r["match"] and r["reference"] == "native-nocoopmat"
                                for r in res.values()))
            text = bench_llama.report([], {"n_predict": 8, "tokens": res})
            self.assertIn("**the same** through PearVisor as native-nocoopmat", text)
            bad = Runner({"native": "ok", "pearvisor-25.0.7": "ok", "native-nocoopmat": "no"})
            res = bench_llama.check_tokens(bad, modes, paths, models, 8, d, 10)
            self.assertFalse(any(r["match"] for r in res.values()))
            # without the correct native mode, plain native is the reference
            res = bench_llama.check_tokens(good, modes[:2], paths, models, 8, d, 10)
            self.assertFalse(any(r["match"] for r in res.values()))

    def test_vulkaninfo_difference(self):
        head = "Device Properties and Extensions:\n==================================\n"
        native = head + (
            "Device Extensions: count = 3\n"
            "\tVK_KHR_16bit_storage       : extension revision 1\n"
            "\tVK_KHR_cooperative_matrix  : extension revision 2\n"
            "\tVK_NV_shader_sm_builtins   : extension revision 1\n"
            "VkPhysicalDeviceSubgroupProperties:\n-----------------------------------\n"
            "\tsubgroupSize              = 32\n"
            "\tsupportedStages: count = 1\n\t\tSHADER_STAGE_COMPUTE_BIT\n"
            "VkPhysicalDeviceVulkan12Properties:\n-----------------------------------\n"
            "\tdriverID = DRIVER_ID_NVIDIA_PROPRIETARY\n")
        guest = native.replace("\tVK_KHR_cooperative_matrix  : extension revision 2\n", "")
        guest = guest.replace("\tVK_NV_shader_sm_builtins   : extension revision 1\n", "")
        guest = guest.replace("NVIDIA_PROPRIETARY", "MESA_VENUS")
        keys = bench_llama.vulkaninfo_keys("instance part = ignored\n" + native)
        self.assertEqual(keys["ext/VK_KHR_cooperative_matrix"], "2")
        self.assertEqual(keys["VkPhysicalDeviceSubgroupProperties/subgroupSize"], "32")
        self.assertIn("VkPhysicalDeviceSubgroupProperties/supportedStages/"
                      "SHADER_STAGE_COMPUTE_BIT", keys)
        self.assertNotIn("instance part", " ".join(keys))
        diff = bench_llama.device_diff(keys, bench_llama.vulkaninfo_keys(guest))
        self.assertEqual(diff, [
            "differs:     VkPhysicalDeviceVulkan12Properties/driverID: native "
            "DRIVER_ID_NVIDIA_PROPRIETARY, guest DRIVER_ID_MESA_VENUS",
            "only native: ext/VK_KHR_cooperative_matrix = 2",
            "only native: ext/VK_NV_shader_sm_builtins = 1"])

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
