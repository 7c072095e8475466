/* test_canvas.c - the UI's character-cell canvas (src/ui/canvas.h): text
 * with wide and combining characters, clipping at the edges, wide glyphs cut
 * in half, bars, heat cells, plots and hit regions, checked through the
 * plain-text export. Every expected string is worked out by hand in the
 * comment above it. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ui/canvas.h"

static ui_canvas *new_canvas(int rows, int cols, int ascii) {
    ui_canvas *cv = calloc(1, sizeof *cv);
    assert_non_null(cv);
    cv->ascii = ascii;
    assert_int_equal(canvas_resize(cv, rows, cols), 0);
    return cv;
}

static void free_canvas(ui_canvas *cv) {
    canvas_free(cv);
    free(cv);
}

static void assert_text(const ui_canvas *cv, const char *want) {
    char *got = canvas_to_text(cv);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void test_blank_canvas(void **state) {
    (void)state;
    ui_canvas *cv = new_canvas(2, 5, 0);
    /* every row is blank: trailing blanks are cut, each row still ends in a newline */
    assert_text(cv, "\n\n");
    free_canvas(cv);
}

static void test_wide_and_combining(void **state) {
    (void)state;
    ui_canvas *cv = new_canvas(3, 10, 0);
    /* "ab" (2 columns) + two CJK characters (2 columns each) + "cd" = 8 columns */
    assert_int_equal(draw_text(cv, 0, 0, 10, C_NORMAL, "ab\xe6\x97\xa5\xe6\x9c\xac" "cd"), 8);
    /* the cell after a wide glyph is its continuation */
    assert_int_equal(canvas_cell(cv, 0, 2)->ch[0], 0x65e5);
    assert_int_equal(canvas_cell(cv, 0, 3)->ch[0], 0);
    assert_int_equal(canvas_cell(cv, 0, 6)->ch[0], L'c');
    /* e + COMBINING ACUTE ACCENT is one cell (e with the mark), then "te": 3 columns */
    assert_int_equal(draw_text(cv, 1, 0, 10, C_KEY, "e\xcc\x81te"), 3);
    assert_int_equal(canvas_cell(cv, 1, 0)->ch[0], L'e');
    assert_int_equal(canvas_cell(cv, 1, 0)->ch[1], 0x301);
    assert_int_equal(canvas_cell(cv, 1, 1)->ch[0], L't');
    assert_int_equal(canvas_cell(cv, 1, 1)->role, C_KEY);
    /* a control character shows as '?' */
    assert_int_equal(draw_text(cv, 2, 0, 10, C_NORMAL, "a\tb"), 3);
    assert_text(cv, "ab\xe6\x97\xa5\xe6\x9c\xac" "cd\n"
                    "e\xcc\x81te\n"
                    "a?b\n");
    free_canvas(cv);
}

static void test_clipping(void **state) {
    (void)state;
    ui_canvas *cv = new_canvas(3, 10, 0);
    /* at column 7 only 3 columns are left: "xy" fits, the 2-column glyph after
     * it would need columns 9 and 10, so it and everything after are dropped */
    assert_int_equal(draw_text(cv, 0, 7, 10, C_NORMAL, "xy\xe6\x97\xa5z"), 2);
    /* maxw 4 at column 0: "abcd" of "abcdef" */
    assert_int_equal(draw_text(cv, 1, 0, 4, C_NORMAL, "abcdef"), 4);
    /* outside the canvas: nothing, 0 columns */
    assert_int_equal(draw_text(cv, 3, 0, 10, C_NORMAL, "zz"), 0);
    assert_int_equal(draw_text(cv, -1, 0, 10, C_NORMAL, "zz"), 0);
    assert_int_equal(draw_text(cv, 2, 10, 10, C_NORMAL, "zz"), 0);
    assert_text(cv, "       xy\n"
                    "abcd\n"
                    "\n");
    free_canvas(cv);
}

static void test_wide_glyph_cut_in_half(void **state) {
    (void)state;
    ui_canvas *cv = new_canvas(2, 6, 0);
    /* row 0: a wide glyph at columns 0-1, then 'x' over its right half:
     * the left half is blanked -> " x" */
    draw_text(cv, 0, 0, 6, C_NORMAL, "\xe6\x97\xa5");
    draw_text(cv, 0, 1, 6, C_NORMAL, "x");
    /* row 1: a wide glyph at columns 2-3, then 'y' over its left half:
     * the right half (a continuation) becomes a blank -> "  y" */
    draw_text(cv, 1, 2, 6, C_NORMAL, "\xe6\x97\xa5");
    draw_text(cv, 1, 2, 6, C_NORMAL, "y");
    assert_int_equal(canvas_cell(cv, 1, 3)->ch[0], L' ');
    assert_text(cv, " x\n  y\n");
    free_canvas(cv);
}

