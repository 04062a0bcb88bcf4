# SPDX-License-Identifier: MIT
"""What issue 12's value and state checks cost on the decode path, in instructions.

`bench/run --only decode-cost [--reps N]`: records bench-stream through the server once per guest
(Mesa 22.3.6 on wire 0, Mesa 25.0.7 on wire 1; `serve --record`), then replays each capture with
bench-decode-cost (bench/decode_cost.c) under `valgrind --tool=callgrind
--toggle-collect=pv_protocol_execute_one`, with the checks and without them (the same commit and
input; --unchecked), interleaved, N repetitions each. Instruction counts only count what runs
inside pv_protocol_execute_one (one call per decoded command, nested streams included), so
renderer set-up, capture reading and replay waits are left out. Per command:

- decode_ir: every instruction of the decode path, the host driver's recording included;
- renderer_ir: the renderer's own (decode_ir less what it spends in calls into other objects:
  the host driver, the loader, libc).

Both leave out the replay's own hooks (pv_capture_*, pv_replay_*), which a serving server does
not run.

Instruction counts do not depend on the machine's load, so they show a difference of a few
percent that timings on a shared 2-core machine cannot. Results: OUT/decode-cost.csv, and with
--docs docs/bench/decode-cost.csv (rendered into docs/BENCHMARKS.md).
"""
import collections
import csv
import glob
import os
import re
import shutil
import statistics
import subprocess

GUESTS = (("22.3.6", 0), ("25.0.7", 1))
VARIANTS = ("checks", "unchecked")
LVP_ICD = "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json"


def parse_callgrind(path, own_object):
    """(total Ir, Ir in calls from own_object into other objects, Ir in the replay's own hooks,
    commands: calls from pv_protocol_execute_one to a table decode function pv_cmd_decode_*). The hooks (pv_capture_*, pv_replay_*: where the replay follows
    the capture's records) run only when replaying or recording, never in a serving server."""
    names = {"ob": {}, "fn": {}}
    ob = fn = cob = cfn = None
    total = outside = hooks = commands = 0
    pending = None

    def name(kind, tok):
        m = re.match(r"\((\d+)\)(?: (.*))?", tok)
        if not m:
            return tok
        if m.group(2):
            names[kind][m.group(1)] = m.group(2)
        return names[kind].get(m.group(1), tok)

    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("ob="):
                ob = name("ob", line[3:])
            elif line.startswith("fn="):
                fn = name("fn", line[3:])
                cob = None
            elif line.startswith(("cob=")):
                cob = name("ob", line[4:])
            elif line.startswith(("cfi=", "cfl=")):
                pass
            elif line.startswith("cfn="):
                cfn = name("fn", line[4:])
            elif line.startswith("calls="):
                pending = int(line[6:].split()[0])
            elif line and (line[0].isdigit() or line[0] in "+-*"):
                parts = line.split()
                if len(parts) < 2:
                    continue
                ir = int(parts[1])
                if pending is not None:
                    callee_ob = cob or ob
                    callee = re.sub(r"'\d+$", "", cfn or "")
                    caller = re.sub(r"'\d+$", "", fn or "")
                    is_hook = callee.startswith(("pv_capture_", "pv_replay_"))
                    if is_hook and not caller.startswith(("pv_capture_", "pv_replay_")):
                        hooks += ir
                    elif ob and own_object in ob and own_object not in (callee_ob or ""):
                        outside += ir
                    # one decode call per command, through the table (never inlined)
                    if caller == "pv_protocol_execute_one" and callee.startswith("pv_cmd_decode_"):
                        commands += pending
                    pending = None
                    cob = None
                else:
                    total += ir
    return total, outside, hooks, commands


