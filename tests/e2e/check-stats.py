#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Judges the files test-stats left in OUT (see test-stats for what each check means)."""
import glob
import json
import os
import re
import sys

out = sys.argv[1]
errors = []


def check(cond, msg):
    if not cond:
        errors.append(msg)
    return cond


def clients(path):
    with open(path) as f:
        return json.load(f)["clients"]


def judge_compute(guest, wire):
    live = []
    for path in sorted(glob.glob(f"{out}/live-{guest}-*.json"),
                       key=lambda p: int(re.search(r"-(\d+)\.json$", p).group(1))):
        live += [c for c in clients(path)
                 if c["name"] == "pv-compute" and c["wire_format"] == wire and c["connected"]]
    if not check(live, f"{guest}: pv-compute never shown as a live client"):
        return
    ids = {c["id"] for c in live}
    check(len(ids) == 1, f"{guest}: pv-compute shown under several ids {ids}")
    counts = [c["commands"] for c in live]
    check(counts == sorted(counts), f"{guest}: commands went backwards: {counts}")
    gone = [c for c in clients(f"{out}/after-{guest}.json") if c["id"] in ids]
    final = gone[0]["commands"] if len(gone) == 1 else 0
    # Moving while it ran: a live snapshot caught it part way, above zero and short of its final
    # count. pv-compute spends most of its time in two long waits, so on a loaded machine every
    # snapshot may land in the same one (CI saw [0, 0, 0, 103, 103, 103, 103, 103]); such a count
    # still proves the counter is live, not written at hang-up.
    check(any(0 < n < final for n in counts),
          f"{guest}: commands did not move while it ran: {counts}, final {final}")
    check(any(c["objects"] > 0 and sum(c["objects_by_type"].values()) == c["objects"]
              for c in live), f"{guest}: no live objects (by type) shown")
    check(any(c["bytes_in"] > 0 and c["replies"] > 0 for c in live),
          f"{guest}: bytes in / replies never counted")
    check(all(c["pid"] > 0 and c["state"] == "serving" for c in live if c["commands"]),
          f"{guest}: a live record without pid or not serving")
    check(all(c["device_memory_max"] > 0 and c["blob_bytes_max"] > 0
              for c in live if c["commands"]),
          f"{guest}: quotas missing")
    check(any(c["last_command_name"].startswith("vk") for c in live),
          f"{guest}: no last command")
    if check(len(gone) == 1, f"{guest}: pv-compute not listed after it left"):
        g = gone[0]
        check(not g["connected"] and g["state"] == "hung up",
              f"{guest}: departed state {g['state']!r}")
        check(g["commands"] >= max(counts), f"{guest}: final count {g['commands']} < live")
        check(not g["lost"], f"{guest}: pv-compute shown lost: {g['lost_reason']}")


def judge_hostile():
    recs = [c for c in clients(f"{out}/hostile.json") if c["name"] == "pv-hostile"]
    for wire in (0, 1):
        lost = [c for c in recs if c["wire_format"] == wire and c["lost"]]
        if check(lost, f"wire {wire}: no lost pv-hostile client (records: {recs})"):
            check(all("vkCmdCopyBuffer" in c["lost_reason"] for c in lost),
                  f"wire {wire}: lost reason does not name the refused command: "
                  f"{[c['lost_reason'] for c in lost]}")


def judge_text():
    table = open(f"{out}/table.txt").read()
    check(re.search(r"^ID +PID +NAME", table, re.M), "table header missing")
    check("pv-compute" in table and "LOST" in table and "lost: refused: vkCmdCopyBuffer" in table,
          "table lacks a client, the LOST state or the reason")
    watch = open(f"{out}/watch.txt").read()
    check(watch.count("\033[H\033[2J") == 2 and watch.count("PID") == 2,
          "--watch --count 2 did not redraw twice")
    prom = open(f"{out}/metrics.prom").read()
    check(re.search(r'^pearvisor_client_commands_total\{id="\d+",pid="\d+",name="pv-compute",'
                    r'wire="1"\} [1-9]\d*$', prom, re.M), "prometheus: no commands counter")
    check(re.search(r'^pearvisor_client_lost\{.*name="pv-hostile".*reason="refused: vkCmdCopyBuffer.*'
                    r'\} 1$', prom, re.M), "prometheus: no lost gauge with its reason")
    check("# TYPE pearvisor_client_commands_total counter" in prom, "prometheus: no TYPE")
    check(not glob.glob(f"{out}/metrics.prom.*"), "prometheus: temporary file left")


def judge_control():
    perms = open(f"{out}/perms").read().split("\n")
    check(perms[0].startswith("700 root") and perms[1].startswith("600 root"),
          f"control socket permissions: {perms}")
    other = open(f"{out}/other-user.out").read()
    check("Permission denied" in other, f"another user: {other!r}")
    other = open(f"{out}/other-user-open.out").read()
    check("permission denied" in other, f"another user (open dir): {other!r}")
    g = open(f"{out}/garbage.out").read()
    for what in ("garbage", "long", "empty", "silent"):
        check(re.search(rf"^{what}: b'error ", g, re.M), f"{what} request: {g!r}")
    check("stats-after: b'pearvisor-stats 1'" in g, f"server stopped answering: {g!r}")


def judge_killed():
    if not os.path.exists(f"{out}/killed.pid"):
        return  # --threads: no process of its own to kill
    pid = open(f"{out}/killed.pid").read().strip()
    if not check(pid, "no live client process found to kill"):
        return
    gone = [c for c in clients(f"{out}/killed.json") if str(c["pid"]) == pid]
    if check(gone, f"the killed client (pid {pid}) is not listed"):
        check(gone[0]["state"] == "crashed (signal 9)" and not gone[0]["connected"],
              f"the killed client shows {gone[0]['state']!r}")
        check(gone[0]["commands"] > 0, "the killed client lost its last counts")


judge_compute("22.3.6", 0)
judge_killed()
judge_compute("25.0.7", 1)
judge_hostile()
judge_text()
judge_control()
for e in errors:
    print("check-stats:", e)
sys.exit(1 if errors else 0)
