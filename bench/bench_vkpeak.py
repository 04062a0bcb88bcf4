# SPDX-License-Identifier: MIT
"""The vkpeak workload of bench/run (`bench/run --vkpeak PATH`, and with `--gpu BUNDLE` on the
NVIDIA machine): nihui/vkpeak, a Vulkan peak-throughput tool built on Tencent/ncnn, natively and
through PearVisor, for issue 16's targets: vkpeak's copies >= 0.95x native, its compute figures
>= 0.98x native.

PATH is a vkpeak binary the user built (this project ships none of it, nor anything that builds
it; docs/BENCHMARKS.md says how). A file VKPEAK_TAG beside it, when there, names what it was
built from (reported as is).

vkpeak prints, one line each on stdout, `NAME = VALUE UNIT` for the scenarios it runs (vkpeak
20260527: fp32/fp16/fp64/int32/int16/int64 scalar and vec4, int8 and bf16 dot products,
fp16/int8/bf16/fp8/bf8 cooperative matrices, copy-h2h/h2d/d2h/d2d; GFLOPS, GIOPS or GBPS), and
`device = ...` and `driver = ...` on stderr. A scenario the device cannot run (a missing
feature, or a failed step) prints 0.00. Every figure is the best of several timed submissions
within the process (compute: submit to wait, >= 300 ms each; copy-h2d/d2h: a memcpy into or out
of a mapped host-visible buffer of up to 512 MiB with its flush or invalidate; copy-d2d: a copy
on the device of up to 2 GiB, submit to wait; both sizes an eighth of the heap's budget at most;
copy-h2h: a plain memcpy, no Vulkan). `vkpeak DEVICE SCENARIOS`
(a comma-separated list, or `all`) picks what it runs; device 0 on both sides here, where each
side has exactly one device.

ncnn loads the Vulkan driver named by VK_ICD_FILENAMES (or VK_DRIVER_FILES) itself, without the
Vulkan loader, when it can read that manifest's "library_path" line; both sides get such a
manifest (the GPU runner writes every side's one field a line), so both load their driver the
same way; on the GPU, PV_VKPEAK_LOADER=1 sends both through the loader instead.

Modes: those of bench/bench_llama.py's runners (the same server, guests, sockets and
environment): native (the host's driver), pearvisor-25.0.7 (Mesa 25.0.7 Venus guest over vtest,
wire format 1), pearvisor-22.3.6 (Mesa 22.3.6, wire format 0), pearvisor-25.0.7-nofb (its
shared-memory feedback off), and on the GPU any PearVisor mode with -base after it
(BUNDLE/base/pearvisor-gpu). One vkpeak process per repetition and mode, the modes interleaved
(a different order each repetition).
"""
import datetime
import hashlib
import json
import os
import re
import shutil
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_llama  # noqa: E402  (the runners: how each mode reaches its driver)

MODES = ["native", "pearvisor-25.0.7", "pearvisor-22.3.6"]
# vkpeak 20260527's scenarios, in its order, with their units.
SCENARIOS = [
    ("fp32-scalar", "GFLOPS"), ("fp32-vec4", "GFLOPS"),
    ("fp16-scalar", "GFLOPS"), ("fp16-vec4", "GFLOPS"), ("fp16-matrix", "GFLOPS"),
    ("fp64-scalar", "GFLOPS"), ("fp64-vec4", "GFLOPS"),
    ("int32-scalar", "GIOPS"), ("int32-vec4", "GIOPS"),
    ("int16-scalar", "GIOPS"), ("int16-vec4", "GIOPS"),
    ("int64-scalar", "GIOPS"), ("int64-vec4", "GIOPS"),
    ("int8-dotprod", "GIOPS"), ("int8-matrix", "GIOPS"),
    ("bf16-dotprod", "GFLOPS"), ("bf16-matrix", "GFLOPS"),
    ("fp8-matrix", "GFLOPS"), ("bf8-matrix", "GFLOPS"),
    ("copy-h2h", "GBPS"), ("copy-h2d", "GBPS"), ("copy-d2h", "GBPS"), ("copy-d2d", "GBPS"),
]
UNITS = dict(SCENARIOS)
# What each platform runs by default: on the GPU everything; on lavapipe the copies only:
# vkpeak 20260527 sizes its compute dispatches from the buffer, not from the device's limits, and
# on lavapipe asks for 117760 to 942080 workgroups in x, past its maxComputeWorkGroupCount[0]
# (65535; VUID-vkCmdDispatch-groupCountX-00386, which the validation layer reports natively).
# lavapipe runs them anyway; our renderer refuses such a dispatch (src/vk/guard_limits.c) and
# the context is lost: the 22.3.6 guest's vkpeak then prints 0 for every figure that submits
# work, the 25.0.7 guest aborts the process ("vn_ring_submit abort on fatal"). The NVIDIA
# driver's limit (2^31 - 1) is far above what vkpeak asks.
DEFAULT_SCENARIOS = {"lavapipe": "copy-h2h,copy-h2d,copy-d2h,copy-d2d", "gpu": "all"}
# --quick: a smoke test.
QUICK_SCENARIOS = {"lavapipe": "copy-h2d,copy-d2d", "gpu": "fp32-vec4,copy-h2d,copy-d2d"}
# Issue 16's targets, against the native median.
TARGET_COPY = 0.95
TARGET_COMPUTE = 0.98
WORKLOAD = "vkpeak"
FIELDS = bench_llama.FIELDS
# A line of vkpeak's results, and one of its header (device, driver).
RESULT_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9_.+-]*)\s*=\s*"
                       r"([-+]?(?:[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|nan|inf))"
                       r"\s+([A-Za-z/]+)\s*$")
