/* palette.c - the colours of the canvas roles (palette.h). */
#include "ui/palette.h"

#include "ui/canvas.h"

#include "cli/show.h"

/* heat levels, low to high: a blue-to-yellow ramp; the high-contrast ramp
 * starts well above black (the projector's background) and rises in
 * brightness, so the weakest visible weight still shows on a wall */
static const short heat256[UI_HEAT] = {17, 18, 24, 30, 36, 72, 107, 142, 178, 220};
static const short heat256_hc[UI_HEAT] = {24, 25, 31, 37, 43, 78, 113, 149, 185, 226};

/* the curses colour numbers (ncurses' COLOR_*), kept here so this file needs no curses */
enum { K_BLACK, K_RED, K_GREEN, K_YELLOW, K_BLUE, K_MAGENTA, K_CYAN, K_WHITE };

typedef struct { short id, f, b, hc_f, hc_b, f8, b8; } color_pair;
static const color_pair pairs[] = {
    /* id        f    b            hc_f hc_b         f8        b8 */
    {C_TITLE,   16,  75,          16,  226,         K_BLACK,  K_CYAN},
    {C_TAB,     250, 236,         231, 16,          K_WHITE,  K_BLACK},
    {C_TABSEL,  16,  214,         16,  226,         K_BLACK,  K_YELLOW},
    {C_STATUS,  252, 238,         16,  231,         K_BLACK,  K_WHITE},
    {C_DIM,     244, PAL_DEFAULT, 250, PAL_DEFAULT, K_WHITE,  PAL_DEFAULT},
    {C_ERR,     196, PAL_DEFAULT, 203, PAL_DEFAULT, K_RED,    PAL_DEFAULT},
    {C_OK,      34,  PAL_DEFAULT, 120, PAL_DEFAULT, K_GREEN,  PAL_DEFAULT},
    {C_KEY,     208, PAL_DEFAULT, 226, PAL_DEFAULT, K_YELLOW, PAL_DEFAULT},
    {C_BAR,     39,  PAL_DEFAULT, 231, PAL_DEFAULT, K_CYAN,   PAL_DEFAULT},
    {C_BARCUT,  240, PAL_DEFAULT, 245, PAL_DEFAULT, K_WHITE,  PAL_DEFAULT},
    {C_PICK,    16,  214,         16,  226,         K_BLACK,  K_YELLOW},
    {C_SPECIAL, 16,  177,         16,  213,         K_BLACK,  K_MAGENTA},
    {C_GEN,     16,  150,         16,  120,         K_BLACK,  K_GREEN},
    {C_MASK,    238, PAL_DEFAULT, 244, PAL_DEFAULT, K_WHITE,  PAL_DEFAULT},
    {C_DIFF,    231, 160,         231, 196,         K_WHITE,  K_RED},
    {C_TRAIN,   39,  PAL_DEFAULT, 51,  PAL_DEFAULT, K_CYAN,   PAL_DEFAULT},
    {C_VAL,     208, PAL_DEFAULT, 226, PAL_DEFAULT, K_YELLOW, PAL_DEFAULT},
    {C_HILITE,  16,  226,         16,  226,         K_BLACK,  K_YELLOW},
};

static int role_bold(int role, int hc) {
    if (role == C_ERR || role == C_TABSEL || role == C_DIFF) return 1;
    return hc && (role == C_BAR || role == C_TRAIN || role == C_KEY || role == C_TITLE);
}

pal_style palette_role(int role, int hc) {
    pal_style s = {PAL_DEFAULT, PAL_DEFAULT, role_bold(role, hc)};
    for (unsigned k = 0; k < sizeof pairs / sizeof *pairs; k++)
        if (pairs[k].id == role) {
            s.fg = hc ? pairs[k].hc_f : pairs[k].f;
            s.bg = hc ? pairs[k].hc_b : pairs[k].b;
            return s;
        }
    if (role >= C_TOK0 && role < C_TOK0 + 8) {
        int i = role - C_TOK0;
        s.fg = 16;
        s.bg = hc ? (i % 2 ? 226 : 231) : show_token_color(i);
    } else if (role >= C_HEAT0 && role < C_HEAT0 + UI_HEAT) {
        int i = role - C_HEAT0;
        s.bg = hc ? heat256_hc[i] : heat256[i];
        s.fg = i < UI_HEAT / 2 ? 231 : 16;   /* values written on a cell stay readable */
    }
    return s;
}

pal_style palette_role8(int role, int hc) {
    pal_style s = {PAL_DEFAULT, PAL_DEFAULT, role_bold(role, hc)};
    for (unsigned k = 0; k < sizeof pairs / sizeof *pairs; k++)
        if (pairs[k].id == role) {
            s.fg = pairs[k].f8;
            s.bg = pairs[k].b8;
            if (hc && role == C_BAR) s.fg = K_WHITE;   /* the table's cyan, white in high contrast */
            return s;
        }
    if (role >= C_TOK0 && role < C_TOK0 + 8) {
        static const short tok8[8] = {K_CYAN, K_YELLOW, K_GREEN, K_WHITE, K_CYAN, K_YELLOW, K_GREEN, K_WHITE};
        s.fg = K_BLACK;
        s.bg = tok8[role - C_TOK0];
    } else if (role >= C_HEAT0 && role < C_HEAT0 + UI_HEAT) {
        s.fg = role - C_HEAT0 < UI_HEAT / 2 ? K_BLUE : K_CYAN;
    }
    return s;
}

unsigned palette_rgb(int idx) {
    static const unsigned sys[16] = {0x000000, 0x800000, 0x008000, 0x808000, 0x000080, 0x800080,
                                     0x008080, 0xc0c0c0, 0x808080, 0xff0000, 0x00ff00, 0xffff00,
                                     0x0000ff, 0xff00ff, 0x00ffff, 0xffffff};
    if (idx < 0 || idx > 255) return 0;
    if (idx < 16) return sys[idx];
    if (idx >= 232) {
        unsigned g = 8 + 10 * (unsigned)(idx - 232);
        return g << 16 | g << 8 | g;
    }
    static const unsigned lv[6] = {0, 95, 135, 175, 215, 255};
    int i = idx - 16;
    return lv[i / 36] << 16 | lv[(i / 6) % 6] << 8 | lv[i % 6];
}
