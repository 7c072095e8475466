#!/usr/bin/env bash
# export_test.sh - `next` and `attention` with --svg / --ansi / --text: the
# SVG is parsed with Python's xml.etree; every <text> must sit on the cell
# grid where the plain-text export of the same panel has that text; the bar
# cells have the bar colour, the drawn token the pick background, heat cells
# heat colours; a prompt with < & > " stays well-formed; the ANSI export ends
# every line with a reset; a bad --size is refused.
set -u
cd "$(dirname "$0")/.."
B=${LLMLAB:-./llmlab}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0
ok()  { echo "ok   $1"; }
bad() { fails=$((fails + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | head -20 | sed 's/^/     /'; }
if [ -f models/base.llm ]; then M=$PWD/models/base.llm
else M=$tmp/m.llm; "$B" init --layers 2 --heads 4 --width 64 --ctx 128 --seed 1 -o "$M" >/dev/null || exit 1; fi
export LANG=C.UTF-8

# check_svg NAME SVG TXT PYTHON-CHECKS: parses SVG, maps every <text> to its
# cells, compares with the text export TXT, then runs the extra checks (a
# Python snippet over `texts` [(row, col, string, fill)] and `rects`
# [(row, col, width, fill)])
check_svg() {
    local name=$1 svg=$2 txt=$3 extra=$4 out
    out=$(/usr/bin/python3 - "$svg" "$txt" "$extra" 2>&1 <<'PY'
import sys, xml.etree.ElementTree as ET
svg, txt, extra = sys.argv[1], sys.argv[2], sys.argv[3]
ns = '{http://www.w3.org/2000/svg}'
root = ET.parse(svg).getroot()
W, H = 10, 20
lines = open(txt, encoding='utf-8').read().split('\n')
texts, rects = [], []
for t in root.iter(ns + 'text'):
    x, y = int(t.get('x')), int(t.get('y'))
    assert x % W == 0 and (y - 15) % H == 0, ('off the grid', x, y)
    row, col, s = (y - 15) // H, x // W, t.text or ''
    assert int(t.get('textLength')) == W * len(s), ('width', s)
    line = lines[row] if row < len(lines) else ''
    assert line[col:col + len(s)] == s, ('text differs at', row, col, s, line[col:col + len(s)])
    texts.append((row, col, s, t.get('fill')))
for r in root.iter(ns + 'rect'):
    rects.append((int(r.get('y')) // H, int(r.get('x')) // W, int(r.get('width')) // W, r.get('fill')))
assert texts, 'no text'
exec(extra)
print('checked', len(texts), 'texts', len(rects), 'rects')
PY
)
    if [ $? -eq 0 ]; then ok "$name ($out)"; else bad "$name" "$out"; fi
}

P="The capital of France is"
"$B" next -m "$M" --svg "$tmp/n.svg" "$P" >"$tmp/out" 2>&1 || bad "next --svg runs" "$(cat "$tmp/out")"
grep -q "wrote $tmp/n.svg (SVG, 100x30 cells)" "$tmp/out" && ok "next --svg says what it wrote" || bad "next --svg message" "$(cat "$tmp/out")"
"$B" next -m "$M" --text "$tmp/n.txt" "$P" >/dev/null 2>&1 || bad "next --text runs"
# the first bar row: its bar glyphs in the bar colour (39 = #00afff), the drawn marker on the pick colour (214)
check_svg "next --svg: cells where the text export has them, bar and pick colours" "$tmp/n.svg" "$tmp/n.txt" '
bar = [t for t in texts if "\u2588" in t[2]]
assert bar and all(t[3] == "#00afff" for t in bar), ("bar colour", bar[:3])
mark = [t for t in texts if t[2] == "\u25c0"]
assert len(mark) == 1, mark
assert any(r[0] == mark[0][0] and r[1] == mark[0][1] and r[3] == "#ffaf00" for r in rects), "pick background"
assert any("temperature 1.00" in t[2] for t in texts)
'
# --size and the projector theme: white bars (231), the canvas's size in the svg
"$B" next -m "$M" --svg "$tmp/p.svg" --size 60x20 --projector "$P" >/dev/null 2>&1 || bad "next --projector runs"
"$B" next -m "$M" --text "$tmp/p.txt" --size 60x20 --projector "$P" >/dev/null 2>&1
check_svg "next --projector --size 60x20" "$tmp/p.svg" "$tmp/p.txt" '
assert root.get("width") == "600" and root.get("height") == "400", (root.get("width"), root.get("height"))
bar = [t for t in texts if "\u2588" in t[2]]
assert bar and all(t[3] == "#ffffff" for t in bar), bar[:3]
'
# XML specials in the prompt (the token strip shows them)
"$B" next -m "$M" --svg "$tmp/x.svg" 'a <b> & "c" it'"'"'s' >/dev/null 2>&1 || bad "next --svg with specials runs"
"$B" next -m "$M" --text "$tmp/x.txt" 'a <b> & "c" it'"'"'s' >/dev/null 2>&1
check_svg "< & > \" ' escaped: well-formed and read back" "$tmp/x.svg" "$tmp/x.txt" '
allt = "".join(t[2] for t in texts)
assert all(c in allt for c in "<&>\"\x27"), allt[:200]
'
grep -q '&lt;' "$tmp/x.svg" && grep -q '&amp;' "$tmp/x.svg" && ok "the specials are written as entities" || bad "no entities"

# attention: the head in the header, heat cells coloured with the heat ramp
"$B" attention -m "$M" --layer 1 --head 2 --svg "$tmp/a.svg" "$P Paris" >/dev/null 2>&1 || bad "attention --svg runs"
"$B" attention -m "$M" --layer 1 --head 2 --text "$tmp/a.txt" "$P Paris" >/dev/null 2>&1
check_svg "attention --svg: header, heat cells" "$tmp/a.svg" "$tmp/a.txt" '
assert any("layer 1 of" in t[2] for t in texts) and any("head 2 of" in t[2] for t in texts)
heat = {"#00005f", "#000087", "#005f87", "#008787", "#00af87", "#5faf87", "#87af5f", "#afaf00", "#d7af00", "#ffd700"}
assert sum(1 for r in rects if r[3] in heat) >= 6, rects[:20]
'

# ANSI: every line ends with a reset, the bars carry 256-colour escapes
"$B" next -m "$M" --ansi "$tmp/n.ans" "$P" >/dev/null 2>&1 || bad "next --ansi runs"
if [ "$(wc -l <"$tmp/n.ans")" -eq 30 ] && ! grep -qv $'\x1b\\[0m$' "$tmp/n.ans" && grep -q $'38;5;39;48;5;16m\xe2\x96\x88' "$tmp/n.ans"
then ok "ansi: 30 lines, each ending in a reset, bars in colour 39"; else bad "ansi export" "$(head -3 "$tmp/n.ans" | cat -v)"; fi
# - is stdout
"$B" next -m "$M" --text - "$P" >"$tmp/stdout.txt" 2>/dev/null
cmp -s "$tmp/stdout.txt" "$tmp/n.txt" && ok "--text - writes the panel to stdout" || bad "--text - differs"
# bad sizes
if "$B" next -m "$M" --svg "$tmp/bad.svg" --size 10x3 "$P" >/dev/null 2>"$tmp/err"; then bad "--size 10x3 accepted"
elif grep -q "size is WxH" "$tmp/err" && [ ! -e "$tmp/bad.svg" ]; then ok "--size 10x3 refused"; else bad "--size message" "$(cat "$tmp/err")"; fi

echo; [ $fails -eq 0 ] && echo "all passed" || echo "$fails failed"
[ $fails -eq 0 ]
