# tests/e2e/lib.sh: the toolbox every end-to-end script sources, so that each states only what
# it checks. It prints TAP version 13 on stdout (testanything.org): `ok N - what` or
# `not ok N - what` per assertion, a failure's details as `# ` lines under it, `# SKIP` for a
# case the machine cannot run, the plan `1..N` at the end and a closing comment
# `# NAME: N passed, N failed`; tap_done exits non-zero when any test failed. make runs every
# script through tests/e2e/tap_check.py, which refuses a line that is not TAP: a script says
# things with note, and sends a command's own output to a file or /dev/null.
#
#     root=$(cd "$(dirname "$0")/../.." && pwd)   # the checkout
#     . "$root/tests/e2e/lib.sh"
#     tap_init permissions                          # NAME of the closing line
#     bin=$(e2e_bin "${1:-}")
#     tap_tmpdir /tmp/sockgrade-perm.XXXXXX         # sets tmp; removed at exit unless KEEP=1
#     expect "a description" COMMAND...
#     tap_done
#
# Lines are printed with printf: dash's echo would read a backslash in them as an escape.
# Counters live in this shell: ok, bad and skip must not run in a subshell (a pipeline's
# `| while`), or their numbers would be lost; tap_check.py notices if they are.

tap_name=test
tap_n=0
tap_passed=0
tap_failed=0
tap_skipped=0
tap_started=
tap_log=        # where expect keeps a command's output (tap_tmpdir sets it)
tap_tail=20     # how many of its last lines a failure shows
tap_exit_cmds=

# The version line must be the stream's first, whichever function prints first.
tap_header() {
    [ -n "$tap_started" ] && return 0
    tap_started=1
    echo "TAP version 13"
}

# tap_init NAME: names the closing summary and starts the stream.
tap_init() { tap_name=$1; tap_header; }

# tap_desc TEXT: one line, `\` and `#` escaped so that no part of it is read as a directive.
tap_desc() { printf '%s' "$1" | tr '\n' ' ' | sed 's/\\/\\\\/g; s/#/\\#/g'; }

# tap_diag TEXT: TEXT as TAP comments, one per line, indented under the test it explains.
tap_diag() { tap_header; printf '%s\n' "$1" | sed 's/^/#     /'; }

# note TEXT: what a person reading the run wants to know (a seed, a time), as a comment.
note() { tap_header; printf '%s\n' "$*" | sed 's/^/# /'; }

ok() {
    tap_header
    tap_n=$((tap_n + 1)); tap_passed=$((tap_passed + 1))
    printf '%s\n' "ok $tap_n - $(tap_desc "$1")"
}

# bad DESCRIPTION [DETAILS]: a failed test; DETAILS (what was seen) follow as comments.
bad() {
    tap_header
    tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1))
    printf '%s\n' "not ok $tap_n - $(tap_desc "$1")"
    [ -z "${2:-}" ] || tap_diag "$2"
}

# skip DESCRIPTION REASON: a test this machine cannot run; it counts as neither.
skip() {
    tap_header
    tap_n=$((tap_n + 1)); tap_skipped=$((tap_skipped + 1))
    printf '%s\n' "ok $tap_n - $(tap_desc "$1") # SKIP $(tap_desc "$2")"
}

# expect DESCRIPTION COMMAND...: passes when COMMAND succeeds; else fails with the last
# $tap_tail lines of its output.
expect() {
    tap_d=$1
    shift
    if [ -z "$tap_log" ]; then
        tap_log=$(mktemp) || tap_bail "cannot make a temporary file"
        tap_at_exit 'rm -f "$tap_log"'
    fi
    if "$@" >"$tap_log" 2>&1; then ok "$tap_d"; else bad "$tap_d" "$(tail -n "$tap_tail" "$tap_log")"; fi
}

# py CODE ARGS...: a Python check over files (sys.argv[1:] are the ARGS); $pyx is the python.
py() { tap_code=$1; shift; "${pyx:-python3}" -c "$tap_code" "$@"; }

# skip_all REASON: the whole script cannot run here (before any test); exits 0.
skip_all() {
    tap_header
    printf '%s\n' "1..0 # SKIP $(tap_desc "$1")"
    exit 0
}

# tap_bail REASON [DETAILS]: the script cannot go on (its setup failed); exits 1.
tap_bail() {
    [ -z "${2:-}" ] || tap_diag "$2"
    tap_header
    printf '%s\n' "Bail out! $(tap_desc "$1")"
    exit 1
}

# tap_done: the plan and the summary; exits 1 when a test failed, else 0.
tap_done() {
    tap_header
    echo "1..$tap_n"
    tap_sum="$tap_name: $tap_passed passed, $tap_failed failed"
    [ "$tap_skipped" -eq 0 ] || tap_sum="$tap_sum, $tap_skipped skipped"
    printf '# %s\n' "$tap_sum"
    [ "$tap_failed" -eq 0 ] && exit 0
    exit 1
}

# tap_at_exit COMMAND: run COMMAND (evaluated then) when the script ends, also on Ctrl-C or
# kill: INT and TERM exit, so the EXIT trap runs and the script does not carry on.
tap_at_exit() {
    tap_exit_cmds="$tap_exit_cmds$1
"
    trap tap_run_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}
tap_run_exit() {
    tap_rc=$?
    eval "$tap_exit_cmds"
    exit "$tap_rc"
}

# tap_tmpdir TEMPLATE: sets tmp to a new folder (mktemp -d TEMPLATE), removed at exit unless
# KEEP is set (then its path is noted, to look at). The grader's cache of re-checks
# (XDG_CACHE_HOME) goes there too: a test starts cold and leaves nothing in the caller's home.
tap_tmpdir() {
    tmp=$(mktemp -d "$1") || tap_bail "cannot make a temporary folder ($1)"
    XDG_CACHE_HOME=$tmp/xdg-cache
    export XDG_CACHE_HOME
    tap_log=$tmp/expect.log
    tap_at_exit 'if [ -n "${KEEP:-}" ]; then note "kept $tmp"; else rm -rf "$tmp"; fi'
}

# e2e_bin [PATH]: the grader under test, as an absolute path (the scripts change folder);
# by default the checkout's build/sockgrade. Needs root.
e2e_bin() {
    tap_b=${1:-$root/build/sockgrade}
    case $tap_b in /*) ;; *) tap_b=$(pwd)/$tap_b ;; esac
    printf '%s\n' "$tap_b"
}

# e2e_seed: $SEED, or one from the clock; every script notes it so a run can be replayed.
e2e_seed() { printf '%s\n' "${SEED:-$(( $(date +%s) % 100000 ))}"; }
