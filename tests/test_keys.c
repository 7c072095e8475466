/* test_keys.c - the UI's key bindings (src/ui/panel.h, keys.c): every
 * binding has help text, the '?' help lists every binding under its heading,
 * no key is bound twice in one list, and a few help lines checked by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ui/app.h"
#include "ui/curses_inc.h"

#define MAX_LINES 400

static const char *lines[MAX_LINES];
static int n_lines;

static int setup(void **state) {
    (void)state;
    n_lines = keys_help_lines(lines, MAX_LINES);
    return n_lines > 0 ? 0 : -1;
}

/* the heading of list li: "everywhere" for the global list (-1), else the panel's */
static void heading(int li, char *out, size_t cap) {
    if (li < 0) { snprintf(out, cap, "everywhere"); return; }
    snprintf(out, cap, "%s", ui_panels[li]->name);
    for (char *p = out; *p; p++) *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    size_t n = strlen(out);
    snprintf(out + n, cap - n, " view (%d)", li + 1);
}

static const ui_binding *list_of(int li) { return li < 0 ? keys_global : ui_panels[li]->keys; }

static void test_every_binding_has_help(void **state) {
    (void)state;
    for (int li = -1; li < ui_n_panels; li++)
        for (const ui_binding *b = list_of(li); b->act; b++) {
            assert_non_null(b->help);
            assert_true(strlen(b->help) > 3);
        }
}

/* the line that documents b: below b's heading and above the next one, with
 * the key's name in the key column and the binding's help after it */
static void test_help_lists_every_binding(void **state) {
    (void)state;
    for (int li = -1; li < ui_n_panels; li++) {
        char head[80];
        heading(li, head, sizeof head);
        int h = -1;
        for (int i = 0; i < n_lines; i++)
            if (strcmp(lines[i], head) == 0) { h = i; break; }
        assert_true(h >= 0);
        for (const ui_binding *b = list_of(li); b->act; b++) {
            char name[32], name2[32], want[72];
            keys_name(b->key, name, sizeof name);
            if (b->last) {
                keys_name(b->last, name2, sizeof name2);
                snprintf(want, sizeof want, "%s-%s", name, name2);
            } else {
                snprintf(want, sizeof want, "%s", name);
            }
            int found = 0;
            for (int i = h + 1; i < n_lines && lines[i][0] == ' ' && !found; i++) {
                const char *help = strstr(lines[i], b->help);
                const char *key = strstr(lines[i], want);
                found = help && key && key < help;
            }
            if (!found) fail_msg("no help line for key %s (%s) under '%s'", want, b->help, head);
        }
    }
}

static void test_no_key_bound_twice(void **state) {
    (void)state;
    for (int li = -1; li < ui_n_panels; li++)
        for (const ui_binding *a = list_of(li); a->act; a++)
            for (const ui_binding *b = a + 1; b->act; b++) {
                int a_last = a->last ? a->last : a->key, b_last = b->last ? b->last : b->key;
                if (!(a_last < b->key || b_last < a->key)) fail_msg("key %d bound twice in list %d", b->key, li);
            }
    /* a panel key the global list also takes never reaches the panel, except
     * PgUp/PgDn: the global pane scrolling gives way to a panel that binds them */
    for (int li = 0; li < ui_n_panels; li++)
        for (const ui_binding *b = list_of(li); b->act; b++)
            for (const ui_binding *g = keys_global; g->act; g++) {
                int g_last = g->last ? g->last : g->key;
                if (b->key >= g->key && b->key <= g_last && b->key != KEY_PPAGE && b->key != KEY_NPAGE)
                    fail_msg("panel %s binds key %d that the global list takes", ui_panels[li]->name, b->key);
            }
}

static int has_line(const char *want) {
    for (int i = 0; i < n_lines; i++)
        if (strcmp(lines[i], want) == 0) return 1;
    return 0;
}

/* lines written out by hand: two spaces, the keys padded to 18 columns, a space, the help */
static void test_help_lines_by_hand(void **state) {
    (void)state;
    assert_true(has_line("everywhere"));
    assert_true(has_line("  q / Ctrl-C         quit"));
    assert_true(has_line("  Tab / Shift-Tab    next / previous view"));
    assert_true(has_line("  1-9 / F1-F12       the view with that number on its tab"));
    assert_true(has_line("next token view (1)"));
    assert_true(has_line("  t / T              temperature down / up"));
    assert_true(has_line("  u / Backspace      undo the last step"));   /* u, KEY_BACKSPACE and 127: Backspace once */
    assert_true(has_line("attention view (2)"));
    assert_true(has_line("  Left / Right       previous / next head"));
    assert_true(has_line("train view (5)"));
    assert_true(has_line("  s / space          start (on a working copy) / pause / resume"));
}

static void test_key_names(void **state) {
    (void)state;
    char n[32];
    keys_name(' ', n, sizeof n);
    assert_string_equal(n, "space");
    keys_name(12, n, sizeof n);
    assert_string_equal(n, "Ctrl-L");
    keys_name(KEY_F(5), n, sizeof n);
    assert_string_equal(n, "F5");
    keys_name(KEY_LEFT, n, sizeof n);
    assert_string_equal(n, "Left");
    keys_name('K', n, sizeof n);
    assert_string_equal(n, "K");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_binding_has_help),
        cmocka_unit_test(test_help_lists_every_binding),
        cmocka_unit_test(test_no_key_bound_twice),
        cmocka_unit_test(test_help_lines_by_hand),
        cmocka_unit_test(test_key_names),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
