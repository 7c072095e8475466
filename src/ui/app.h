/* app.h - the state the text UI's parts share (internal to src/ui).
 *
 * Ownership: the UI thread owns everything here, including ctx->model (the
 * "view model" every panel reads). The training worker (worker.h) owns its own
 * working copy and publishes parameter snapshots, which the UI thread copies
 * into ctx->model between frames; nothing else crosses threads.
 *
 * Screen layout (rows):  0 tabs | 1 prompt | 2 .. rows-2 the view (and the
 * output pane when open) | rows-1 status line or ':' command line.
 */
#ifndef LM_UI_APP_H
#define LM_UI_APP_H

#include "ui/curses_inc.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/cli.h"
#include "models/gpt/model.h"
#include "base/rng.h"
#include "decode/sampler.h"
#include "tok/tokenizer.h"
#include "ui/ui.h"
#include "ui/worker.h"

enum { V_NEXT = 0, V_ATTN, V_TOKENS, V_COMPARE, V_TRAIN, V_COUNT };

#define UI_PROMPT_MAX 2048
#define UI_HIST 32
#define UI_MAX_HITS 512
#define UI_N_TOKS 5

/* a clickable region recorded while drawing */
enum { HIT_TAB = 1, HIT_TOKEN, HIT_HEAD, HIT_QUERY, HIT_TOKROW };
typedef struct { int y, x, w, kind, a, b; } ui_hit;

typedef struct {
    const char *spec;        /* "char", "bpe", "gpt2", "cl100k_base", "o200k_base" */
    lm_tokenizer *tok;       /* NULL until loaded or when missing */
    int tried;
    char note[96];           /* why it is missing */
    lm_ids ids;              /* the prompt under this tokeniser */
} ui_tokslot;

typedef struct ui_app {
    cli_ctx *ctx;
    int view, quit, rows, cols;
    int again;                     /* draw another frame soon (lazy loading in steps) */
    int bench;                     /* drawing into a virtual screen */
    /* ---- prompt editor ---- */
    char prompt[UI_PROMPT_MAX];
    size_t plen, pcur;
    int editing;
    int placeholder;   /* the prompt is the start-up example: the first letter typed replaces it */
    char *hist[UI_HIST];
    int nhist, hist_pos;
    int chat;                      /* wrap the prompt in the chat template */
    /* ---- the sequence the model sees: prompt ids, then generated ones ---- */
    lm_ids seq;
    size_t n_prompt;
    lm_rng rng;                    /* the sampling generator (seeded from ctx->seed) */
    lm_rng *undo;                  /* rng state before each generated token */
    size_t n_undo, cap_undo;
    int running;                   /* continuous generation */
    char msg[256];                 /* one-line message on the status line */
    int msg_err;
    /* ---- the analysis of seq through the view model ---- */
    int dirty;                     /* seq or weights changed: forward again */
    int sdirty;                    /* only the decoding settings changed: sample again */
    int wdirty, cmp_wdirty;        /* the training worker published new weights */
    int in_key;                    /* drawing the answer to a key press: new weights may wait a frame */
    int fwd_ok;
    size_t fwd_off;                /* forward covers seq[fwd_off .. seq.n) (the last n_ctx) */
    int T;
    lm_sample_result sres;         /* next-token distribution and the cuts */
    int sres_ok;
    lm_rng rng_after;              /* rng after drawing sres.token */
    char fwd_err[256];
    /* ---- attention view ---- */
    int layer, head, query;        /* query: index into the forward window, -1 = last */
    /* ---- tokens view ---- */
    ui_tokslot toks[UI_N_TOKS];
    int tok_sel;                   /* which tokeniser the BPE stepper uses */
    lm_bpe_trace trace;
    int trace_ok, trace_dirty;
    long trace_step;               /* 0 = bytes before any merge */
    int letters;                   /* letters overlay on */
    char letter[8];
    int want_letter;               /* next key sets the letter */
    /* ---- compare view ---- */
    lm_model inst;
    lm_tokenizer *inst_tok;
    int has_inst;
    char inst_path[1024];
    char inst_note[256];
    int cmp_dirty, cmp_len;
    lm_ids cmp_gen[2];             /* greedy/sampled continuations: base, instruct */
    lm_sample_result cmp_s[2];
    int cmp_ok[2];
    char cmp_err[2][160];
    /* ---- train view ---- */
    ui_worker *w;
    int train_mode;                /* UW_PRETRAIN or UW_SFT */
    float train_lr;
    uw_record *hist_rec;           /* every record received, in order */
    size_t n_rec, cap_rec;
    unsigned snap_seen;
    unsigned info_sig;             /* what the train view last drew of the worker's info */
    double snap_applied_at;
    /* ---- ':' command line and its output pane ---- */
    int cmd_active;
    char cmdbuf[512];
    size_t cmdlen, cmdcur;
    int cmd_purpose;               /* 0 command, 1 save-as path */
    char *log;
    size_t log_len;
    int pane_open, pane_scroll;
    /* ---- help overlay ---- */
    int help_open, help_scroll;
    /* ---- drawing ---- */
    int ascii, mono, hc;
    ui_hit hits[UI_MAX_HITS];
    int n_hits;
    /* ---- measurement ---- */
    FILE *lat;
} ui_app;

