# SPDX-License-Identifier: MIT
# Helpers for fault-test client scripts that run INSIDE the e2e harness (sourced there): they
# watch the server's parent process, $PV_SERVER_PID, which serves every client in a child
# process of its own, and check that a fault leaves it as it was.

# RSS growth of the parent that still counts as "back to baseline", in KiB.
PV_RSS_SLACK_KB=${PV_RSS_SLACK_KB:-512}

server_fds() { ls "/proc/$PV_SERVER_PID/fd" | wc -l; }
server_rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$PV_SERVER_PID/status"; }
# Child processes of the server: "PID STATE" lines (STATE Z is a zombie).
server_children() { ps --ppid "$PV_SERVER_PID" -o pid=,stat= 2>/dev/null || true; }
server_state() {
    echo "fds=$(server_fds) rss_kb=$(server_rss_kb) children=$(server_children | wc -l)" \
        "zombies=$(server_children | awk '$2 ~ /^Z/' | wc -l)"
}

# settle [N]: waits (up to 10 s) until the server has N (default 0) child processes left;
# fails when it does not.
settle() {
    local i
    for ((i = 0; i < 100; i++)); do
        [ "$(server_children | wc -l)" = "${1:-0}" ] && return 0
        sleep 0.1
    done
    echo "FAIL: the server has child processes other than the expected ${1:-0}: $(server_children)" >&2
    exit 1
}

# baseline: remembers the server's fd count and RSS now.
baseline() {
    kill -0 "$PV_SERVER_PID" || { echo "FAIL: no server process" >&2; exit 1; }
    base_fds=$(server_fds) base_rss=$(server_rss_kb)
    echo "baseline: $(server_state)"
}

# back_to_baseline LABEL [SECONDS]: waits (default 10 s) until the server has no child
# process left (none running, no zombie), its fd count equals the baseline and its RSS is
# within PV_RSS_SLACK_KB of it; fails with what differs otherwise.
back_to_baseline() {
    local label=$1 limit=$((${2:-10} * 10)) i
    for ((i = 0; i < limit; i++)); do
        kill -0 "$PV_SERVER_PID" 2>/dev/null || { echo "FAIL: $label: the server is gone" >&2; exit 1; }
        if [ -z "$(server_children)" ] && [ "$(server_fds)" = "$base_fds" ] &&
            [ "$(server_rss_kb)" -le $((base_rss + PV_RSS_SLACK_KB)) ]; then
            echo "$label: back to baseline: $(server_state) (baseline fds=$base_fds rss_kb=$base_rss)"
            return 0
        fi
        sleep 0.1
    done
    echo "FAIL: $label: not back to baseline (fds=$base_fds rss_kb=$base_rss): $(server_state)" >&2
    ls -l "/proc/$PV_SERVER_PID/fd" >&2
    server_children >&2
    exit 1
}
