#!/usr/bin/env bash
# tui_embed_test.sh - drives the Embeddings and Sentence probability panels
# of `llmlab ui` in tmux and asserts on the screen, with every expected value
# taken from the CLI (`llmlab embed`, `llmlab score`), not from the panels:
#   embeddings: a typed token's header and id, its nearest neighbours with
#     their cosine, walking to a neighbour and back, an analogy's answer, a
#     word of several tokens refused with its pieces, a PCA list's variance
#     shares, more neighbours with +;
#   sentence probability: the prompt's ln p, bits, bits per token and
#     perplexity, a token's p and surprisal, a second text compared (by how
#     much, and the ratio), removing it, and a text longer than the context.
# The panels are found by their names on the tab bar. Every wait polls the
# screen with a timeout.
set -u
cd "$(dirname "$0")/.."
. tests/tui_lib.sh   # LLMLAB, pass/fail, screen, wait_for, check, keys, click, re, goto_view
tui_session embed   # BASE, tmp, S
check_not() {   # NAME PATTERN: after a moment, PATTERN is not on the screen
    sleep 0.5
    if screen | grep -Eq -- "$2"; then fail "$1 (/$2/ still on screen)"; screen | sed 's/^/     | /'; else pass "$1"; fi
}
# NAME REGEX WANT TOL: REGEX (one group: a number) on the screen, the number within TOL of WANT.
# The panels and the CLI read the same core results, but the UI's forward runs on its own
# thread count, so the last digit of a float may differ: numbers compare with a tolerance.
check_num() {
    local name=$1 pat=$2 want=$3 tol=$4 got
    if ! wait_for "$pat"; then fail "$name (no /$pat/ on screen)"; screen | sed 's/^/     | /'; return; fi
    got=$(screen | grep -E -- "$pat" | head -1 | sed -E "s#.*${pat}.*#\\1#")
    if awk -v g="$got" -v w="$want" -v t="$tol" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(d <= t) }'; then
        pass "$name (screen: $got)"
    else
        fail "$name: the screen shows $got, want $want +- $tol"
    fi
}
E() { "$LLMLAB" embed -m "$BASE" "$@" 2>&1; }
SC() { "$LLMLAB" score -m "$BASE" "$@" 2>&1; }

# ---- what the CLI says
P="The king of France said that"
near=$(E --near king -k 12)
king_id=$(printf '%s\n' "$near" | sed -n 's/^nearest to ·king (id \([0-9]*\)).*/\1/p')
row() { printf '%s\n' "$near" | awk -v r="$1" '$1 == r { print $2, $4; exit }'; }   # rank -> "piece cosine"
read -r n1 c1 <<<"$(row 1)"; read -r n2 c2 <<<"$(row 2)"; read -r n12 c12 <<<"$(row 12)"
read -r a1 ac1 <<<"$(E --analogy he she his -k 1 | awk '$1 == 1 { print $2, $4 }')"
queen=$(E --near queen | grep -o "([^)]*id:[0-9]*[^)]*)" | head -1)
pca=$(E --pca he,she,two,three | sed -n 's/.*PC1 shows \([0-9.]*%\) of their variance, PC2 \([0-9.]*%\).*/\1 \2/p')
read -r pc1 pc2 <<<"$pca"
[ -n "$king_id" ] && [ -n "$n1" ] && [ -n "$a1" ] && [ -n "$queen" ] && [ -n "$pc1" ] || {
    echo "llmlab embed gave nothing usable:"; printf '%s\n' "$near"; exit 1; }

sa=$(SC "$P")
lnp=$(printf '%s\n' "$sa" | sed -n 's/^ln p(text) = \(-[0-9.]*\) (the sum of the ln p column); in bits, log2 p(text) = \(-[0-9.]*\):.*/\1 \2/p')
read -r lnp_a log2_a <<<"$lnp"
bpt=$(printf '%s\n' "$sa" | sed -n 's/^\([0-9]*\) tokens: \([0-9.]*\) bits per token on average, perplexity \([0-9.]*\) .*/\1 \2 \3/p')
read -r ntok_a bpt_a ppl_a <<<"$bpt"
read -r fr_p fr_bits <<<"$(printf '%s\n' "$sa" | awk '$2 == "·France" { print $3, $5; exit }')"
B="The king of France was dead."
cmp=$(SC "$P" "$B" | sed -n 's/^\([AB]\) is more probable than \([AB]\): ln p([AB]) - ln p([AB]) = \([0-9.]*\) nats = \([0-9.]*\) bits, so p([AB]) \/ p([AB]) = \([0-9.e+]*\)$/\1 \2 \3 \4 \5/p')
read -r hi lo dn db ratio <<<"$cmp"
[ -n "$lnp_a" ] && [ -n "$log2_a" ] && [ -n "$bpt_a" ] && [ -n "$fr_bits" ] && [ -n "$ratio" ] || {
    echo "llmlab score gave nothing usable:"; printf '%s\n' "$sa"; exit 1; }

