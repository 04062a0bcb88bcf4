#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the vkpeak workload's own logic without vkpeak (meson test bench-vkpeak-logic): its
output read back, a run that dies mid-way, the targets (copies 0.95, compute 0.98; a spread
that overlaps the target is not met; a figure 0 natively has none), the scenario list, the
GPU manifests rewritten for ncnn, and the refusal of a path that is no binary."""
import argparse
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_vkpeak  # noqa: E402

# What vkpeak 20260527 prints on lavapipe: the figures on stdout, the header on stderr.
OUT = """fp32-scalar  = 15.55 GFLOPS
fp32-vec4    = 49.67 GFLOPS
fp16-matrix  = 0.00 GFLOPS
int32-scalar = 5.37 GIOPS
copy-h2h     = 7.01 GBPS
copy-d2d     = 12.34 GBPS
"""
ERR = """device       = llvmpipe (LLVM 15.0.6, 256 bits)
driver       = llvmpipe / Mesa 22.3.6 (LLVM 15.0.6)

"""


def rows(mode, metric, values):
    return [{"rep": i, "workload": "vkpeak", "mode": mode, "metric": metric, "value": str(v),
             "status": "ok"} for i, v in enumerate(values)]


class BenchVkpeak(unittest.TestCase):
    def test_parse_output(self):
        res, head = bench_vkpeak.parse_output("some ncnn line\n" + OUT, ERR)
        self.assertEqual(res, {"fp32-scalar_gflops": 15.55, "fp32-vec4_gflops": 49.67,
                               "fp16-matrix_gflops": 0.0, "int32-scalar_giops": 5.37,
                               "copy-h2h_gbps": 7.01, "copy-d2d_gbps": 12.34})
        self.assertEqual(head, {"device": "llvmpipe (LLVM 15.0.6, 256 bits)",
                                "driver": "llvmpipe / Mesa 22.3.6 (LLVM 15.0.6)"})
        self.assertEqual(bench_vkpeak.parse_output("", "No vulkan device\n"), ({}, {}))

    def test_metric_names(self):
        self.assertEqual(bench_vkpeak.metric_name("copy-d2d", "GBPS"), "copy-d2d_gbps")
        self.assertEqual(bench_vkpeak.split_metric("copy-d2d_gbps"), ("copy-d2d", "GBPS"))
        self.assertEqual(bench_vkpeak.target("copy-h2d_gbps"), 0.95)
        self.assertEqual(bench_vkpeak.target("fp32-vec4_gflops"), 0.98)

    def test_run_rows(self):
        scen = ["fp32-scalar", "fp32-vec4", "fp16-matrix", "int32-scalar", "copy-h2h",
                "copy-d2d"]
        ok = bench_vkpeak.run_rows(0, "native", scen, 0, OUT, ERR)
        self.assertEqual(len(ok), 6)
        self.assertTrue(all(r["status"] == "ok" for r in ok))
        # died after two figures: those are kept, the rest named in one failure row
        died = bench_vkpeak.run_rows(1, "pearvisor-25.0.7", scen, 139,
                                     "\n".join(OUT.splitlines()[:2]), "vkCreateDevice failed")
        self.assertEqual([r["status"] for r in died[:2]], ["ok", "ok"])
        self.assertEqual(len(died), 3)
        self.assertIn("exit status 139", died[2]["status"])
        self.assertIn("no figure for fp16-matrix,int32-scalar,copy-h2h,copy-d2d", died[2]["status"])
        self.assertIn("vkCreateDevice failed", died[2]["status"])

    def test_scenario_list(self):
        self.assertEqual(len(bench_vkpeak.scenario_list("all")), 23)
        self.assertEqual(bench_vkpeak.scenario_list("copy-d2d, fp32-scalar"),
                         ["fp32-scalar", "copy-d2d"])  # vkpeak's own order
        with self.assertRaises(ValueError):
            bench_vkpeak.scenario_list("fp32-scalar,fp128")
        for plat in ("lavapipe", "gpu"):
            bench_vkpeak.scenario_list(bench_vkpeak.DEFAULT_SCENARIOS[plat])
            bench_vkpeak.scenario_list(bench_vkpeak.QUICK_SCENARIOS[plat])
        # on lavapipe vkpeak's dispatches are past the device's limits (see DEFAULT_SCENARIOS)
        self.assertTrue(all(s.startswith("copy-") for s in bench_vkpeak.scenario_list(
            bench_vkpeak.DEFAULT_SCENARIOS["lavapipe"] + "," +
            bench_vkpeak.QUICK_SCENARIOS["lavapipe"])))

    def test_targets(self):
        nat = rows("native", "copy-d2d_gbps", [100, 101, 99, 100, 102])
        met = nat + rows("pearvisor-25.0.7", "copy-d2d_gbps", [96, 97, 99, 95, 98])
        overlap = nat + rows("pearvisor-25.0.7", "copy-d2d_gbps", [97, 98, 99, 90, 98])
        missed = nat + rows("pearvisor-25.0.7", "copy-d2d_gbps", [80, 81, 82, 83, 84])
        self.assertIn("| copy-d2d | GBPS | 100.0 (99.0–102.0) | pearvisor-25.0.7 | "
                      "97.0 (95.0–99.0) | 0.970× | ≥ 0.95× | yes |", bench_vkpeak.report(met))
        self.assertIn("no (spread overlaps)", bench_vkpeak.report(overlap))
        text = bench_vkpeak.report(missed)
        self.assertIn("0.820×", text)
        self.assertNotIn("yes", text)
        # compute: 0.97x meets the copies' target, not the compute one
        comp = rows("native", "fp32-vec4_gflops", [100] * 3) + \
            rows("pearvisor-22.3.6", "fp32-vec4_gflops", [97] * 3)
        self.assertIn("| 0.970× | ≥ 0.98× | no |", bench_vkpeak.report(comp))

    def test_zero_natively_and_failures(self):
        zero = rows("native", "fp16-matrix_gflops", [0, 0]) + \
            rows("pearvisor-25.0.7", "fp16-matrix_gflops", [0, 0])
        self.assertIn("– (0 natively)", bench_vkpeak.report(zero))
        # the guest lacks what native has: 0 through PearVisor is a miss, not a pass
        lost = rows("native", "fp64-scalar_gflops", [12, 12]) + \
            rows("pearvisor-25.0.7", "fp64-scalar_gflops", [0, 0])
        self.assertIn("| 0.000× | ≥ 0.98× | no |", bench_vkpeak.report(lost))
        fail = [{"rep": 0, "workload": "vkpeak", "mode": "pearvisor-22.3.6", "metric": "",
                 "value": "", "status": "fails: exit status 1: boom"}]
        text = bench_vkpeak.report(rows("native", "copy-h2d_gbps", [5]) + fail)
        self.assertIn("vkpeak pearvisor-22.3.6: fails: exit status 1: boom", text)
        self.assertIn("| pearvisor-22.3.6 | fails | – | ≥ 0.95× | no (fails) |", text)

    def test_rows_in_vkpeak_order(self):
        text = bench_vkpeak.report(rows("native", "copy-d2d_gbps", [1]) +
                                   rows("native", "fp32-scalar_gflops", [1]) +
                                   rows("pearvisor-25.0.7", "copy-d2d_gbps", [1]) +
                                   rows("pearvisor-25.0.7", "fp32-scalar_gflops", [1]))
        self.assertLess(text.index("| fp32-scalar |"), text.index("| copy-d2d |"))

    def test_native_alone(self):
        text = bench_vkpeak.report(rows("native", "copy-h2d_gbps", [5, 6, 7]))
        self.assertIn("| copy-h2d | GBPS | 6.0 (5.0–7.0) | – | – | – | ≥ 0.95× | – |", text)

    def test_manifest_one_field_a_line(self):
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "a.json")
            with open(src, "w") as f:
                json.dump({"ICD": {"api_version": "1.3.305", "library_path": "lib/x.so"},
                           "file_format_version": "1.0.0"}, f)
            dest = bench_vkpeak.one_field_a_line(src, os.path.join(d, "b.json"))
            with open(dest) as f:
                text = f.read()
            self.assertIn(f'\n        "library_path": "{d}/lib/x.so"', text)
            dest = bench_vkpeak.one_field_a_line(src, os.path.join(d, "c.json"), one_line=True)
            with open(dest) as f:
                self.assertEqual(len(f.read().strip().splitlines()), 1)

    def test_refuses_a_path_that_is_no_binary(self):
        with tempfile.TemporaryDirectory() as d:
            args = argparse.Namespace(vkpeak=d, gpu="", reps=1, modes="", quick=True,
                                      vkpeak_scenarios="", out=d, build=d, docs=False)
            self.assertEqual(bench_vkpeak.main(args, d, "x", lambda c: ""), 2)
            exe = os.path.join(d, "vkpeak")
            with open(exe, "w") as f:
                f.write("#!/bin/sh\n")
            os.chmod(exe, 0o755)
            args.vkpeak = exe
            args.modes = "pearvisor-25.0.7,native"  # native must come first
            self.assertEqual(bench_vkpeak.main(args, d, "x", lambda c: ""), 2)
            args.modes = ""
            args.vkpeak_scenarios = "fp128"
            self.assertEqual(bench_vkpeak.main(args, d, "x", lambda c: ""), 2)
            args.vkpeak_scenarios = ""
            self.assertEqual(bench_vkpeak.main(args, d, "x", lambda c: ""), 2)  # no server

    def test_docs_section_empty_before_a_run(self):
        with tempfile.TemporaryDirectory() as d:
            self.assertEqual(bench_vkpeak.docs_section(d), "")
            bench_vkpeak.bench_llama.write_csv(
                rows("native", "copy-h2d_gbps", [5]) + rows("pearvisor-25.0.7",
                                                            "copy-h2d_gbps", [5]),
                os.path.join(d, "vkpeak-lavapipe.csv"))
            text = bench_vkpeak.docs_section(d)
            self.assertIn("## vkpeak", text)
            self.assertIn("| copy-h2d | GBPS |", text)


if __name__ == "__main__":
    unittest.main()