HEADER_RE = re.compile(r"^(device|driver)\s*=\s*(.*?)\s*$")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def target(metric):
    """The target of a metric (`copy-d2d_gbps`): copies 0.95, the rest 0.98."""
    return TARGET_COPY if metric.startswith("copy-") else TARGET_COMPUTE


def metric_name(scenario, unit):
    """`copy-d2d`, `GBPS` -> `copy-d2d_gbps`: the unit stays with the figure in the CSV."""
    return f"{scenario}_{unit.lower()}"


def split_metric(metric):
    """`copy-d2d_gbps` -> (`copy-d2d`, `GBPS`)."""
    name, _, unit = metric.rpartition("_")
    return (name, unit.upper()) if name else (metric, "")


def scenario_list(spec):
    """The scenario names of `all` or a comma-separated list; raises ValueError on an unknown
    one (vkpeak would refuse it too, after opening the device)."""
    spec = (spec or "all").strip()
    if spec == "all":
        return [n for n, _ in SCENARIOS]
    names = [s.strip() for s in spec.split(",") if s.strip()]
    bad = [n for n in names if n not in UNITS]
    if bad or not names:
        raise ValueError(f"unknown vkpeak scenario(s) {', '.join(bad) or '(none)'}; known: "
                         + ", ".join(UNITS))
    return [n for n, _ in SCENARIOS if n in names]  # vkpeak runs them in its own order


def parse_output(out, err=""):
    """vkpeak's stdout (and stderr): ({metric: value}, {"device": ..., "driver": ...}).
    Lines that are neither (ncnn's own messages) are skipped."""
    res, header = {}, {}
    for line in out.splitlines():
        m = RESULT_RE.match(line)
        if m and m.group(1) not in ("device", "driver"):
            res[metric_name(m.group(1), m.group(3))] = float(m.group(2))
    for line in (err + "\n" + out).splitlines():
        m = HEADER_RE.match(line.strip())
        if m and m.group(1) not in header:
            header[m.group(1)] = m.group(2)
    return res, header


def run_rows(rep, mode, scenarios, rc, out, err):
    """The CSV rows of one vkpeak run: a row per figure it printed ("ok", 0 included: vkpeak
    prints 0.00 for what the device lacks), and a failure row naming the scenarios it did not
    print when it exited early or with an error."""
    res, _ = parse_output(out, err)
    rows = [{"rep": rep, "workload": WORKLOAD, "mode": mode, "metric": m, "value": f"{v:.6g}",
             "status": "ok"} for m, v in res.items()]
    got = {split_metric(m)[0] for m in res}
    missing = [s for s in scenarios if s not in got]
    if rc != 0 or missing:
        why = (err.strip().splitlines() or [f"exit status {rc}"])[-1][:200]
        rows.append({"rep": rep, "workload": WORKLOAD, "mode": mode, "metric": "",
                     "value": "", "status": f"fails: exit status {rc}: "
                     + (f"no figure for {','.join(missing)}: " if missing else "") + why})
    return rows