# ---- the panels drawn headless by the commands (--text, --svg)
if E --near king --text - --size 100x30 | grep -Eq "^ +1 $(re "$n1") +$c1 "; then
    pass "embed --near king --text - draws the panel: neighbour 1 is $n1 at $c1"
else fail "embed --text - has no row 1 $n1 $c1"; E --near king --text - --size 100x30 | sed 's/^/     | /'; fi
if SC --svg "$tmp/score.svg" "$P" >/dev/null && /usr/bin/python3 - "$tmp/score.svg" "$lnp_a" <<'PY'
import sys, xml.dom.minidom as m
doc = m.parse(sys.argv[1])
text = " ".join(t.firstChild.data for t in doc.getElementsByTagName("text") if t.firstChild)
sys.exit(0 if sys.argv[2] in text and "·France" in text else 1)
PY
then pass "score --svg writes the panel as SVG (parsed: ·France and ln p $lnp_a in its text)"
else fail "score --svg: no parsable SVG with ·France and $lnp_a"; fi
if SC --svg "$tmp/two.svg" "$P" "$B" | grep -q "for one TEXT"; then pass "score --svg refuses two texts"
else fail "score --svg with two texts was not refused"; fi

tmux new-session -d -s "$S" -x 200 -y 50 -e LANG=C.UTF-8 -e TERM=xterm-256color -e TMPDIR="$tmp" \
    "'$LLMLAB' ui -m '$BASE' '$P'; echo UI-EXITED=\$?; sleep 30" || { echo "cannot start tmux"; exit 1; }
check "the UI lists both views" "(Embeddings|Embed) +[0-9]+ (Sentence probability|Prob)" 15

# ---- embeddings
goto_view "Embeddings|Embed"
check "embeddings open on the prompt's last token" "embeddings +·that +id [0-9]+ \\(the prompt's last token\\)"
keys w
check "w asks for a token" "token \\(a word, or id:N\\):"
keys king Enter
check "king is ·king, id $king_id (as 'embed --near king')" "embeddings +·king +id $king_id "
check_num "neighbour 1 is $n1 at $c1" "^ +1 $(re "$n1") +(-?[0-9.]+) " "$c1" 0.0002
check_num "neighbour 2 is $n2 at $c2" "^ +2 $(re "$n2") +(-?[0-9.]+) " "$c2" 0.0002
check_num "neighbour 12 is $n12 at $c12" "^ +12 $(re "$n12") +(-?[0-9.]+) " "$c12" 0.0002
check "the scatter shows the PCA of the neighbours" "PCA of it and its neighbours: PC1 \\(across\\) [0-9.]+% of the variance"
keys Down Enter
check "Down Enter walks to $n2" "embeddings +$(re "$n2") +id [0-9]+ "
keys Left
check "Left goes back to ·king" "embeddings +·king +id $king_id "
keys a
check "a asks for an analogy" "analogy A B C \\(A is to B as C is to \\?\\):"
keys "he she his" Enter
check_num "the analogy he:she::his:? answers $a1 at $ac1" "analogy: ·he is to ·she as ·his is to \\? +$(re "$a1") (-?[0-9.]+)" "$ac1" 0.0002
keys w queen Enter
check "a word of two tokens is refused with its pieces $queen" "$(re "'queen' is 2 tokens $queen")"
keys l "he, she, two, three" Enter
check_num "the PCA of a typed list: PC1 shows $pc1 (as 'embed --pca')" "PCA of your list: PC1 \\(across\\) ([0-9.]+)% of the variance" "${pc1%\%}" 0.11
check_num "and PC2 $pc2" "PCA of your list: PC1 .* PC2 \\(up\\) ([0-9.]+)%" "${pc2%\%}" 0.11
check "the list's label ·two is drawn" "│.*·two"
check "the list's label ·three is drawn" "│.*·three"
keys +
check "+ lists more neighbours" "16 nearest by cosine similarity"

