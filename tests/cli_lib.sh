# cli_lib.sh - what the shell tests of the command line share (sourced, not
# run: tests/run.sh runs *_test.sh only). The caller has done `set -u` and
# `cd "$(dirname "$0")/.."`, and may set BAD_LINES first; it writes its own
# expect_fail (what a refusal must look like differs between commands) and
# ends with its summary from n and fails.
#
# Sets:  B      the llmlab to drive ($LLMLAB, default ./llmlab)
#        tmp    a fresh directory, removed on exit
#        n, fails  checks run and failed (0)
# ok NAME                     one check passed: "ok   NAME"
# bad NAME [DETAIL]           one failed: "FAIL NAME", then DETAIL's first
#                             BAD_LINES lines (default 20), indented; with
#                             BAD_BYTES set, its first BAD_BYTES bytes
#                             instead, and an empty line after each failure
# expect_grep NAME REGEX CMD...  CMD exits 0 and its stdout+stderr match REGEX
B=${LLMLAB:-./llmlab}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0; n=0
BAD_LINES=${BAD_LINES:-20}
ok()   { n=$((n + 1)); echo "ok   $1"; }
bad() {
    n=$((n + 1)); fails=$((fails + 1)); echo "FAIL $1"
    if [ -n "${BAD_BYTES:-}" ]; then
        [ -n "${2:-}" ] && printf '%s\n' "$2" | head -c "$BAD_BYTES" | sed 's/^/     /'; echo
    else
        [ -n "${2:-}" ] && printf '%s\n' "$2" | head -"$BAD_LINES" | sed 's/^/     /'
    fi
}
expect_grep() {
    local name=$1 re=$2; shift 2
    local got; got=$("$@" 2>&1); local rc=$?
    if [ $rc -eq 0 ] && printf '%s' "$got" | grep -Eq -- "$re"; then ok "$name"; else bad "$name" "status $rc: $got"; fi
}
