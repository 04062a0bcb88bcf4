# SPDX-License-Identifier: MIT
"""The llama.cpp workload of bench/run (`bench/run --llama DIR`, and with `--gpu BUNDLE` on the
NVIDIA machine): a real application, llama.cpp's Vulkan backend, natively and through PearVisor
with the unmodified Mesa 25.0.7 Venus guest on a wire-1 socket.

DIR is a llama.cpp tree the user built (this project ships none of it, nor anything that builds
it): DIR/build/bin (or DIR/bin) holds llama-bench, llama-simple and llama-quantize, DIR/gguf-py
the `gguf` Python package. At bench time bench/llama_model.py writes a synthetic model with
that package (random weights, F16) and llama-quantize makes its Q4_0 copy; then:

- correctness: llama-simple (greedy sampling, so no seed is involved; fixed prompt) generates
  the same tokens through PearVisor as natively, per model type;
- speed: llama-bench pp (prompt processing) and tg (token generation), one process per
  repetition and mode, the modes interleaved (a different order each repetition).

Modes: native (the host's Vulkan driver directly) and pearvisor-25.0.7 (our server, the guest
driver connecting over vtest to a socket served with wire format 1). GGML_VK_VISIBLE_DEVICES=0
in both: llama.cpp would skip a CPU-type device such as lavapipe by default, and each side has
exactly one device.
"""
import csv
import datetime
import json
import os
import statistics
import subprocess
import sys
import time

MODES = ["native", "pearvisor-25.0.7"]
# A diagnostic mode (bench/run --modes): the same guest with its shared-memory feedback off, so
# that every fence, semaphore, event and query wait is answered by the renderer instead.
NOFB = "no_fence_feedback,no_semaphore_feedback,no_event_feedback,no_query_feedback"
EXTRA_MODES = {"pearvisor-25.0.7-nofb": NOFB}
# A diagnostic mode: the same renderer serving Mesa 22.3.6's guest driver (wire format 0, the
# socket /tmp/.virgl_test). Its fence waits yield 1023 times before they first sleep, where
# 25.0.7's yield 15 times and then sleep 160 us (bench/notes-h200-wire1.md): what the newer
# guest's wait policy costs, with the renderer unchanged.
GUEST_MODES = {"pearvisor-22.3.6": "22.3.6"}
# Diagnostic modes: the same guest served with the renderer's recording thread on and off
# (PEARVISOR_RECORD_THREAD; off by default): what the thread gains or costs a real application
# (bench/notes-llama.md, "The recording thread").
SERVER_MODES = {"pearvisor-25.0.7-rec": {"PEARVISOR_RECORD_THREAD": "1"},
                "pearvisor-25.0.7-norec": {"PEARVISOR_RECORD_THREAD": "0"}}
# Diagnostic modes run natively (bench/run --modes, GPU only), to tell what the guest driver's
# device costs or changes from what the renderer does:
# - native-nocoopmat: llama.cpp's own switch GGML_VK_DISABLE_COOPMAT=1, so it ignores the
#   driver's VK_KHR_cooperative_matrix (which Mesa 25.0.7's Venus driver does not offer);
# - native-venus-like: VK_LAYER_PEARVISOR_hide_extensions (bench/hide_extensions.c) makes the
#   native device look like what the Venus guest shows of it: every device extension the
#   guest lacks hidden (taken from vulkaninfo on both sides at the start), the guest's driverID
#   (VK_DRIVER_ID_MESA_VENUS) and no host-visible VRAM (src/vk/memory_types.c).
NATIVE_MODES = {"native-nocoopmat": {"GGML_VK_DISABLE_COOPMAT": "1"}, "native-venus-like": None}
# A/B modes (GPU only): any PearVisor mode with BASE after its name runs the same guest through
# BUNDLE/base/pearvisor-gpu, an older build put there by hand (e.g. the previous commit's), in
# the same run as the bundle's own build.
BASE = "-base"
VENUS_DRIVER_ID = "22"  # VK_DRIVER_ID_MESA_VENUS
QUANTS = ["q4_0", "f16"]
PROMPT = "Once upon a time there was a little"
# (pp, tg, tokens llama-simple generates) per platform; quick is a smoke test. On lavapipe
# (a CPU shared with the build) pp512/tg128 take minutes a run: 128/32 there.
SIZES = {"lavapipe": (128, 32, 32), "gpu": (512, 128, 64), "quick": (32, 8, 8)}
TARGET = 0.95
FIELDS = ["rep", "workload", "mode", "metric", "value", "status"]


def plain(mode):
    """The mode without its A/B suffix: what guest, socket and VN_PERF it runs with."""
    return mode[:-len(BASE)] if mode.endswith(BASE) else mode


def ours_known():
    return MODES[1:] + list(EXTRA_MODES) + list(GUEST_MODES) + list(SERVER_MODES)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


