#!/usr/bin/env bash
# Every lesson runs headless: each command must succeed and each stated
# expectation must hold (the shipped models are in models/).
set -u
cd "$(dirname "$0")/.."
B=${LLMLAB:-./llmlab}
pass=0; fail=0
rm -f build/lesson5.llm build/lesson5.llm.opt
for f in lessons/[0-9]*.md; do   # lessons/README.md is the map, not a lesson
    if "$B" lesson --headless "$f" >"build/test-logs/lesson-$(basename "$f").log" 2>&1; then
        pass=$((pass + 1)); echo "ok   $f"
    else
        fail=$((fail + 1)); echo "FAIL $f"; tail -n 20 "build/test-logs/lesson-$(basename "$f").log"
    fi
done
# a lesson writes only into its own scratch folder (src/cli/sandbox.h), never
# into the project (lesson 5's `-o build/lesson5.llm` lands in the scratch folder)
if [ -e build/lesson5.llm ]; then fail=$((fail + 1)); echo "FAIL lesson 5 wrote build/lesson5.llm in the project"
else pass=$((pass + 1)); echo "ok   the lessons wrote nothing in the project"; fi
# the parser refuses broken lessons with a line number
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf '# t\n```llmlab\n#> nothing before\n```\n' >"$tmp/bad1.md"
printf '# t\n```llmlab\ntokenize -t char a\n' >"$tmp/bad2.md"
printf '# t\n```llmlab\ntokenize -t char --ids a\n#> 98\n```\n' >"$tmp/bad3.md"
for b in bad1 bad2 bad3; do
    if "$B" lesson --headless "$tmp/$b.md" >"$tmp/out" 2>&1; then
        fail=$((fail + 1)); echo "FAIL $b.md was accepted"
    else
        pass=$((pass + 1)); echo "ok   $b.md refused: $(grep -E 'line|expected' "$tmp/out" | head -1)"
    fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
