# SPDX-License-Identifier: MIT
# Shared helpers for the end-to-end test scripts (sourced, not run).

# fail MESSAGE: print the message and the run's logs, exit 1.
fail() {
    echo "FAIL: $*" >&2
    # The lines that explain most failures, on stdout: CI shows stdout first, and cuts long logs.
    if [ -f "$E2E_OUT/server.log" ]; then
        echo "--- server.log: losses, refusals, errors (first 20) ---"
        grep -E "lost|refus|Sanitizer|runtime error|error|fatal" "$E2E_OUT/server.log" | head -n 20
    fi
    for f in client.out client.err server.log; do
        [ -f "$E2E_OUT/$f" ] || continue
        echo "--- $f (last 40 lines) ---" >&2
        tail -n 40 "$E2E_OUT/$f" >&2
    done
    exit 1
}

# e2e_run NAME HARNESS-ARGS... : runs the harness with its output under $PV_E2E_OUT/NAME and
# sets E2E_OUT and E2E_RC.
e2e_run() {
    local name=$1
    shift
    E2E_OUT=${PV_E2E_OUT:?}/$name
    set +e
    "${PV_HARNESS:?}" --out "$E2E_OUT" "$@"
    E2E_RC=$?
    set -e
}