# ---------------------------------------------------------------- where a run goes

def one_field_a_line(icd, dest, one_line=False):
    """Writes the Vulkan ICD manifest `icd` to `dest` one field a line (what ncnn can read), a
    library path relative to the manifest's directory made absolute; returns dest. one_line:
    all on one line instead, which ncnn cannot read, so that it goes through the Vulkan loader
    (libvulkan.so.1), which can."""
    with open(icd) as f:
        manifest = json.load(f)
    lib = manifest.get("ICD", {}).get("library_path", "")
    if lib and not os.path.isabs(lib) and "/" in lib:
        manifest["ICD"]["library_path"] = os.path.join(os.path.dirname(os.path.abspath(icd)),
                                                       lib)
    with open(dest, "w") as f:
        json.dump(manifest, f, indent=None if one_line else 4)
    return dest


class GpuRunner(bench_llama.GpuRunner):
    """bench_llama's GPU runner, its files (manifests, server log) in a directory of the vkpeak
    workload's own, every side's manifest written one field a line, so that ncnn loads each
    side's driver directly, the same way (see the module's docstring); with PV_VKPEAK_LOADER=1
    in the environment each on one line instead: both sides through the Vulkan loader."""

    def __init__(self, bundle, host_icd, out):
        os.makedirs(out, exist_ok=True)
        super().__init__(bundle, host_icd, out)
        self.server_log.close()
        log_path = os.path.join(out, "vkpeak-server.log")
        os.replace(os.path.join(out, "llama-server.log"), log_path)
        self.server_log = open(log_path, "a")
        for env, name in ((self.host_env, "native"), (self.guest_env, "venus-25.0.7"),
                          (self.guest22_env, "venus-22.3.6")):
            icd = one_field_a_line(env["VK_ICD_FILENAMES"],
                                   os.path.join(out, f"vkpeak-{name}_icd.json"),
                                   os.environ.get("PV_VKPEAK_LOADER") == "1")
            env.update(VK_ICD_FILENAMES=icd, VK_DRIVER_FILES=icd)


def vkpeak_argv(binary, scenarios):
    """vkpeak's command line: device 0 and the scenarios, its stdout line-buffered (stdbuf) so
    that a run that dies mid-way keeps the figures it printed."""
    argv = [binary, "0", ",".join(scenarios)]
    stdbuf = shutil.which("stdbuf")
    return ([stdbuf, "-oL"] + argv) if stdbuf else argv


# ---------------------------------------------------------------- measuring

def measure(runner, modes, binary, scenarios, reps, workdir, timeout, partial):
    """Rows of the CSV, written to `partial` after every run; and per mode the header vkpeak
    printed first and the seconds each run took."""
    rows, header, seconds = [], {}, {}
    for rep in range(reps):
        k = rep % len(modes)
        for mode in modes[k:] + modes[:k]:  # interleaved: a different order each time
            outdir = os.path.join(workdir, f"vkpeak-{mode}-{rep}")
            os.makedirs(outdir, exist_ok=True)
            t0 = time.time()
            rc, out, err = runner.run(mode, vkpeak_argv(binary, scenarios), outdir, timeout)
            took = time.time() - t0
            seconds.setdefault(mode, []).append(round(took, 1))
            got = run_rows(rep, mode, scenarios, rc, out, err)
            rows += got
            res, head = parse_output(out, err)
            if head:
                header.setdefault(mode, head)
            brief = ", ".join(f"{split_metric(m)[0]}={v:.4g}" for m, v in res.items())
            fails = [r["status"] for r in got if r["status"] != "ok"]
            log(f"[{rep + 1}/{reps}] vkpeak {mode:22} {took:6.1f}s  {brief}"
                + (f"  {fails[0][:160]}" if fails else ""))
            bench_llama.write_csv(rows, partial)
    return rows, header, seconds


# ---------------------------------------------------------------- reporting

def spread(rows):
    """{(metric, mode): (min, median, max, n)}, {mode: first failure}."""
    vals, fails = {}, {}
    for r in rows:
        if r["status"] == "ok":
            vals.setdefault((r["metric"], r["mode"]), []).append(float(r["value"]))
        else:
            fails.setdefault(r["mode"], r["status"])
    return ({k: (min(v), statistics.median(v), max(v), len(v)) for k, v in vals.items()},
            fails)


