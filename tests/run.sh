#!/usr/bin/env bash
# Runs every test of the suite and ends with one line "N passed, N failed".
#   $TEST_BUILD/tests/test_*   cmocka unit tests (C)
#   tests/*_test.py            reference tests (Debian's python3 + torch)
#   tests/*_test.sh            CLI golden, lesson and TUI tests (drive $LLMLAB)
# TESTS="pattern" runs only the tests whose name contains pattern.
# A test that runs longer than TEST_TIMEOUT seconds (600; ASan is slow) fails:
# a hang shows up as a failure, not as a CI run that never ends.
set -u
cd "$(dirname "$0")/.."
export LLMLAB="${LLMLAB:-./llmlab}"
build="${TEST_BUILD:-build}"
passed=0; failed=0; failed_names=()
log_dir=build/test-logs; mkdir -p "$log_dir"

run_one() {   # name, command...
    local name=$1; shift
    case "$name" in *"${TESTS:-}"*) ;; *) return ;; esac
    local t0=$SECONDS rc=0
    timeout -k 10 "${TEST_TIMEOUT:-600}" "$@" >"$log_dir/$name.log" 2>&1 || rc=$?
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1)); printf '  ok    %-28s %3ds\n' "$name" $((SECONDS - t0))
    else
        failed=$((failed + 1)); failed_names+=("$name")
        [ "$rc" -eq 124 ] && echo "timed out after ${TEST_TIMEOUT:-600} s" >>"$log_dir/$name.log"
        printf '  FAIL  %-28s %3ds  (log: %s)\n' "$name" $((SECONDS - t0)) "$log_dir/$name.log"
        tail -n 25 "$log_dir/$name.log" | sed 's/^/        | /'
    fi
}

for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    run_one "$(basename "$t")" "$t"
done
for t in tests/*_test.py; do
    [ -e "$t" ] || continue
    run_one "$(basename "$t" .py)" /usr/bin/python3 "$t"
done
for t in tests/*_test.sh; do
    [ -e "$t" ] || continue
    run_one "$(basename "$t" .sh)" bash "$t"
done

echo
[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