# ---------------------------------------------------------------- the user's llama.cpp build

def llama_paths(d):
    """{tool: path} of the user's llama.cpp build in d, or raises ValueError saying what lacks."""
    d = os.path.abspath(d)
    found = {}
    for tool in ("llama-bench", "llama-simple", "llama-quantize"):
        cands = [os.path.join(d, sub, tool) for sub in ("build/bin", "bin")]
        hit = next((c for c in cands if os.access(c, os.X_OK)), None)
        if not hit:
            raise ValueError(f"no {tool} in {d}/build/bin or {d}/bin")
        found[tool] = hit
    gp = os.path.join(d, "gguf-py")
    if not os.path.isfile(os.path.join(gp, "gguf", "__init__.py")):
        raise ValueError(f"no gguf-py/gguf in {d}")
    found["gguf-py"] = gp
    found["dir"] = d
    return found


def llama_version(paths, bench_json):
    """The tag (git describe of DIR, or DIR/LLAMA_TAG in a copy without git) and the build
    number and commit llama-bench reports."""
    tag = read(os.path.join(paths["dir"], "LLAMA_TAG")).strip()
    if not tag:
        try:
            tag = subprocess.run(["git", "-C", paths["dir"], "describe", "--tags"],
                                 capture_output=True, text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            tag = ""
    v = {"tag": tag or "?"}
    if bench_json:
        v["build_number"] = bench_json.get("build_number")
        v["build_commit"] = bench_json.get("build_commit")
    return v


def make_models(paths, shape, workdir, gpu_env):
    """Writes the F16 model and its Q4_0 copy into workdir (reused when there); returns
    ({quant: path}, generator's line)."""
    os.makedirs(workdir, exist_ok=True)
    f16 = os.path.join(workdir, f"synthetic-{shape}-f16.gguf")
    q40 = os.path.join(workdir, f"synthetic-{shape}-q4_0.gguf")
    gen = os.path.join(os.path.dirname(os.path.abspath(__file__)), "llama_model.py")
    line = f"{f16}: reused"
    if not os.path.exists(f16):
        t0 = time.time()
        r = subprocess.run([sys.executable, gen, "--gguf-py", paths["gguf-py"], "--shape", shape,
                            "--out", f16 + ".tmp"], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("model generation failed:\n" + r.stdout + r.stderr)
        os.rename(f16 + ".tmp", f16)
        line = r.stdout.strip().replace(".tmp:", ":", 1) + f" ({time.time() - t0:.0f} s)"
    if not os.path.exists(q40):
        # Quantizing runs on the CPU; the host driver's environment keeps the Vulkan backend
        # it links from probing anything else.
        r = subprocess.run([paths["llama-quantize"], f16, q40 + ".tmp", "Q4_0"],
                           capture_output=True, text=True, env=gpu_env)
        if r.returncode != 0:
            raise RuntimeError("llama-quantize failed:\n" + r.stdout[-2000:] + r.stderr[-2000:])
        os.rename(q40 + ".tmp", q40)
    return {"q4_0": q40, "f16": f16}, line


# ---------------------------------------------------------------- where a run goes

class HarnessRunner:
    """lavapipe: every run in tests/e2e/harness (private /tmp/.virgl_test, pid namespace); our
    server serves that socket with wire format 1 for the 25.0.7 guest."""
    platform = "lavapipe"

    def __init__(self, root, build):
        self.harness = os.path.join(root, "tests/e2e/harness")
        self.env = dict(os.environ, PV_SERVER=os.path.join(build, "pearvisor-gpu"),
                        PV_GUEST_CACHE=os.path.join(build, "guest"), GGML_VK_VISIBLE_DEVICES="0")
        icd = "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json"
        self.host_env = dict(os.environ, VK_ICD_FILENAMES=icd, VK_DRIVER_FILES=icd,
                             GGML_VK_VISIBLE_DEVICES="0")
        # llama.cpp compiles some hundred pipelines when it opens the device, minutes on
        # lavapipe. Our server turns the host driver's shader cache off in its client processes
        # unless the operator sets MESA_SHADER_CACHE_DISABLE (SECURITY.md, "Sandbox"): this
        # benchmark does, with a directory per side (the unprivileged client user cannot write
        # into one made by whoever runs this), so only the first run of each side pays. The
        # figures are taken after llama.cpp's start, where the cache plays no part.
        self.env["MESA_SHADER_CACHE_DISABLE"] = "false"
        base = os.path.join(os.environ.get("TMPDIR", "/var/tmp"), "pv-llama-shader-cache")
        for side, env in (("native", self.host_env), ("pearvisor", self.env)):
            env["MESA_SHADER_CACHE_DIR"] = os.path.join(base, side)
            os.makedirs(env["MESA_SHADER_CACHE_DIR"], exist_ok=True)
            os.chmod(env["MESA_SHADER_CACHE_DIR"], 0o1777)

    def run(self, mode, argv, outdir, timeout):
        if mode == "native":
            args = ["--server", "none", "--guest", "native"]
        elif mode in GUEST_MODES:
            args = ["--server", "ours", "--guest", GUEST_MODES[mode]]
        else:
            args = ["--server", "ours", "--guest", "25.0.7", "--server-arg", "--wire",
                    "--server-arg", "1"]
        if mode in EXTRA_MODES:
            argv = ["env", "VN_PERF=" + EXTRA_MODES[mode]] + argv
        cmd = [self.harness] + args + ["--timeout", str(timeout), "--out", outdir, "--"] + argv
        env = dict(self.env, **SERVER_MODES.get(mode, {}))  # the harness's server inherits it
        if mode == "native":
            env = dict(env, MESA_SHADER_CACHE_DIR=self.host_env["MESA_SHADER_CACHE_DIR"])
        with open(os.path.join(outdir, "harness.log"), "w") as hl:
            rc = subprocess.run(cmd, env=env, stdout=hl, stderr=subprocess.STDOUT).returncode
        return rc, read(os.path.join(outdir, "client.out")), read(os.path.join(outdir, "client.err"))

    def close(self):
        pass


# ---------------------------------------------------------------- what each side's device shows

def vulkaninfo_keys(text):
    """{key: value} of vulkaninfo's device part (from "Device Properties and Extensions"):
    "section/.../name" = value for each "name = value" line (the path: the headers it is
    indented under), "section/.../ITEM" = "" for the items of a list, "ext/NAME" = revision for
    the device extensions."""
    keys, path = {}, []
    started = False
    for raw in text.splitlines():
        if raw.startswith("Device Properties and Extensions"):
            started = True
        if not started or not raw.strip() or set(raw.strip()) <= set("=-"):
            continue
        depth = len(raw) - len(raw.lstrip("\t"))
        line = raw.strip()
        del path[depth:]
        if path and path[0].startswith("Device Extensions") and " : extension revision " in line:
            name, rev = line.split(" : extension revision ")
            keys["ext/" + name.strip()] = rev.strip()
        elif depth == 0 or line.endswith(":") or ": count = " in line:
            path.append(line.split(":")[0].strip())  # a section, list or struct: items follow
        elif " = " in line:
            name, val = line.split(" = ", 1)
            keys["/".join(path + [name.strip()])] = val.strip()
        else:
            keys["/".join(path + [line])] = ""
    return keys


def device_diff(native, guest):
    """Lines saying where the guest's device differs from the native one (vulkaninfo_keys)."""
    out = []
    for k in sorted(set(native) | set(guest)):
        a, b = native.get(k), guest.get(k)
        if a == b:
            continue
        if b is None:
            out.append(f"only native: {k}" + (f" = {a}" if a else ""))
        elif a is None:
            out.append(f"only guest:  {k}" + (f" = {b}" if b else ""))
        else:
            out.append(f"differs:     {k}: native {a}, guest {b}")
    return out


class GpuRunner:
    """NVIDIA, from a bench/gpu-bundle directory: BUNDLE/*.deb unpacked to / (the Vulkan loader),
    BUNDLE/bin/pearvisor-gpu, BUNDLE/lib25/libvulkan_virtio.so; each run through us
    gets its own server on /tmp/.virgl_test_wire1 (wire format 1)."""
    platform = "gpu"
    SOCKET = "/tmp/.virgl_test_wire1"
    SOCKET22 = "/tmp/.virgl_test"

    def __init__(self, bundle, host_icd, out):
        for f in sorted(os.listdir(bundle)):
            if f.endswith(".deb"):
                subprocess.run(["dpkg", "-x", os.path.join(bundle, f), "/"], check=True)
        subprocess.run(["ldconfig"], check=False)
        lib = os.path.join(bundle, "lib25/libvulkan_virtio.so")
        if not os.path.exists(lib):
            raise ValueError(f"no {lib}: make the bundle with bench/gpu-bundle")
        self.host_env = dict(os.environ, VK_DRIVER_FILES=host_icd, VK_ICD_FILENAMES=host_icd,
                             GGML_VK_VISIBLE_DEVICES="0")
        guest_icd = os.path.join(out, "venus-25.0.7_icd.json")
        with open(guest_icd, "w") as f:
            json.dump({"ICD": {"api_version": "1.3.305", "library_path": lib},
                       "file_format_version": "1.0.0"}, f)
        self.guest_env = dict(self.host_env, VK_DRIVER_FILES=guest_icd,
                              VK_ICD_FILENAMES=guest_icd, VN_DEBUG="vtest",
                              VTEST_SOCKET_NAME=self.SOCKET)
        self.server_cmd = [os.path.join(bundle, "bin/pearvisor-gpu"), "serve", "--socket",
                           self.SOCKET + ":1", "--icd", host_icd]
        # GUEST_MODES: Mesa 22.3.6 (BUNDLE/lib) on its fixed socket, wire format 0.
        guest22_icd = os.path.join(out, "venus-22.3.6_icd.json")
        with open(guest22_icd, "w") as f:
            json.dump({"ICD": {"api_version": "1.3.230",
                               "library_path": os.path.join(bundle, "lib/libvulkan_virtio.so")},
                       "file_format_version": "1.0.0"}, f)
        self.guest22_env = dict(self.guest_env, VK_DRIVER_FILES=guest22_icd,
                                VK_ICD_FILENAMES=guest22_icd, VTEST_SOCKET_NAME=self.SOCKET22)
        self.server22_cmd = self.server_cmd[:3] + [self.SOCKET22 + ":0"] + self.server_cmd[4:]
        self.base_server = os.path.join(bundle, "base/pearvisor-gpu")
        self.server_log = open(os.path.join(out, "llama-server.log"), "w")
        self.out = out
        self.layer_dir = os.path.join(bundle, "layer")
        self.native_env = {}

    def compare_devices(self):
        """vulkaninfo natively and through PearVisor (both written to the output directory);
        sets the native-venus-like environment from the difference and returns
        (difference lines, extensions hidden)."""
        infos = {}
        for mode in ("native", MODES[1]):
            outdir = os.path.join(self.out, f"vulkaninfo-{mode}")
            os.makedirs(outdir, exist_ok=True)
            rc, text, err = self.run(mode, ["vulkaninfo"], outdir, 60)
            with open(os.path.join(self.out, f"vulkaninfo-{mode}.txt"), "w") as f:
                f.write(text + err)
            # Its exit status can be a missing window system's; the device part is what counts.
            if "Device Properties and Extensions" not in text:
                raise RuntimeError(f"vulkaninfo {mode}: exit status {rc}: {err[-300:]}")
            infos[mode] = vulkaninfo_keys(text)
        diff = device_diff(infos["native"], infos[MODES[1]])
        with open(os.path.join(self.out, "vulkaninfo-diff.txt"), "w") as f:
            f.write("\n".join(diff) + "\n")
        hidden = sorted(k[4:] for k in infos["native"]
                        if k.startswith("ext/") and k not in infos[MODES[1]])
        self.native_env["native-venus-like"] = {
            "VK_LAYER_PATH": self.layer_dir,
            "VK_INSTANCE_LAYERS": "VK_LAYER_PEARVISOR_hide_extensions",
            "PV_HIDE_EXTENSIONS": ",".join(hidden), "PV_DRIVER_ID": VENUS_DRIVER_ID,
            "PV_NO_HOST_VISIBLE_VRAM": "1"}
        return diff, hidden

    def _start(self, mode):
        sock, cmd = ((self.SOCKET22, self.server22_cmd) if plain(mode) in GUEST_MODES
                     else (self.SOCKET, self.server_cmd))
        if mode.endswith(BASE):
            if not os.access(self.base_server, os.X_OK):
                raise RuntimeError(f"{mode}: no {self.base_server}")
            cmd = [self.base_server] + cmd[1:]
        if os.path.exists(sock):
            os.unlink(sock)
        self.server_log.write("==== " + " ".join(cmd) + "\n")
        self.server_log.flush()
        env = dict(self.host_env, **SERVER_MODES.get(plain(mode), {}))
        srv = subprocess.Popen(cmd, env=env, stdout=self.server_log,
                               stderr=subprocess.STDOUT, start_new_session=True)
        for _ in range(100):
            if os.path.exists(sock) or srv.poll() is not None:
                break
            time.sleep(0.1)
        return srv, sock

    @staticmethod
    def _stop(srv):
        for sig, wait in ((15, 5), (9, 5)):
            try:
                os.killpg(srv.pid, sig)
            except ProcessLookupError:
                return
            try:
                srv.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def run(self, mode, argv, outdir, timeout):
        srv = None
        if not mode.startswith("native"):
            srv, sock = self._start(mode)
            if not os.path.exists(sock):
                self._stop(srv)
                return 125, "", "server did not start"
        outp, errp = os.path.join(outdir, "client.out"), os.path.join(outdir, "client.err")
        try:
            with open(outp, "w") as o, open(errp, "w") as e:
                try:
                    env = dict(self.host_env if srv is None else
                               self.guest22_env if plain(mode) in GUEST_MODES
                               else self.guest_env)
                    if plain(mode) in EXTRA_MODES:
                        env["VN_PERF"] = EXTRA_MODES[plain(mode)]
                    if mode in NATIVE_MODES:
                        extra = NATIVE_MODES[mode] or self.native_env.get(mode)
                        if extra is None:
                            raise RuntimeError(f"{mode}: compare_devices() first")
                        env.update(extra)
                    rc = subprocess.run(argv, env=env, stdout=o, stderr=e,
                                        timeout=timeout).returncode
                except subprocess.TimeoutExpired:
                    rc = 124
        finally:
            if srv:
                self._stop(srv)
        return rc, read(outp), read(errp)

    def close(self):
        self.server_log.close()


# ---------------------------------------------------------------- measuring

def generated(text):
    """llama-simple's stdout: the prompt, then the generated pieces, one line."""
    return text.strip()


def check_tokens(runner, modes, paths, models, n_predict, workdir, timeout):
    """{quant: {"match": bool, "native": text, mode: text}}: greedy generation in every mode
    ("match": every mode generated what native did)."""
    res = {}
    for q in QUANTS:
        texts = {}
        for mode in modes:
            outdir = os.path.join(workdir, f"simple-{q}-{mode}")
            os.makedirs(outdir, exist_ok=True)
            argv = [paths["llama-simple"], "-m", models[q], "-n", str(n_predict), "-ngl", "99",
                    PROMPT]
            rc, out, err = runner.run(mode, argv, outdir, timeout)
            texts[mode] = generated(out) if rc == 0 else None
            if rc != 0:
                log(f"llama-simple {q} {mode}: exit status {rc}: {err.strip()[-300:]}")
        # "match" is about PearVisor against a native run that computes correctly: b4747 built
        # against Debian 12's Vulkan headers multiplies matrices with zero-sized tiles on a
        # driver that names VK_KHR_cooperative_matrix (bench/notes-llama.md), so where
        # native-nocoopmat ran it is the reference; the other native modes are compared in the
        # report.
        ref = "native-nocoopmat" if texts.get("native-nocoopmat") is not None else "native"
        ok = texts[ref] is not None and all(texts[m] == texts[ref] for m in modes
                                            if m != "native" and m not in NATIVE_MODES)
        res[q] = dict(texts, match=ok, reference=ref)
        for m in modes[1:]:
            log(f"tokens {q}, {m}: "
                f"{'the same as' if texts[m] == texts[ref] else 'DIFFER from'} {ref}: "
                f"{(texts[m] or '')[:100]!r}")
    return res


def parse_bench(out, samples=False):
    """llama-bench -o json: {"pp512_tps": v, "tg128_tps": v} (with samples: lists of every
    repetition's tokens/s), and its first entry."""
    try:
        entries = json.loads(out[out.index("["):])
    except ValueError:
        return {}, None
    res = {}
    for e in entries:
        m = f"pp{e['n_prompt']}_tps" if e.get("n_gen", 0) == 0 else f"tg{e['n_gen']}_tps"
        res[m] = ([float(v) for v in e.get("samples_ts") or [e["avg_ts"]]] if samples
                  else float(e["avg_ts"]))
    return res, (entries[0] if entries else None)


def measure(runner, modes, paths, models, reps, pp, tg, workdir, timeout, partial,
            in_process=False):
    """Rows of the CSV; written to `partial` after every run, so an interrupted run keeps
    what it measured. in_process: one llama-bench process per mode and model type with
    `-r reps` (its samples are the repetitions; no interleaving), for a short device lease."""
    rows, first = [], {}
    for rep in range(1 if in_process else reps):
        for qi, q in enumerate(QUANTS):
            k = (rep + qi) % len(modes)
            for mode in modes[k:] + modes[:k]:  # interleaved: a different order each time
                outdir = os.path.join(workdir, f"bench-{q}-{mode}-{rep}")
                os.makedirs(outdir, exist_ok=True)
                argv = [paths["llama-bench"], "-m", models[q], "-p", str(pp), "-n", str(tg),
                        "-ngl", "99", "-r", str(reps if in_process else 1), "-o", "json"]
                t0 = time.time()
                rc, out, err = runner.run(mode, argv, outdir, timeout)
                res, entry = parse_bench(out, samples=True) if rc == 0 else ({}, None)
                if entry:
                    first.setdefault(mode, entry)
                w = f"llama-{q}"
                if res:
                    for m, vs in res.items():
                        for i, v in enumerate(vs):
                            rows.append({"rep": rep + i, "workload": w, "mode": mode,
                                         "metric": m, "value": f"{v:.6g}", "status": "ok"})
                    brief = ", ".join(f"{m}={statistics.median(v):.1f}" for m, v in res.items())
                else:
                    why = (err.strip().splitlines() or [f"exit status {rc}"])[-1][:200]
                    rows.append({"rep": rep, "workload": w, "mode": mode, "metric": "",
                                 "value": "", "status": f"fails: exit status {rc}: {why}"})
                    brief = f"fails: exit status {rc}: {why[:100]}"
                log(f"[{rep + 1}/{reps}] {w:11} {mode:17} {time.time() - t0:5.1f}s  {brief}")
                write_csv(rows, partial)
    return rows, first


# ---------------------------------------------------------------- reporting

def spread(rows):
    """{(workload, metric, mode): (min, median, max, n)}, {(workload, mode): failure}."""
    vals, fails = {}, {}
    for r in rows:
        if r["status"] == "ok":
            vals.setdefault((r["workload"], r["metric"], r["mode"]), []).append(float(r["value"]))
        else:
            fails.setdefault((r["workload"], r["mode"]), r["status"])
    return ({k: (min(v), statistics.median(v), max(v), len(v)) for k, v in vals.items()},
            fails)


def fmt3(s):
    return f"{s[1]:.1f} ({s[0]:.1f}–{s[2]:.1f})" if s else "fails"


def report(rows, meta):
    """Markdown: per model type a table of tokens/s, min/median/max per mode, the ratio of
    medians and whether the target is met. A target is met only when even the slowest run
    through PearVisor reaches it against the native median (the spread does not overlap it)."""
    st, fails = spread(rows)
    seen = {r["mode"] for r in rows}
    ours_modes = [m for o in ours_known() for m in (o, o + BASE) if m in seen] or MODES[1:]
    native_modes = [m for m in NATIVE_MODES if m in seen]
    lines = ["| model | test | native t/s, median (min–max) | mode | mode's t/s, median "
             f"(min–max) | mode / native (medians) | ≥ {TARGET}× native |",
             "|---|---|---|---|---|---|---|"]
    for q in QUANTS:
        w = f"llama-{q}"
        metrics = sorted({r["metric"] for r in rows if r["workload"] == w and r["metric"]},
                         key=lambda m: (m[:2] != "pp", m))
        for m in metrics or ["(all)"]:
            nat = st.get((w, m, "native"))
            for ours in native_modes + ours_modes:
                our = st.get((w, m, ours))
                r = our[1] / nat[1] if nat and our and nat[1] else None
                met = "–" if r is None or ours in NATIVE_MODES else (
                    "yes" if our[0] >= TARGET * nat[1] else
                    ("no (spread overlaps)" if r >= TARGET else "no"))
                lines.append(f"| {q.upper()} | {m.replace('_tps', '')} | {fmt3(nat)} | {ours} "
                             f"| {fmt3(our)} | {f'{r:.3f}×' if r else '–'} | {met} |")
    # Against each diagnostic native mode: native-nocoopmat is what this llama.cpp build
    # computes correctly on an NVIDIA GPU (bench/notes-llama.md); native-venus-like runs the
    # same llama.cpp kernels as PearVisor, so PearVisor's ratio to it is the renderer's own.
    for bi, base_mode in enumerate(native_modes):
        lines += ["", f"| model | test | {base_mode} t/s, median (min–max) | mode | mode's t/s, "
                  f"median (min–max) | mode / {base_mode} (medians) |",
                  "|---|---|---|---|---|---|"]
        for q in QUANTS:
            w = f"llama-{q}"
            metrics = sorted({r["metric"] for r in rows if r["workload"] == w and r["metric"]},
                             key=lambda m: (m[:2] != "pp", m))
            for m in metrics:
                base = st.get((w, m, base_mode))
                for ours in native_modes[bi + 1:] + ours_modes:
                    our = st.get((w, m, ours))
                    r = our[1] / base[1] if base and our and base[1] else None
                    lines.append(f"| {q.upper()} | {m.replace('_tps', '')} | {fmt3(base)} | "
                                 f"{ours} | {fmt3(our)} | {f'{r:.3f}×' if r else '–'} |")
    for (w, mode), why in sorted(fails.items()):
        lines.append(f"\n{w} {mode}: {why}")
    tok = meta.get("tokens", {})
    if tok:
        lines.append("")
        for q in QUANTS:
            t = tok.get(q)
            if t is None:
                continue
            ref = t.get("reference", "native")
            for m in [m for m in t if m not in ("native", "match", "reference")] or [None]:
                same = t.get("match") if m is None else t[m] == t.get("native")
                line = (f"- Tokens, {q.upper()}, llama-simple greedy, "
                        f"{meta.get('n_predict')} tokens after the prompt \"{PROMPT}\""
                        + (f", {m}" if m else "") + ": ")
                if m in NATIVE_MODES:
                    ours = t.get(MODES[1])
                    line += (("**the same** as" if same else "**differ** from") + " native's, "
                             + ("**the same** as" if t[m] == ours else "**differ** from")
                             + f" {MODES[1]}'s")
                else:
                    same = t.get("match") if m is None else t[m] == t.get(ref)
                    line += ("**the same** through PearVisor as " if same else
                             "**differ** through PearVisor from ") + (
                        "natively" if ref == "native" else f"{ref} (the correct native)")
                lines.append(line)
    return "\n".join(lines) + "\n"


def meta_text(meta):
    v = meta.get("llama", {})
    how = (f"one llama-bench process per mode and model type, `-r {meta.get('reps')}` after "
           f"its warm-up run, modes one after the other" if meta.get("reps_in_process") else
           "one llama-bench process per repetition and mode, `-r 1` after its warm-up run, "
           "modes interleaved")
    s = (f"- Run {meta.get('date')}, PearVisor {meta.get('commit')}, {meta.get('reps')} "
         f"repetitions ({how})\n"
         f"- Device: " + "; ".join(f"{m}: {d}" for m, d in meta.get("device", {}).items())
         + (f" (nvidia-smi: {meta['gpu']})" if meta.get("gpu") else "") + "\n"
         f"- llama.cpp tag {v.get('tag')} (build {v.get('build_number')}, commit "
         f"{v.get('build_commit')}), Vulkan backend, built by the user (see above)\n"
         f"- Model: {meta.get('model')}\n"
         f"- llama-bench `-p {meta.get('pp')} -n {meta.get('tg')} -ngl 99 -r "
         f"{meta.get('reps') if meta.get('reps_in_process') else 1}`; "
         f"guest: Mesa 25.0.7 Venus over vtest, wire format 1"
         + ("; pearvisor-22.3.6: Mesa 22.3.6 Venus, wire format 0"
            if "pearvisor-22.3.6" in meta.get("device", {}) else "") + "\n")
    return s


def write_csv(rows, path):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        w.writeheader()
        w.writerows(rows)


def load_csv(path):
    with open(path) as f:
        return list(csv.DictReader(f))


DOC_INTRO = """
## llama.cpp (a real application)

llama.cpp's Vulkan backend running `llama-bench` (pp: prompt processing, 512 tokens in one
batch on the GPU, 128 on lavapipe; tg: generating 128 tokens one at a time on the GPU, 32 on
lavapipe; tokens per second) on a synthetic
llama-architecture model, natively and through PearVisor with the unmodified Mesa 25.0.7 Venus
guest driver on a wire-format-1 socket, plus a correctness check: `llama-simple` (greedy
sampling) must generate the same tokens through PearVisor as natively. The model is made at
bench time by `bench/llama_model.py` with llama.cpp's own `gguf` Python package (random
weights, F16; `llama-quantize` makes the Q4_0 copy): on the GPU TinyLlama-1.1B's shape (22
layers, n_embd 2048, 32 heads, 4 KV heads, n_ff 5632, vocab 32000: 1.10 B parameters), on
lavapipe a 4.2 M-parameter one (4 layers, n_embd 256, n_ff 768, vocab 2048).

llama.cpp is not part of this project and nothing here builds it: the user builds it and
passes the directory. These figures used tag **b4747** (commit c5d91a740 of
`ggml-org/llama.cpp`, formerly `ggerganov/llama.cpp`, February 2025),
which builds with Debian 12's `glslc` (package glslc 2023.2) and Vulkan headers
(libvulkan-dev 1.3.239); that `glslc` lacks the cooperative-matrix extensions, so the build
has only llama.cpp's plain shaders. **Natively on an NVIDIA GPU this build computes wrong
matrix products** (see "What the llama.cpp numbers say"): it sees the driver's
VK_KHR_cooperative_matrix but, with headers that lack it, never asks for its shapes, and runs
its plain matrix-matrix shaders with tile sizes of 0; `GGML_VK_DISABLE_COOPMAT=1` (mode
`native-nocoopmat`) is the correct native reference there. Build it with CMake,
`-DGGML_VULKAN=ON` (the targets llama-bench, llama-simple and llama-quantize are enough), then
`bench/run --llama DIR` (lavapipe) or, on the NVIDIA machine, `bench/run --gpu BUNDLE --llama
DIR`; `--llama` without DIR takes `$PV_LLAMA_DIR`. `--docs` writes `docs/bench/llama-*.csv|json`
and this section.
"""


def load_platform(docdir, prefix, plat, title):
    """docs/bench/PREFIX-PLAT.csv's rows, its JSON's metadata and the section title (the GPU's
    name when the metadata has it), or None before the first `--docs` run."""
    csvp = os.path.join(docdir, f"{prefix}-{plat}.csv")
    if not os.path.exists(csvp):
        return None
    meta = {}
    jp = os.path.join(docdir, f"{prefix}-{plat}.json")
    if os.path.exists(jp):
        with open(jp) as f:
            meta = json.load(f)
    if meta.get("gpu"):
        title = meta["gpu"].split(",")[0]
    return load_csv(csvp), meta, title


def docs_section(docdir, notes=""):
    parts = [DOC_INTRO]
    for plat, title in (("gpu", "NVIDIA GPU"), ("lavapipe", "lavapipe")):
        got = load_platform(docdir, "llama", plat, title)
        if not got:
            parts.append(f"\n### {title}\n\nNot measured yet.\n")
            continue
        rows, meta, title = got
        parts.append(f"\n### {title}\n\n{meta_text(meta)}\n{report(rows, meta)}")
    if notes:
        parts.append("\n" + notes)
    return "".join(parts)


# ---------------------------------------------------------------- entry point

def main(args, root, commit, sh):
    """bench/run --llama DIR [--gpu BUNDLE] [--reps N] [--quick] [--docs] [--out DIR]."""
    try:
        paths = llama_paths(args.llama)
    except ValueError as e:
        log(f"bench/run --llama: {e}")
        return 2
    gpu = bool(args.gpu)
    plat = "gpu" if gpu else "lavapipe"
    reps = args.reps or 5
    modes = list(MODES)
    if getattr(args, "modes", ""):
        modes = [m for m in args.modes.split(",") if m]
        known = (["native"] + ours_known()
                 + (list(NATIVE_MODES) + [m + BASE for m in ours_known()] if gpu else []))
        bad = [m for m in modes if m not in known]
        if bad or modes[:1] != ["native"]:
            log(f"bench/run --llama: modes are native first, then of {', '.join(known[1:])}")
            return 2
    bench_modes = [m for m in (getattr(args, "llama_bench_modes", "") or "").split(",") if m]
    if any(m not in modes for m in bench_modes) or bench_modes[:1] not in ([], ["native"]):
        log("bench/run --llama: --llama-bench-modes: native first, then of --modes")
        return 2
    pp, tg, n_predict = SIZES["quick" if args.quick else plat]
    out = os.path.abspath(args.out or (os.path.join(os.environ.get("OUT", "/tmp"), "bench")
                                       if gpu else os.path.join(args.build, "bench-results")))
    os.makedirs(out, exist_ok=True)
    if gpu:
        runner = GpuRunner(os.path.abspath(args.gpu), args.host_icd, out)
    else:
        if not os.path.exists(os.path.join(args.build, "pearvisor-gpu")):
            log(f"bench/run --llama: no {args.build}/pearvisor-gpu: build first")
            return 2
        runner = HarnessRunner(root, os.path.abspath(args.build))
    shape = "1b" if gpu and not args.quick else "tiny"
    workdir = os.path.join(args.llama_models or out, "llama-models")
    t0 = time.time()
    models, genline = make_models(paths, shape, workdir, runner.host_env)
    log(f"models: {genline}; Q4_0 by llama-quantize ({time.time() - t0:.0f} s in all)")
    runs = os.path.join(out, "llama-runs")
    devices = {}
    if gpu:
        # What llama.cpp is shown on each side (and the native-venus-like mode's environment).
        diff, hidden = runner.compare_devices()
        devices = {"differences": diff, "hidden_natively": hidden}
        log(f"devices: {len(diff)} differences in vulkaninfo (vulkaninfo-diff.txt); "
            f"native-venus-like hides {', '.join(hidden) or 'nothing'}")
    # Through PearVisor on lavapipe a run's first minutes go to compiling llama.cpp's
    # pipelines (see HarnessRunner); on the GPU a run takes seconds.
    limit = 150 if gpu else 600
    try:
        tokens = check_tokens(runner, modes, paths, models, n_predict, runs, limit)
        in_process = bool(getattr(args, "llama_reps_in_process", False))
        rows, first = measure(runner, bench_modes or modes, paths, models, reps, pp, tg, runs,
                              limit, os.path.join(out, f"llama-{plat}.partial.csv"), in_process)
    finally:
        runner.close()
    entry = first.get("native") or next(iter(first.values()), None)
    meta = {
        "platform": plat,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit, "reps": reps,
        "reps_in_process": bool(getattr(args, "llama_reps_in_process", False)),
        "pp": pp, "tg": tg, "n_predict": n_predict,
        "llama": llama_version(paths, entry), "shape": shape,
        "model": ("synthetic llama, TinyLlama-1.1B's shape (22 layers, n_embd 2048, 32 heads, "
                  "4 KV heads, n_ff 5632, vocab 32000; 1.10 B parameters), random weights, "
                  "Q4_0 and F16" if shape == "1b" else
                  "synthetic llama, 4 layers, n_embd 256, 4 heads, 2 KV heads, n_ff 768, vocab "
                  "2048 (4.2 M parameters), random weights, Q4_0 and F16"),
        "device": {m: e.get("gpu_info") for m, e in first.items()},
        "tokens": tokens,
        "devices": devices,
    }
    if gpu:
        meta["gpu"] = sh(["nvidia-smi", "--query-gpu=name,driver_version,memory.total",
                          "--format=csv,noheader"])
    dest = os.path.join(root, "docs", "bench") if args.docs else out
    os.makedirs(dest, exist_ok=True)
    write_csv(rows, os.path.join(dest, f"llama-{plat}.csv"))
    with open(os.path.join(dest, f"llama-{plat}.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(meta_text(meta))
    print(report(rows, meta))
    print(f"wrote {dest}/llama-{plat}.csv and .json")
    ok = all(t.get("match") for t in tokens.values())
    return 0 if ok and rows and all(r["status"] == "ok" for r in rows) else 1