def fmt3(s):
    if not s:
        return "fails"
    f = "{:.1f}" if s[1] < 1000 else "{:.0f}"
    return f"{f.format(s[1])} ({f.format(s[0])}–{f.format(s[2])})"


def verdict(nat, our, metric):
    """(ratio of medians or None, target column): met only when even the slowest run through
    PearVisor reaches the target against the native median; a figure vkpeak prints as 0
    natively (the device lacks it) has no target."""
    if not nat:
        return None, "–"
    if nat[1] == 0:
        return None, "– (0 natively)"
    if not our:
        return None, "no (fails)"
    r = our[1] / nat[1]
    t = target(metric)
    return r, ("yes" if our[0] >= t * nat[1] else
               "no (spread overlaps)" if r >= t else "no")


def order(metrics):
    pos = {n: i for i, (n, _) in enumerate(SCENARIOS)}
    return sorted(metrics, key=lambda m: (pos.get(split_metric(m)[0], len(pos)), m))


def report(rows, meta=None):
    """Markdown: a table per PearVisor mode's figure against native, min/median/max, the ratio
    of medians and the target's verdict; then the modes' failures."""
    st, fails = spread(rows)
    seen = [r["mode"] for r in rows]
    ours_modes = [m for o in bench_llama.ours_known() for m in (o, o + bench_llama.BASE)
                  if m in seen]
    ours_modes += [m for m in dict.fromkeys(seen) if m != "native" and m not in ours_modes]
    metrics = order({r["metric"] for r in rows if r["metric"]})
    lines = ["| figure | unit | native, median (min–max) | mode | mode's, median (min–max) | "
             "mode / native (medians) | target | met |",
             "|---|---|---|---|---|---|---|---|"]
    for m in metrics:
        name, unit = split_metric(m)
        nat = st.get((m, "native"))
        if not ours_modes:  # native alone (--modes native): its figures
            lines.append(f"| {name} | {unit} | {fmt3(nat)} | – | – | – | ≥ {target(m)}× | – |")
        for ours in ours_modes:
            our = st.get((m, ours))
            r, met = verdict(nat, our, m)
            ratio = f"{r:.3f}×" if r is not None else "–"
            lines.append(f"| {name} | {unit} | {fmt3(nat)} | {ours} | {fmt3(our)} | {ratio} | "
                         f"≥ {target(m)}× | {met} |")
    for mode, why in sorted(fails.items()):
        lines.append(f"\n{WORKLOAD} {mode}: {why}")
    return "\n".join(lines) + "\n"


def meta_text(meta):
    v = meta.get("vkpeak", {})
    dev = meta.get("device", {})
    return (f"- Run {meta.get('date')}, PearVisor {meta.get('commit')}, {meta.get('reps')} "
            f"repetitions (one vkpeak process per repetition and mode, modes interleaved)\n"
            f"- Device: " + "; ".join(f"{m}: {d.get('device')} ({d.get('driver')})"
                                      for m, d in dev.items())
            + (f" (nvidia-smi: {meta['gpu']})" if meta.get("gpu") else "") + "\n"
            f"- vkpeak binary: {v.get('tag') or '(no VKPEAK_TAG beside it)'}, "
            f"{v.get('size')} bytes, sha256 {str(v.get('sha256'))[:16]}…, built by the user\n"
            f"- `vkpeak 0 {meta.get('scenarios')}`; seconds a run, median per mode: "
            + ", ".join(f"{m} {statistics.median(s):.0f}"
                        for m, s in meta.get("seconds", {}).items() if s) + "\n")