def record(build, guest, wire, seconds, work):
    """A capture of bench-stream through the server with this guest; its path."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    rec = os.path.join(work, f"rec-{guest}")
    shutil.rmtree(rec, ignore_errors=True)
    env = dict(os.environ, PV_SERVER=os.path.join(build, "pearvisor-gpu"),
               PV_GUEST_CACHE=os.path.join(build, "guest"))
    args = [os.path.join(root, "tests/e2e/harness"), "--guest", guest, "--out",
            os.path.join(work, f"record-{guest}"), "--server-arg", "--record",
            "--server-arg", rec]
    if wire:
        args += ["--server-arg", "--wire", "--server-arg", str(wire)]
    args += ["--", os.path.join(build, "bench", "bench-stream"), "--seconds", str(seconds)]
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL)
    caps = glob.glob(os.path.join(rec, "*.pvcap"))
    if len(caps) != 1:
        raise RuntimeError(f"decode-cost: {len(caps)} captures recorded with {guest}")
    return caps[0]


def replay(build, capture, variant, outdir):
    """One replay under callgrind: (commands, decode Ir per command, renderer Ir per command)."""
    exe = os.path.join(build, "bench", "bench-decode-cost")
    prof = os.path.join(outdir, "callgrind.out")
    args = ["valgrind", "--tool=callgrind", "--toggle-collect=pv_protocol_execute_one",
            f"--callgrind-out-file={prof}", exe, "--icd", LVP_ICD, capture]
    if variant == "unchecked":
        args.insert(-1, "--unchecked")
    p = subprocess.run(args, capture_output=True, text=True)
    with open(os.path.join(outdir, "log.txt"), "w") as f:
        f.write(p.stdout + p.stderr)
    if p.returncode != 0 or "reply_mismatches=0 status=0" not in p.stdout:
        raise RuntimeError(f"decode-cost: replay of {capture} ({variant}) failed: "
                           f"{p.stdout.strip()[-300:]}")
    total, outside, hooks, cmds = parse_callgrind(prof, os.path.basename(exe))
    os.unlink(prof)  # tens of MB each
    return cmds, (total - hooks) / cmds, (total - hooks - outside) / cmds


def run(build, reps, out, seconds=0.05, log=print):
    """Records, replays, writes OUT/decode-cost.csv; returns the rows."""
    if not shutil.which("valgrind"):
        raise RuntimeError("decode-cost needs valgrind (apt-get install valgrind)")
    work = os.path.join(out, "decode-cost")
    os.makedirs(work, exist_ok=True)
    rows = []
    for guest, wire in GUESTS:
        cap = record(build, guest, wire, seconds, work)
        for rep in range(reps):
            order = VARIANTS if rep % 2 == 0 else VARIANTS[::-1]  # interleaved
            for variant in order:
                d = os.path.join(work, f"{guest}-{variant}-{rep}")
                os.makedirs(d, exist_ok=True)
                cmds, dec, own = replay(build, cap, variant, d)
                log(f"[{rep + 1}/{reps}] decode-cost {guest} {variant:9} {cmds} commands: "
                    f"{dec:.1f} Ir/command, renderer {own:.1f}")
                rows.append({"rep": rep, "guest": guest, "variant": variant, "commands": cmds,
                             "decode_ir": f"{dec:.2f}", "renderer_ir": f"{own:.2f}"})
    write_csv(rows, os.path.join(out, "decode-cost.csv"))
    return rows


def write_csv(rows, path):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["rep", "guest", "variant", "commands", "decode_ir",
                                          "renderer_ir"])
        w.writeheader()
        w.writerows(rows)


def spread(vals):
    return min(vals), statistics.median(vals), max(vals)


def report(rows):
    """Markdown table: per guest and metric, min / median / max with and without the checks."""
    by = collections.defaultdict(list)
    for r in rows:
        by[(r["guest"], r["variant"], "decode_ir")].append(float(r["decode_ir"]))
        by[(r["guest"], r["variant"], "renderer_ir")].append(float(r["renderer_ir"]))
    cmds = {r["guest"]: r["commands"] for r in rows}
    reps = len({r["rep"] for r in rows})
    out = [f"| guest (commands per replay) | Ir per command | checks bypassed | with the checks "
           f"| cost of the checks | within 5 % |",
           "|---|---|---|---|---|---|"]
    labels = {"decode_ir": "decode path (host driver included)",
              "renderer_ir": "renderer only"}
    for guest, _ in GUESTS:
        for metric in ("decode_ir", "renderer_ir"):
            off, on = by[(guest, "unchecked", metric)], by[(guest, "checks", metric)]
            if not off or not on:
                continue
            a, b = spread(off), spread(on)
            worst = (b[2] - a[0]) / a[0] * 100  # the whole spread: highest on vs lowest off
            med = (b[1] - a[1]) / a[1] * 100
            ok = "yes" if worst <= 5 else "no"
            out.append(f"| {guest} ({cmds.get(guest, '?')}) | {labels[metric]} | "
                       f"{a[0]:.1f} / {a[1]:.1f} / {a[2]:.1f} | {b[0]:.1f} / {b[1]:.1f} / "
                       f"{b[2]:.1f} | {med:+.1f} % (at most {worst:+.1f} %) | {ok} |")
    return (f"Min / median / max of {reps} interleaved repetitions per variant.\n\n"
            + "\n".join(out) + "\n")


def load(path):
    with open(path) as f:
        return list(csv.DictReader(f))
