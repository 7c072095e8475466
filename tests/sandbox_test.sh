#!/usr/bin/env bash
# A downloaded lesson can neither harm the user nor the terminal (issue 10):
# nesting and cycles, the file policy of src/cli/sandbox.h (reads under the
# lesson's folder, data/, models/ and the scratch folder; writes only into the
# scratch folder unless the user consents), repl/ui steps, and escape codes
# from lessons, model files and prompts never reaching the terminal raw.
set -u
cd "$(dirname "$0")/.."
B=${LLMLAB:-./llmlab}
B=$(cd "$(dirname "$B")" && pwd)/$(basename "$B")
root=$(pwd)
tmp=$(mktemp -d); [ -n "${KEEP_TMP:-}" ] || trap 'rm -rf "$tmp"' EXIT; echo "tmp $tmp"
export TMPDIR=$tmp/tmpdir; mkdir -p "$TMPDIR"
fails=0; n=0
ok()  { n=$((n + 1)); echo "ok   $1"; }
bad() { n=$((n + 1)); fails=$((fails + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | head -20 | sed 's/^/     /'; }
# lesson NAME: writes stdin as $tmp/lessons/NAME.md
mkdir -p "$tmp/lessons"
lesson() { cat >"$tmp/lessons/$1.md"; }
# run_lesson OUTFILE ARGS...: headless run from the repository root; status in $rc
run_lesson() { local o=$1; shift; "$B" lesson --headless "$@" </dev/null >"$o" 2>&1; rc=$?; }
tiny="--layers 1 --heads 1 --width 8 --ctx 8"

# --- 1. nesting: a lesson that runs itself is refused, not a stack overflow
lesson recurse <<EOF
# Recurse
\`\`\`llmlab
lesson $tmp/lessons/recurse.md
#fails
#> already running
\`\`\`
EOF
run_lesson "$tmp/out" "$tmp/lessons/recurse.md"
if [ $rc -eq 0 ] && grep -q "already running" "$tmp/out"; then ok "a lesson that runs itself is refused (cycle)"
else bad "recursion" "status $rc: $(tail -5 "$tmp/out")"; fi
for i in 1 2 3 4 5 6; do
    lesson "chain$i" <<EOF
# Chain $i
\`\`\`llmlab
lesson $tmp/lessons/chain$((i + 1)).md
\`\`\`
EOF
done
lesson chain7 <<EOF
# Chain 7
\`\`\`llmlab
tokenize -t char --ids z
\`\`\`
EOF
run_lesson "$tmp/out" "$tmp/lessons/chain1.md"
if [ $rc -ne 0 ] && [ $rc -lt 128 ] && grep -q "nested too deep" "$tmp/out" && ! grep -q "^122$" "$tmp/out"; then
    ok "lessons nest at most 4 deep"
else bad "nesting depth" "status $rc: $(tail -5 "$tmp/out")"; fi
run_lesson "$tmp/out" "$tmp/lessons/chain4.md"
if [ $rc -eq 0 ] && grep -q "^122$" "$tmp/out"; then ok "lessons nested 4 deep still run"
else bad "4 levels" "status $rc: $(tail -5 "$tmp/out")"; fi

# --- 2. writes: only new files in the scratch folder
printf 'precious' >"$tmp/victim.txt"
lesson overwrite <<EOF
# Overwrite
\`\`\`llmlab
init $tiny -o $tmp/victim.txt
#fails
#> --allow-write
\`\`\`
EOF
run_lesson "$tmp/out" "$tmp/lessons/overwrite.md"
if [ $rc -eq 0 ] && [ "$(cat "$tmp/victim.txt")" = precious ] && grep -q "$tmp/victim.txt" "$tmp/out"; then
    ok "a lesson cannot overwrite a file (message names the path and --allow-write)"
else bad "overwrite" "status $rc, victim: $(head -c 20 "$tmp/victim.txt"): $(tail -5 "$tmp/out")"; fi
lesson newabs <<EOF
# New file outside
\`\`\`llmlab
init $tiny -o $tmp/new.llm
#fails
bpe-train --vocab 300 $root/data/corpus/val.txt -o $tmp/new.tok
#fails
\`\`\`
EOF
run_lesson "$tmp/out" "$tmp/lessons/newabs.md"
if [ $rc -eq 0 ] && [ ! -e "$tmp/new.llm" ] && [ ! -e "$tmp/new.tok" ]; then ok "a lesson cannot create files outside its scratch folder"
else bad "new file outside" "status $rc: $(tail -5 "$tmp/out")"; fi
lesson consent <<EOF
# Overwrite with consent
\`\`\`llmlab
init $tiny -o $tmp/victim.txt
#> wrote
\`\`\`
EOF
printf 'precious' >"$tmp/victim.txt"
run_lesson "$tmp/out2" --allow-write "$tmp/lessons/consent.md"
if [ $rc -eq 0 ] && [ "$(head -c 6 "$tmp/victim.txt")" = LLMLAB ]; then ok "--allow-write is the user's consent"
else bad "--allow-write" "status $rc: $(tail -5 "$tmp/out2")"; fi
mkdir -p "$tmp/cwd/a/b"
lesson relative <<EOF
# Relative paths land in the scratch folder
\`\`\`llmlab
init $tiny -o rel.llm
#> wrote
info rel.llm
#> parameters
init $tiny -o build/sub/rel2.llm
#> wrote
next -m build/sub/rel2.llm -k 2 a
#> kept
init $tiny -o ../../escape.llm
#fails
#> ..
\`\`\`
EOF
(cd "$tmp/cwd/a/b" && "$B" lesson --headless "$tmp/lessons/relative.md" </dev/null >"$tmp/out" 2>&1); rc=$?
left=$(find "$tmp/cwd" "$tmp/lessons" -name '*.llm' | wc -l)
if [ $rc -eq 0 ] && [ "$left" -eq 0 ] && [ -z "$(ls -A "$TMPDIR")" ]; then
    ok "relative -o paths go to the scratch folder, which is removed afterwards; .. is refused"
else bad "relative paths" "status $rc, $left files, tmpdir: $(ls -A "$TMPDIR"): $(tail -8 "$tmp/out")"; fi
(cd "$tmp/cwd" && "$B" lesson --headless --keep "$tmp/lessons/relative.md" </dev/null >"$tmp/out" 2>&1); rc=$?
kept=$(find "$TMPDIR" -name rel.llm | wc -l)
if [ $rc -eq 0 ] && [ "$kept" -eq 1 ] && grep -q "scratch folder" "$tmp/out"; then ok "--keep keeps the scratch folder and says where"
else bad "--keep" "status $rc: $(tail -3 "$tmp/out")"; fi
rm -rf "${TMPDIR:?}"/*

# the training commands take their paths through the same policy
lesson train <<EOF
# Train
\`\`\`llmlab
init $tiny -o t.llm
train -m t.llm --data data/corpus/val.txt --steps 2 --batch 1 --seq 8 -o t.llm
#> saved
train -m t.llm --data data/corpus/val.txt --steps 2 --batch 1 --seq 8 -o $tmp/trained.llm
#fails
#> --allow-write
train -m t.llm --data $tmp/victim.txt --steps 2 --batch 1 --seq 8 -o t2.llm
#fails
#> --allow-read
train --resume --steps 3 -o $tmp/victim.txt
#fails
\`\`\`
EOF
vsum=$(md5sum <"$tmp/victim.txt")
run_lesson "$tmp/out" "$tmp/lessons/train.md"
if [ $rc -eq 0 ] && [ ! -e "$tmp/trained.llm" ] && [ "$(md5sum <"$tmp/victim.txt")" = "$vsum" ]; then
    ok "train reads and writes under the lesson policy"
else bad "train in a lesson" "status $rc: $(grep -v '^  ' "$tmp/out" | tail -8)"; fi

# --- reads: only the lesson's folder, data/, models/ and the scratch folder
mkdir -p "$tmp/secret"; printf 'root:x:0:0:topsecret\n' >"$tmp/secret/passwd"
ln -s "$tmp/secret" "$tmp/lessons/link"
lesson reads <<EOF
# Reads
\`\`\`llmlab
tokenize -t word --dict $tmp/secret/passwd --ids root
#fails
#> --allow-read
#! topsecret
tokenize -t word --dict $tmp/lessons/link/passwd zzz
#fails
tokenize -t word --dict $tmp/lessons/../secret/passwd zzz
#fails
bpe-train --vocab 300 --trace $tmp/secret/passwd -o t.tok
#fails
#! topsecret
tokenize -t $tmp/secret/passwd hi
#fails
info $tmp/secret/passwd
#fails
#! topsecret
tokenize -t char -
#fails
#> stdin
tokenize -t word --dict $tmp/lessons/reads.md --ids Reads
tokenize -t word --dict data/corpus/val.txt --ids the
init $tiny -o m.llm
tokenize -t m.llm --ids hi
#> 104 105
info models/base.llm
#> parameters
\`\`\`
EOF
run_lesson "$tmp/out" "$tmp/lessons/reads.md"
if [ $rc -eq 0 ] && ! grep -q topsecret "$tmp/out"; then ok "a lesson reads only its folder, data/, models/ and its scratch (no .., no symlink out, no stdin)"
else bad "reads" "status $rc: $(grep -v '^\[' "$tmp/out" | tail -12)"; fi
lesson readok <<EOF
# Read with consent
\`\`\`llmlab
tokenize -t word --dict $tmp/secret/passwd root
#> word:
\`\`\`
EOF
run_lesson "$tmp/out" --allow-read "$tmp/lessons/readok.md"
if [ $rc -eq 0 ]; then ok "--allow-read lets a lesson read elsewhere"; else bad "--allow-read" "$(tail -5 "$tmp/out")"; fi
lesson escalate <<EOF
# A lesson cannot give itself consent
\`\`\`llmlab
lesson --allow-read $tmp/lessons/readok.md
#fails
#> consent
\`\`\`
EOF
run_lesson "$tmp/out" "$tmp/lessons/escalate.md"
if [ $rc -eq 0 ] && ! grep -q topsecret "$tmp/out"; then ok "a nested lesson cannot grant itself --allow-read"
else bad "escalation" "status $rc: $(tail -5 "$tmp/out")"; fi

# --- 3. repl and ui steps do not take the lesson's input
lesson repl <<EOF
# REPL inside
\`\`\`llmlab
repl
#fails
#> lesson
ui
#fails
tokenize -t char --ids x
#> 120
\`\`\`
EOF
printf 'init %s -o %s/pwned.llm\n' "$tiny" "$tmp" | "$B" lesson "$tmp/lessons/repl.md" >"$tmp/out" 2>&1; rc=$?
if [ $rc -eq 0 ] && [ ! -e "$tmp/pwned.llm" ]; then ok "repl and ui steps are refused and do not read the lesson's stdin"
else bad "repl in a lesson" "status $rc: $(tail -5 "$tmp/out")"; fi

# --- 4. escape codes from outside never reach the terminal raw
ESC=$'\033'; BEL=$'\007'; CSI1=$'\xc2\x9b'
{
    printf '# Title %s]0;pwned%s\n\n' "$ESC" "$BEL"
    printf 'Prose %s[2J%s[H clear, %s]52;c;cHduZWQ=%s clipboard, %s31m C1 CSI.\n\n' "$ESC" "$ESC" "$ESC" "$BEL" "$CSI1"
    printf '```llmlab\ntokenize -t char --ids "%s]52;c;cHduZWQ=%s"\n#> 27 93\n```\n' "$ESC" "$BEL"
    printf 'Tail %s[?1049h\n' "$ESC"
} >"$tmp/lessons/esc.md"
run_lesson "$tmp/out" "$tmp/lessons/esc.md"
if [ $rc -eq 0 ] && ! grep -q "$ESC" "$tmp/out" && ! LC_ALL=C grep -q "$CSI1" "$tmp/out" && ! grep -q "$BEL" "$tmp/out" &&
   grep -q '<0x1B>\]52' "$tmp/out" && grep -q 'clipboard' "$tmp/out"; then
    ok "lesson prose, title and echoed commands are escaped (ESC, CSI, OSC 52, BEL, C1)"
else bad "lesson escapes" "status $rc: $(od -c "$tmp/out" | grep -m3 '033\|302')"; fi
# a model whose metadata (the data path of its run) carries escape codes
evil="$tmp/ev${ESC}]0;pwned${BEL}il${CSI1}.txt"
head -c 20000 data/corpus/val.txt >"$evil"
"$B" init --layers 1 --heads 1 --width 8 --ctx 64 -o "$tmp/ev.llm" >/dev/null 2>&1
"$B" train -m "$tmp/ev.llm" --data "$evil" --steps 1 --batch 1 --seq 8 -o "$tmp/ev.llm" >/dev/null 2>&1
"$B" info "$tmp/ev.llm" >"$tmp/out" 2>&1; rc=$?
if [ $rc -eq 0 ] && grep -q "data=" "$tmp/out" && ! grep -q "$ESC" "$tmp/out" && ! LC_ALL=C grep -q "$CSI1" "$tmp/out"; then
    ok "info escapes a model's metadata"
else bad "info escapes" "status $rc: $(od -c "$tmp/out" | grep -m3 '033\|302')"; fi
# generate on a terminal (a pty via script): the echoed prompt is escaped like the tokens
NO_COLOR=1 script -qec "$B generate -m $tmp/ev.llm --greedy -n 2 \$(printf 'a\\033]0;pwned\\007b\\302\\233c')" /dev/null </dev/null >"$tmp/out" 2>&1; rc=$?
if [ $rc -eq 0 ] && grep -q 'pwned' "$tmp/out" && ! grep -q "$ESC" "$tmp/out" && ! LC_ALL=C grep -q "$CSI1" "$tmp/out"; then
    ok "generate escapes the prompt it echoes on a terminal"
else bad "generate prompt escape" "status $rc: $(od -c "$tmp/out" | head -5)"; fi
out=$("$B" generate -m "$tmp/ev.llm" --greedy -n 1 "a${ESC}b" | head -c 3)
[ "$out" = "a${ESC}b" ] && ok "generate into a pipe keeps the prompt's bytes" || bad "generate pipe bytes" "$(printf '%s' "$out" | od -c)"

echo "$((n - fails)) passed, $fails failed"
[ $fails -eq 0 ]
