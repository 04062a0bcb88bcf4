# SPDX-License-Identifier: MIT
"""VM modes of bench/run (`bench/run --vm`): the benchmark programs inside the VM test guest
(tests/vm/run-vm: QEMU 10.0.13, Mesa 25.0.7 Venus) with each renderer library in the same QEMU,
and natively on the host for scale.

Modes:
  native         the program on the host's Vulkan driver directly
  vm-ours        in the VM, renderer: PearVisor's libvirglrenderer.so.1 (build/src/virgl)
  vm-reference   in the VM, renderer: the libvirglrenderer.so.1 in PV_VIRGL_REF_LIB (or
                 --ref-lib), e.g. a virglrenderer 1.1.1 build; left out when none is given

One boot per mode and repetition runs every workload in turn (a boot costs 20-60 s under TCG).
Under TCG (no vmx/svm) the guest's own CPU work is emulated, so only host-bound figures
(compute GFLOP/s, hostmem GPU read, and the guest's writes/reads through the host-visible
mapping relative to each other) compare the renderers fairly; round trips and start-up are
dominated by the emulated guest.

The `fences` workload (tests/vm/pv-virtio-fence, VM modes only) times virtio-gpu fences from
EXECBUFFER to the signalled sync file: a renderer decides them through when QEMU's
virgl_renderer_poll sees the fence retired (right after the command, or at its 10 ms timer).
"""
import os
import re
import statistics
import subprocess
import time

VM_WORKLOADS = ("stream", "roundtrip", "hostmem", "compute", "startup", "fences")
# Guest-only programs (no native mode), like bench/run's WORKLOADS entries: program, arguments,
# --quick arguments, unused; built in build/tests/vm.
VM_PROGRAMS = {"fences": ("pv-virtio-fence", ["50"], ["20"], ["50"])}
# RESULT lines that echo a parameter, not a measurement.
PARAMETERS = ("n", "size_mib")
# The figures a renderer decides even under TCG (host-bound), for the comparison line.
HOST_BOUND = [("compute", "gflops", True), ("hostmem", "gpu_read_gbs", True),
              ("hostmem", "write_gbs", True), ("hostmem", "read_gbs", True)]
# Fence latency (lower is better): the renderer's own path to QEMU's poll.
FENCE_FIGURES = [("fences", "ring_fence_median_ms", False),
                 ("fences", "global_fence_median_ms", False),
                 # the context's first fence: its start-up (a worker and the host driver loaded)
                 ("fences", "first_global_fence_ms", False)]


def select(only_arg, default_arg):
    """The VM workloads of --only; the default list gains the VM-only ones."""
    names = only_arg.split(",")
    if only_arg == default_arg:
        names += list(VM_PROGRAMS)
    return [w for w in names if w in VM_WORKLOADS]


def _program(build, w, workloads):
    sub = ("tests", "vm") if w in VM_PROGRAMS else ("bench",)
    return os.path.join(build, *sub, workloads[w][0])


def _pass_tag(prog):
    return (prog[6:] if prog.startswith("bench-") else prog) + ": PASS"


def _guest_script(only, workloads, quick):
    lines = []
    for w in only:
        prog, full, qargs, _ = workloads[w]
        args = " ".join(qargs if quick else full)
        lines.append(f"pv_run {w} {prog} {args}")
    return "\n".join(lines) + "\n"