# ---- a word2vec model in the same panel (v); expected values from `llmlab word2vec`
read -r wn1 wc1 <<<"$("$LLMLAB" word2vec neighbours -m models/word2vec.llm -k 1 paris | awk '$1 == 1 { print $2, $4 }')"
[ -n "$wc1" ] || { fail "llmlab word2vec neighbours paris gave nothing"; }
keys v
check "v asks for a word2vec model" "word2vec model \\(empty: the view model's wte\\): .*models/word2vec.llm"
keys Enter
check "v opens the word2vec table" "word2vec W_in \\[[0-9]+ x 64\\]: one row of 64 numbers per word"
check "it starts on king" "embeddings +king +id [0-9]+ "
check "its analogy line: king - man + woman" "analogy: man is to king as woman is to \\?"
keys w paris Enter
check_num "paris's neighbour 1 is $wn1 at $wc1 (as 'word2vec neighbours')" "^ +1 $(re "$wn1") +(-?[0-9.]+) " "$wc1" 0.0002
keys w kingg Enter
check "an unknown word is refused with the closest" "'kingg' is not among the [0-9]+ words; did you mean 'king'\\?"
keys v C-u Enter
check "v and an empty line go back to wte" "wte \\[[0-9]+ x [0-9]+\\]: one row of"

# ---- sentence probability
goto_view "Sentence probability|Prob"
check_num "the prompt's ln p is 'score's ($lnp_a)" "ln p = (-[0-9.]+) +log2 p" "$lnp_a" 0.001
check_num "log2 p ($log2_a)" "log2 p = (-[0-9.]+) " "$log2_a" 0.011
check "$ntok_a tokens" "log2 p = [-0-9.]+ +$ntok_a tokens "
check_num "bits per token ($bpt_a)" " ([0-9.]+) bits/token +perplexity" "$bpt_a" 0.011
check_num "perplexity ($ppl_a)" "bits/token +perplexity ([0-9.]+)" "$ppl_a" "$(awk -v p="$ppl_a" 'BEGIN { print p * 0.001 }')"
check "the first token is read after <|endoftext|>" "read after <\\|endoftext\\|> \\(the start of a document\\)"
check "the legend runs from 0 bits to a uniform guess (12 bits)" "surprisal \\(bits\\): 0\\.0 .* 12\\+"
check_num "·France: p $fr_p" "^ +4 +·France +([0-9.]+)% " "${fr_p%\%}" 0.0011
check_num "·France: $fr_bits bits" "^ +4 +·France +[0-9.]+% +([0-9.]+) " "$fr_bits" 0.011
check "the strip shows ·France's surprisal" "·France .*·said"
keys b
check "b opens a copy of the prompt" "compare with: $(re "$P")"
keys C-w C-w "was dead." Enter
check "the second text is scored" "^ +B +$(re "$B") +ln p = "
check "$hi is more probable" "$hi is more probable: by [0-9.]+ nats"
check_num "by $dn nats" "$hi is more probable: by ([0-9.]+) nats" "$dn" 0.001
check_num "= $db bits" "more probable: by [0-9.]+ nats = ([0-9.]+) bits" "$db" 0.011
check_num "p($hi)/p($lo) = $ratio" "p\\($hi\\)/p\\($lo\\) = ([0-9.e+]+);" "$ratio" "$(awk -v r="$ratio" 'BEGIN { print r * 0.01 }')"
keys r
check_not "r removes the comparison" "is more probable: by"
keys q
check "q quits" "UI-EXITED=0"

# ---- a prompt longer than the context (the session keeps every token of it; the
# chain rule needs each token's whole prefix, so the panel refuses it, naming its length)
long=$(for _ in $(seq 1 22); do printf 'and the king said unto them, '; done)
# the new session starts before the old one goes: killing the server's last
# session stops the server, and a session started at that moment fails
old=$S; S="$S-long"
tmux new-session -d -s "$S" -x 200 -y 50 -e LANG=C.UTF-8 -e TERM=xterm-256color -e TMPDIR="$tmp" \
    "'$LLMLAB' ui -m '$BASE' '$long'; echo UI-EXITED=\$?; sleep 30" || { echo "cannot start tmux"; exit 1; }
tmux kill-session -t "$old" 2>/dev/null
check "the UI starts on a long prompt" "Sentence probability|[0-9]+ Prob " 15
goto_view "Sentence probability|Prob"
n_ctx=$("$LLMLAB" info "$BASE" | awk '$1 == "context" { print $2 }')
n_tok=$("$LLMLAB" tokenize -t "$BASE" --ids "$long" | wc -w)
check "it is refused: its $n_tok tokens + <|endoftext|> are more than the model reads ($n_ctx, 'llmlab info')" \
    "the text is $n_tok tokens \\(\\+ <\\|endoftext\\|> before it\\); the model reads at most $n_ctx"
keys q
check "q quits" "UI-EXITED=0"

echo
[ "$fails" -eq 0 ] && echo "tui_embed_test: all passed" || echo "tui_embed_test: $fails failed"
[ "$fails" -eq 0 ]
