# tui_lib.sh - what the tmux tests of the text UI share (sourced, not run:
# tests/run.sh runs *_test.sh only). The caller sets S (its tmux session)
# before driving it, counts failures in `fails` and ends with its summary.
# Every wait polls the screen with a timeout: no sleep stands for "done".
LLMLAB="${LLMLAB:-./llmlab}"
case "$LLMLAB" in /*) ;; *) LLMLAB="$PWD/$LLMLAB" ;; esac
command -v tmux >/dev/null || { echo "tmux is missing (apt-get install tmux)"; exit 1; }
fails=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
screen() { tmux capture-pane -p -t "$S" 2>/dev/null; }
# wait_for PATTERN [SECONDS]: polls until grep -E finds PATTERN on the screen
wait_for() {
    local pat=$1 t=${2:-10} i=0
    while [ "$i" -lt $((t * 10)) ]; do
        screen | grep -Eq -- "$pat" && return 0
        sleep 0.1; i=$((i + 1))
    done
    return 1
}
# wait_gone PATTERN [SECONDS]: polls until grep -E no longer finds PATTERN on the screen
wait_gone() {
    local pat=$1 t=${2:-10} i=0
    while [ "$i" -lt $((t * 10)) ]; do
        screen | grep -Eq -- "$pat" || return 0
        sleep 0.1; i=$((i + 1))
    done
    return 1
}
check() {   # NAME PATTERN [SECONDS]
    if wait_for "$2" "${3:-10}"; then pass "$1"; else fail "$1 (no /$2/ on screen)"; screen | sed 's/^/     | /'; fi
}
keys() { tmux send-keys -t "$S" "$@"; }
click() {   # TEXT: a left click (xterm X10 mouse report) on the first place TEXT shows
    local pos
    pos=$(screen | LANG=C.UTF-8 awk -v t="$1" '{ i = index($0, t); if (i) { print NR - 1, i - 1; exit } }')
    [ -n "$pos" ] || return 1
    set -- $pos
    local cx cy
    cx=$(printf '%x' $((33 + $2))); cy=$(printf '%x' $((33 + $1)))
    tmux send-keys -t "$S" -H 1b 5b 4d 20 "$cx" "$cy"
    tmux send-keys -t "$S" -H 1b 5b 4d 23 "$cx" "$cy"
}
# goto_view NAME|TAB: the panel by its name or short label: its number on the
# tab bar, reached with F1-F12 (digits stop at 9), or Tab from view 1 beyond
# that. A tab the bar has scrolled out of sight is brought into view first
# (Shift-Tab from view 1 walks the tabs from the last one backwards).
tab_number() { screen | head -1 | grep -oE "[0-9]+ ($1)( |$)" | head -1 | awk '{ print $1 }'; }
goto_view() {
    local n bar i
    n=$(tab_number "$1")
    if [ -z "$n" ]; then
        keys F1
        for i in $(seq 1 30); do
            bar=$(screen | head -1)
            keys BTab
            # the bar redraws with the new selection: poll until it changed
            for _ in $(seq 1 50); do [ "$(screen | head -1)" != "$bar" ] && break; sleep 0.02; done
            n=$(tab_number "$1")
            [ -n "$n" ] && break
        done
    fi
    [ -n "$n" ] || { fail "no tab '$1' on the tab bar"; return 1; }
    if [ "$n" -le 12 ]; then keys "F$n"; else keys F1; for _ in $(seq 2 "$n"); do keys Tab; done; fi
}
re() { printf '%s' "$1" | sed 's/[][\.*^$()+?{}|]/\\&/g'; }   # TEXT as a literal regex
# tui_session NAME: the shipped base model in BASE (or stop: the test needs
# it), a temp folder in tmp and the tmux session name in S, both removed on exit
tui_session() {
    BASE=$PWD/models/base.llm
    [ -f "$BASE" ] || { echo "models/base.llm is missing"; exit 1; }
    tmp=$(mktemp -d)
    S="llmlab-$1-$$"
    trap 'tmux kill-session -t "$S" 2>/dev/null; rm -rf "$tmp"' EXIT
}
