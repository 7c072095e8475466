/* test_export.c - a canvas as ANSI and SVG (src/ui/export.h) and the shared
 * palette (src/ui/palette.h): exact ANSI lines for known cells, the SVG's
 * elements for a cell with text, one with a background and the XML
 * specials, the xterm-256 colours, and the high-contrast heat ramp (every
 * level visible on the black background, rising in brightness). */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ui/export.h"
#include "ui/palette.h"

static ui_canvas *new_canvas(int rows, int cols) {
    ui_canvas *cv = calloc(1, sizeof *cv);
    assert_non_null(cv);
    cv->rich = 1;
    assert_int_equal(canvas_resize(cv, rows, cols), 0);
    return cv;
}

static void free_canvas(ui_canvas *cv) {
    canvas_free(cv);
    free(cv);
}

/* the export as a malloc'd string */
static char *export_str(const ui_canvas *cv, int format) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(canvas_export(cv, format, f), 0);
    fclose(f);
    return buf;
}

static void test_format_of(void **state) {
    (void)state;
    assert_int_equal(export_format_of("a/b.svg"), EXPORT_SVG);
    assert_int_equal(export_format_of("B.SVG"), EXPORT_SVG);
    assert_int_equal(export_format_of("x.ans"), EXPORT_ANSI);
    assert_int_equal(export_format_of("x.ansi"), EXPORT_ANSI);
    assert_int_equal(export_format_of("x.txt"), EXPORT_TEXT);
    assert_int_equal(export_format_of("dir.svg/x"), EXPORT_TEXT);
    assert_int_equal(export_format_of("noext"), EXPORT_TEXT);
}

/* xterm-256: 16..231 a 6x6x6 cube of levels 0,95,135,175,215,255; 232..255 greys 8+10k */
static void test_palette_rgb(void **state) {
    (void)state;
    assert_int_equal(palette_rgb(16), 0x000000);
    assert_int_equal(palette_rgb(231), 0xffffff);
    assert_int_equal(palette_rgb(39), 0x00afff);    /* 39-16 = 23 = 0,3,5 */
    assert_int_equal(palette_rgb(214), 0xffaf00);   /* 198 = 5,3,0 */
    assert_int_equal(palette_rgb(244), 0x808080);   /* 8 + 10*12 = 128 */
    assert_int_equal(palette_rgb(9), 0xff0000);
}

static double luminance(unsigned rgb) {
    return 0.2126 * (rgb >> 16) + 0.7152 * ((rgb >> 8) & 255) + 0.0722 * (rgb & 255);
}

/* high contrast: the weakest heat level stands out from the black background
 * and each level is brighter than the one below */
static void test_hc_heat_visible(void **state) {
    (void)state;
    double bg = luminance(palette_rgb(PAL_EXPORT_BG)), prev = -1;
    for (int i = 0; i < UI_HEAT; i++) {
        pal_style s = palette_role(C_HEAT0 + i, 1);
        double l = luminance(palette_rgb(s.bg));
        assert_true(l > bg + 40);
        assert_true(l > prev);
        prev = l;
    }
}

/* "ab" as a bar at (0,0): one SGR run (fg 39, default bg 16), then a reset;
 * the trailing default blanks are cut; the empty row is just the reset */
static void test_ansi_runs(void **state) {
    (void)state;
    ui_canvas *cv = new_canvas(2, 10);
    draw_text(cv, 0, 0, 10, C_BAR, "ab");
    draw_text(cv, 0, 2, 10, C_NORMAL, "c");
    char *s = export_str(cv, EXPORT_ANSI);
    assert_string_equal(s, "\x1b[0;38;5;39;48;5;16mab\x1b[0mc\x1b[0m\n\x1b[0m\n");
    free(s);
    /* high contrast: the bar role is white and bold */
    cv->hc = 1;
    s = export_str(cv, EXPORT_ANSI);
    assert_non_null(strstr(s, "\x1b[0;38;5;231;48;5;16;1mab"));
    free(s);
    free_canvas(cv);
}

/* a cell of C_PICK (black on 214) at row 1, column 3 and the XML specials at
 * row 2, column 2 (5 columns: textLength 50, x 20, y 2*20+15) */
static void test_svg_cells(void **state) {
    (void)state;
    ui_canvas *cv = new_canvas(3, 12);
    draw_text(cv, 1, 3, 1, C_PICK, "x");
    draw_text(cv, 2, 2, 10, C_NORMAL, "<&>\"'");
    char *s = export_str(cv, EXPORT_SVG);
    assert_non_null(strstr(s, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"120\" height=\"60\""));
    assert_non_null(strstr(s, "<rect x=\"30\" y=\"20\" width=\"10\" height=\"20\" fill=\"#ffaf00\"/>"));
    assert_non_null(strstr(s, "<text x=\"30\" y=\"35\" textLength=\"10\" lengthAdjust=\"spacingAndGlyphs\" "
                              "fill=\"#000000\">x</text>"));
    assert_non_null(strstr(s, "<text x=\"20\" y=\"55\" textLength=\"50\" lengthAdjust=\"spacingAndGlyphs\" "
                              "fill=\"#ffffff\">&lt;&amp;&gt;&quot;&apos;</text>"));
    assert_null(strstr(s, "<&"));
    /* exactly one background rect besides the whole picture's */
    int rects = 0;
    for (const char *p = s; (p = strstr(p, "<rect")); p++) rects++;
    assert_int_equal(rects, 2);
    assert_non_null(strstr(s, "</svg>\n"));
    free(s);
    free_canvas(cv);
}

/* a wide glyph is one run of 2 columns; a reversed cell swaps its colours */
static void test_svg_wide_and_reverse(void **state) {
    (void)state;
    ui_canvas *cv = new_canvas(1, 8);
    draw_text(cv, 0, 0, 8, C_NORMAL, "\xe4\xb8\xad");   /* U+4E2D, 2 columns */
    draw_text(cv, 0, 4, 1, C_NORMAL, "r");
    cv->cells[4].attr = CV_REVERSE;
    char *s = export_str(cv, EXPORT_SVG);
    assert_non_null(strstr(s, "<text x=\"0\" y=\"15\" textLength=\"20\" lengthAdjust=\"spacingAndGlyphs\" "
                              "fill=\"#ffffff\">\xe4\xb8\xad</text>"));
    assert_non_null(strstr(s, "<rect x=\"40\" y=\"0\" width=\"10\" height=\"20\" fill=\"#ffffff\"/>"));
    assert_non_null(strstr(s, "fill=\"#000000\">r</text>"));
    free(s);
    free_canvas(cv);
}

int main(void) {
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_of),
        cmocka_unit_test(test_palette_rgb),
        cmocka_unit_test(test_hc_heat_visible),
        cmocka_unit_test(test_ansi_runs),
        cmocka_unit_test(test_svg_cells),
        cmocka_unit_test(test_svg_wide_and_reverse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