def _native(build, prog, args, outdir, timeout):
    # the host's own driver: lavapipe here, the GPU's where tests/vm/gpu-vm runs this
    icd = os.environ.get("PV_VM_NATIVE_ICD", "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json")
    env = dict(os.environ, VK_DRIVER_FILES=icd, VK_ICD_FILENAMES=icd)
    path = os.path.join(outdir, "client.out")
    with open(path, "w") as o:
        try:
            rc = subprocess.run([os.path.join(build, "bench", prog)] + args, env=env, stdout=o,
                                stderr=subprocess.STDOUT, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            rc = 124
    with open(path, errors="replace") as f:
        return rc, f.read()


def _guest_rc(serial, name):
    m = re.findall(rf"^PV-END {re.escape(name)} rc=(\d+)", serial, re.M)
    return int(m[-1]) if m else None


def measure_vm(root, build, libs, reps, quick, only, workloads, workdir, parse_results, log):
    """Returns rows like bench/run's measure(): rep, workload, mode, metric, value, status."""
    only = [w for w in only if w in VM_WORKLOADS]
    workloads = dict(workloads, **VM_PROGRAMS)
    modes = ["native"] + list(libs)
    rows = []
    run_vm = os.path.join(root, "tests", "vm", "run-vm")
    for rep in range(reps):
        k = rep % len(modes)
        for mode in modes[k:] + modes[:k]:
            outdir = os.path.join(workdir, f"{mode}-{rep}")
            os.makedirs(outdir, exist_ok=True)
            t0 = time.time()
            results = {}
            if mode == "native":
                for w in only:
                    if w in VM_PROGRAMS:
                        continue
                    prog, full, qargs, _ = workloads[w]
                    wdir = os.path.join(outdir, w)
                    os.makedirs(wdir, exist_ok=True)
                    rc, out = _native(build, prog, qargs if quick else full, wdir, 300)
                    results[w] = (rc, out)
            else:
                script = os.path.join(outdir, "run")
                with open(script, "w") as f:
                    f.write(_guest_script(only, workloads, quick))
                cmd = [run_vm, "--lib", libs[mode], "--out", os.path.join(outdir, "vm"),
                       "--run", script, "--timeout", "3600"]
                for w in only:
                    cmd += ["--add", _program(build, w, workloads)]
                with open(os.path.join(outdir, "run-vm.log"), "w") as lf:
                    vm_rc = subprocess.run(cmd, stdout=lf, stderr=subprocess.STDOUT).returncode
                vmdir = os.path.join(outdir, "vm")
                try:
                    with open(os.path.join(vmdir, "serial.log"), errors="replace") as f:
                        serial = f.read()
                except OSError:
                    serial = ""
                for w in only:
                    try:
                        with open(os.path.join(vmdir, "guest", w + ".log"), errors="replace") as f:
                            out = f.read()
                    except OSError:
                        out = ""
                    rc = _guest_rc(serial, w)
                    results[w] = (rc if rc is not None else (vm_rc or 1), out)
            for w, (rc, out) in results.items():
                prog = workloads[w][0]
                res, _ = parse_results(out)
                if rc == 0 and _pass_tag(prog) in out and res:
                    for m, v in res.items():
                        rows.append({"rep": rep, "workload": w, "mode": mode, "metric": m,
                                     "value": f"{v:.6g}", "status": "ok"})
                else:
                    why = next((l for l in out.splitlines() if "FAIL" in l), f"exit status {rc}")
                    rows.append({"rep": rep, "workload": w, "mode": mode, "metric": "",
                                 "value": "", "status": "fails: " + why[:200]})
            log(f"[{rep + 1}/{reps}] {mode:13} {time.time() - t0:6.1f}s  "
                + ", ".join(f"{w}={'ok' if r[0] == 0 else r[0]}" for w, r in results.items()))
    return rows


def verdict(ours, ref, higher):
    """Whether ours is at least as fast as the reference, judged on the spread of the boots: only
    a spread of ours wholly on the good side of the reference's counts as met."""
    if not higher:
        ours, ref = [-v for v in ours], [-v for v in ref]
    if min(ours) >= max(ref):
        return "met: every boot of ours at least as fast as every boot of the reference"
    if max(ours) < min(ref):
        return "NOT MET: ours slower in every boot"
    return "not met: the spreads overlap (no ranking)"


def _u_null_counts(m, n):
    """How many orderings of m + n distinct values give each Mann-Whitney U (pairs where a value
    of the first sample is the larger), U = 0 .. m*n: the exact null distribution's counts."""
    f = {(0, j): [1] for j in range(n + 1)}
    for i in range(1, m + 1):
        f[(i, 0)] = [1]
        for j in range(1, n + 1):
            size = i * j + 1
            a, b = f[(i - 1, j)], f[(i, j - 1)]
            row = [0] * size
            for u in range(size):
                # the largest value is from the first sample (it beats all j) or from the second
                if 0 <= u - j < len(a):
                    row[u] += a[u - j]
                if u < len(b):
                    row[u] += b[u]
            f[(i, j)] = row
    return f[(m, n)]


def p_slower(ours, ref, higher):
    """Exact one-sided Mann-Whitney p-value for "ours is slower than the reference": the chance,
    were both renderers the same, of ours ranking this low or lower (ties count a half, with the
    untied distribution: they are rare in these figures)."""
    if not higher:
        ours, ref = [-v for v in ours], [-v for v in ref]
    u = sum((x > y) + 0.5 * (x == y) for x in ours for y in ref)
    counts = _u_null_counts(len(ours), len(ref))
    return sum(c for k, c in enumerate(counts) if k <= u) / sum(counts)


def slower_text(ours, ref, higher):
    p = p_slower(ours, ref, higher)
    return f"{'yes' if p < 0.05 else 'no'} (p = {p:.2f})"


def _spread(v, fmt):
    return f"{fmt(min(v))} / {fmt(statistics.median(v))} / {fmt(max(v))} (n={len(v)})"


def host_bound_report(vals, fmt, figures=None, title=None):
    """Min / median / max of the host-bound figures over the boots, per renderer, with the verdict
    (the only fair comparison under TCG)."""
    figures = figures or HOST_BOUND
    title = title or "Host-bound figures (the only fair comparison under TCG), over the boots:"
    lines = [title, "",
             "| figure | vm-ours min / median / max | vm-reference min / median / max | "
             "median ratio | at least as fast? | ours slower? (rank test) |",
             "| --- | --- | --- | --- | --- | --- |"]
    for w, metric, higher in figures:
        a = vals.get((w, metric), {}).get("vm-ours")
        b = vals.get((w, metric), {}).get("vm-reference")
        if not a or not b:
            lines.append(f"| {w} {metric} | – | – | – | not measured in both | – |")
            continue
        r = statistics.median(a) / statistics.median(b)
        lines.append(f"| {w} {metric} | {_spread(a, fmt)} | {_spread(b, fmt)} | {r:.2f}× | "
                     f"{verdict(a, b, higher)} | {slower_text(a, b, higher)} |")
    return lines


def vm_report(rows, fmt):
    """A markdown table: medians per mode and, with both renderers, ours / reference."""
    vals, modes, fails = {}, [], {}
    for r in rows:
        if r["mode"] not in modes:
            modes.append(r["mode"])
        if r["status"] == "ok":
            vals.setdefault((r["workload"], r["metric"]), {}).setdefault(r["mode"], []).append(
                float(r["value"]))
        else:
            fails[(r["workload"], r["mode"])] = r["status"]
    med = {k: {m: statistics.median(v) for m, v in d.items()} for k, d in vals.items()
           if k[1] not in PARAMETERS}
    both = "vm-ours" in modes and "vm-reference" in modes
    head = "| workload | metric | " + " | ".join(modes) + (" | ours / reference |" if both else " |")
    lines = [head, "|" + " --- |" * (len(modes) + 2 + (1 if both else 0))]
    for (w, metric), d in sorted(med.items()):
        cells = []
        for m in modes:
            v = d.get(m)
            cells.append(fmt(v) if v is not None else ("fails" if (w, m) in fails else "–"))
        line = f"| {w} | {metric} | " + " | ".join(cells) + " |"
        if both:
            a, b = d.get("vm-ours"), d.get("vm-reference")
            line += f" {a / b:.2f}× |" if a is not None and b else " – |"
        lines.append(line)
    if both:
        lines.append("")
        lines += host_bound_report(vals, fmt)
        if any(k[0] == "fences" for k in vals):
            lines += [""] + host_bound_report(
                vals, fmt, FENCE_FIGURES, "Fence latency (ms, lower is better; each boot's "
                "median of 50 fences of each kind, and its context's first fence), over the "
                "boots:")
    for (w, m), why in sorted(fails.items()):
        lines.append(f"- {w} / {m}: {why}")
    return "\n".join(lines)