def binary_info(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    tag = bench_llama.read(os.path.join(os.path.dirname(path), "VKPEAK_TAG")).strip()
    return {"path": path, "size": os.path.getsize(path), "sha256": h.hexdigest(), "tag": tag}


DOC_INTRO = """
## vkpeak (issue 16)

[vkpeak](https://github.com/nihui/vkpeak) (a Vulkan peak-throughput tool on Tencent/ncnn) run
natively and through PearVisor (`bench/run --vkpeak PATH`, `bench/bench_vkpeak.py`); issue
16's targets: vkpeak's copies ≥ 0.95× native, its compute figures ≥ 0.98× native. vkpeak is not
part of the project and nothing here builds it: the user builds it and passes the binary. A
target is met only when even the slowest run through PearVisor reaches it against the native
median.
"""


def docs_section(docdir, notes=""):
    """The vkpeak section of docs/BENCHMARKS.md, or nothing before the first `--docs` run."""
    parts = []
    for plat, title in (("gpu", "NVIDIA GPU"), ("lavapipe", "lavapipe")):
        got = bench_llama.load_platform(docdir, "vkpeak", plat, title)
        if got:
            rows, meta, title = got
            parts.append(f"\n### {title}\n\n{meta_text(meta)}\n{report(rows, meta)}")
    if not parts:
        return ""
    return DOC_INTRO + "".join(parts) + ("\n" + notes if notes else "")


# ---------------------------------------------------------------- entry point

def known_modes(gpu):
    ours = bench_llama.ours_known()
    return ["native"] + ours + ([m + bench_llama.BASE for m in ours] if gpu else [])


def main(args, root, commit, sh):
    """bench/run --vkpeak PATH [--gpu BUNDLE] [--modes M,M] [--vkpeak-scenarios S,S]
    [--reps N] [--quick] [--docs] [--out DIR]."""
    binary = os.path.abspath(args.vkpeak)
    if not os.access(binary, os.X_OK) or os.path.isdir(binary):
        log(f"bench/run --vkpeak: {binary} is not an executable")
        return 2
    gpu = bool(args.gpu)
    plat = "gpu" if gpu else "lavapipe"
    reps = args.reps or 5
    modes = [m for m in (getattr(args, "modes", "") or ",".join(MODES)).split(",") if m]
    known = known_modes(gpu)
    if any(m not in known for m in modes) or modes[:1] != ["native"]:
        log(f"bench/run --vkpeak: modes are native first, then of {', '.join(known[1:])}")
        return 2
    spec = getattr(args, "vkpeak_scenarios", "") or (QUICK_SCENARIOS if args.quick
                                                      else DEFAULT_SCENARIOS)[plat]
    try:
        scenarios = scenario_list(spec)
    except ValueError as e:
        log(f"bench/run --vkpeak-scenarios: {e}")
        return 2
    if not gpu and not os.path.exists(os.path.join(args.build, "pearvisor-gpu")):
        log(f"bench/run --vkpeak: no {args.build}/pearvisor-gpu: build first")
        return 2
    out = os.path.abspath(args.out or (os.path.join(os.environ.get("OUT", "/tmp"), "bench")
                                       if gpu else os.path.join(args.build, "bench-results")))
    os.makedirs(out, exist_ok=True)
    runs = os.path.join(out, "vkpeak-runs")
    os.makedirs(runs, exist_ok=True)
    if gpu:
        runner = GpuRunner(os.path.abspath(args.gpu), args.host_icd, runs)
    else:
        runner = bench_llama.HarnessRunner(root, os.path.abspath(args.build))
    # A run on the GPU takes a minute or so; on lavapipe each compute figure takes tens of
    # seconds (a submission must last 300 ms, and vkpeak doubles the work until it does).
    limit = 300 if gpu else 1800
    try:
        rows, header, seconds = measure(runner, modes, binary, scenarios, reps, runs, limit,
                                        os.path.join(out, f"vkpeak-{plat}.partial.csv"))
    finally:
        runner.close()
    meta = {
        "platform": plat,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit, "reps": reps, "modes": modes,
        "scenarios": "all" if len(scenarios) == len(SCENARIOS) else ",".join(scenarios),
        "vkpeak": binary_info(binary), "device": header, "seconds": seconds,
    }
    if gpu:
        meta["gpu"] = sh(["nvidia-smi", "--query-gpu=name,driver_version,memory.total",
                          "--format=csv,noheader"])
    dest = os.path.join(root, "docs", "bench") if args.docs else out
    os.makedirs(dest, exist_ok=True)
    bench_llama.write_csv(rows, os.path.join(dest, f"vkpeak-{plat}.csv"))
    with open(os.path.join(dest, f"vkpeak-{plat}.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(meta_text(meta))
    print(report(rows, meta))
    print(f"wrote {dest}/vkpeak-{plat}.csv and .json")
    return 0 if rows and all(r["status"] == "ok" for r in rows) else 1