/* ---- draw.c: colours, text, bars, plots ---- */
enum {
    C_NORMAL = 0, C_TITLE, C_TAB, C_TABSEL, C_STATUS, C_DIM, C_ERR, C_OK, C_KEY,
    C_BAR, C_BARCUT, C_PICK, C_SPECIAL, C_GEN, C_MASK, C_DIFF, C_TRAIN, C_VAL, C_HILITE,
    C_TOK0,                      /* C_TOK0 .. C_TOK0+7: token strip backgrounds */
    C_HEAT0 = C_TOK0 + 8,        /* C_HEAT0 .. C_HEAT0+UI_HEAT-1 */
    C_LAST = C_HEAT0 + 10
};
#define UI_HEAT 10
void   draw_init_colors(ui_app *a);
attr_t draw_attr(const ui_app *a, int c);
/* writes UTF-8 text at (y, x) clipped to maxw columns; returns columns used */
int    draw_text(ui_app *a, int y, int x, int maxw, int c, const char *s);
int    draw_textf(ui_app *a, int y, int x, int maxw, int c, const char *fmt, ...)
           __attribute__((format(printf, 6, 7)));
/* draws long_s if it fits in maxw columns, otherwise short_s (clipped) */
int    draw_text_fit(ui_app *a, int y, int x, int maxw, int c, const char *long_s, const char *short_s);
/* columns a UTF-8 string takes */
int    draw_width(const char *s);
/* a horizontal bar of w columns filled to f in [0,1] */
void   draw_bar(ui_app *a, int y, int x, int w, double f, int c);
/* one heatmap cell of w columns for value v in [0,1] */
void   draw_heat(ui_app *a, int y, int x, int w, double v);
/* a printable form of a token (whitespace visible) into out, as show_piece */
int    draw_piece(const ui_app *a, const lm_tokenizer *t, int32_t id, char *out, size_t cap);
int    draw_bytes(const ui_app *a, const uint8_t *b, size_t len, char *out, size_t cap);
/* line plot of up to two series (NAN = no point) over an h x w area, braille or ASCII */
void   draw_plot(ui_app *a, int y, int x, int h, int w, const float *s1, const float *s2, size_t n,
                 float lo, float hi, int c1, int c2);
void   draw_hline(ui_app *a, int y, int x, int w, int c);
void   draw_add_hit(ui_app *a, int y, int x, int w, int kind, int av, int bv);
/* draws ids as a strip of coloured cells (ids under the pieces when with_ids);
 * marks[i] (may be NULL): 0 plain, 1 generated, 2 highlighted, 3 disagreement.
 * Returns rows used (<= max_rows); shows the tail when it does not fit. */
int    draw_strip(ui_app *a, const lm_tokenizer *t, const int32_t *ids, size_t n, const uint8_t *marks,
                  int y, int x, int w, int max_rows, int with_ids, int hit_kind);

/* ---- session.c: prompt -> sequence -> forward -> next-token distribution ---- */
int  ses_init(ui_app *a);
void ses_free(ui_app *a);
void ses_set_prompt(ui_app *a, const char *text);
/* re-encodes the prompt and drops generated tokens */
void ses_reencode(ui_app *a);
/* runs the forward pass and the sampler if dirty; 0 ok */
int  ses_refresh(ui_app *a);
int  ses_step(ui_app *a);            /* appends the previewed token; 1 = stop token */
int  ses_undo(ui_app *a);
void ses_reseed(ui_app *a);
void ses_msg(ui_app *a, int is_err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int  ses_model_ok(const ui_app *a);

/* ---- views: draw into rows [y, y+h) and handle their keys (1 = handled) ---- */
void view_next_draw(ui_app *a, int y, int h);
int  view_next_key(ui_app *a, int ch);
void view_attention_draw(ui_app *a, int y, int h);
int  view_attention_key(ui_app *a, int ch);
void view_tokens_draw(ui_app *a, int y, int h);
int  view_tokens_key(ui_app *a, int ch);
void view_tokens_free(ui_app *a);
void view_compare_draw(ui_app *a, int y, int h);
int  view_compare_key(ui_app *a, int ch);
void view_compare_free(ui_app *a);
void view_train_draw(ui_app *a, int y, int h);
int  view_train_key(ui_app *a, int ch);
int  view_train_poll(ui_app *a);     /* 1 if anything changed; drains the worker's records, applies snapshots */
void view_train_free(ui_app *a);
int  view_train_save(ui_app *a, const char *path);

/* ---- app.c ---- */
void app_draw(ui_app *a);
/* Opens the prompt editor; with placeholder=1 the first printable key typed
 * replaces the whole prompt (the start-up example) instead of extending it. */
void app_start_editing(ui_app *a, int placeholder);
int  app_key(ui_app *a, int ch, int is_key);
void app_log(ui_app *a, const char *s, size_t n);
double app_now_ms(void);

/* ---- term.c: terminal setup/restore and signals ---- */
int  term_open(ui_app *a, int bench, int cols, int rows);
void term_close(void);
int  term_signalled(void);

#endif