static void test_bars(void **state) {
    (void)state;
    ui_canvas *cv = new_canvas(2, 8, 1);
    /* ASCII, f = 0.5 over 5 columns: 0.5*5*8 = 20 eighths = 2 full cells + 4
     * eighths, which ASCII draws as '+' */
    draw_bar(cv, 0, 1, 5, 0.5, C_BAR);
    cv->ascii = 0;
    /* Unicode, f = 0.3 over 4 columns: 0.3*4*8 = 9.6 -> 10 eighths = one full
     * block (U+2588) + 2 eighths (U+258E, left one quarter block) */
    draw_bar(cv, 1, 0, 4, 0.3, C_BAR);
    assert_int_equal(canvas_cell(cv, 0, 1)->role, C_BAR);
    assert_text(cv, " ##+\n\xe2\x96\x88\xe2\x96\x8e\n");
    free_canvas(cv);
}

static void test_heat_and_rules(void **state) {
    (void)state;
    ui_canvas *cv = new_canvas(3, 6, 1);
    /* few colours: v = 0.5 is the '*' shade (0.3 <= v < 0.6), 3 columns */
    draw_heat(cv, 0, 0, 3, 0.5);
    /* 256 colours: the colour carries it, the cells are blanks of level
     * round(0.5 * 9) = 5 (4.5 + 0.5 -> 5) */
    cv->rich = 1;
    draw_heat(cv, 1, 2, 2, 0.5);
    assert_int_equal(canvas_cell(cv, 1, 2)->role, C_HEAT0 + 5);
    assert_int_equal(canvas_cell(cv, 1, 3)->role, C_HEAT0 + 5);
    assert_int_equal(canvas_cell(cv, 1, 4)->role, C_NORMAL);
    /* an ASCII rule of 4 columns from column 1 */
    draw_hline(cv, 2, 1, 4, C_DIM);
    assert_text(cv, "***\n\n ----\n");
    free_canvas(cv);
}

static void test_plots(void **state) {
    (void)state;
    ui_canvas *cv = new_canvas(4, 6, 1);
    /* ASCII plot of 0,1,2,3,4 over 3 rows x 5 columns, lo 0, hi 4: point i is
     * at x = i, y = round((1 - v/4) * 2) = 2, 2, 1, 1, 0 (2.5, 2.0, 1.5, 1.0,
     * 0.5 truncated after +0.5); the segments join them: row 0 has x=4, row 1
     * x=2,3, row 2 x=0,1, each drawn as '.' (series 1) */
    const float s1[5] = {0, 1, 2, 3, 4};
    draw_plot(cv, 0, 0, 3, 5, s1, NULL, 5, 0, 4, C_TRAIN, C_VAL);
    assert_text(cv, "    .\n  ..\n..\n\n");
    free_canvas(cv);

    /* braille, one cell (2 x 4 dots) and the series 0, 1 with lo 0, hi 1:
     * the points are dot (0,3) and dot (1,0); the line between them passes
     * (0,2) and (0,1). Bits: (0,3)=0x40 (0,2)=0x04 (0,1)=0x02 (1,0)=0x08 ->
     * U+2800 + 0x4E = U+284E */
    cv = new_canvas(1, 2, 0);
    const float s2[2] = {0, 1};
    draw_plot(cv, 0, 0, 1, 1, s2, NULL, 2, 0, 1, C_TRAIN, C_VAL);
    assert_int_equal(canvas_cell(cv, 0, 0)->ch[0], 0x284E);
    assert_text(cv, "\xe2\xa1\x8e\n");
    free_canvas(cv);
}

static void test_hits_and_cursor(void **state) {
    (void)state;
    ui_canvas *cv = new_canvas(2, 10, 0);
    draw_add_hit(cv, 0, 0, 5, HIT_TAB, 1, 0);
    draw_add_hit(cv, 0, 3, 4, HIT_TOKEN, 7, 0);
    /* the newest region wins where they overlap */
    assert_int_equal(draw_hit_at(cv, 0, 3)->kind, HIT_TOKEN);
    assert_int_equal(draw_hit_at(cv, 0, 1)->a, 1);
    assert_null(draw_hit_at(cv, 0, 7));
    assert_null(draw_hit_at(cv, 1, 0));
    draw_cursor(cv, 1, 20);   /* clipped to the last column */
    assert_int_equal(cv->cur_x, 9);
    canvas_clear(cv);
    assert_int_equal(cv->n_hits, 0);
    assert_true(cv->cur_y < 0);
    free_canvas(cv);
}

int main(void) {
    if (!setlocale(LC_ALL, "C.UTF-8")) setlocale(LC_ALL, "C.utf8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blank_canvas),
        cmocka_unit_test(test_wide_and_combining),
        cmocka_unit_test(test_clipping),
        cmocka_unit_test(test_wide_glyph_cut_in_half),
        cmocka_unit_test(test_bars),
        cmocka_unit_test(test_heat_and_rules),
        cmocka_unit_test(test_plots),
        cmocka_unit_test(test_hits_and_cursor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
