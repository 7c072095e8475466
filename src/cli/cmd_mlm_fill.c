/* cmd_mlm_fill.c - the encoder beside a decoder (cli/mlm.h):
 *   mlm fill   the encoder's bars for each [MASK] of a sentence, and beside
 *              them a decoder's next-token bars for the same sentence cut at
 *              the blank: the decoder reads only the words to the left, the
 *              encoder reads both sides.
 *   mlm eval   the same comparison as figures, on the held-out blanks that
 *              `mlm train` validates on (train/objective.h lm_mlm_compare).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/mlm.h"
#include "cli/opts.h"
#include "cli/sandbox.h"
#include "cli/show.h"
#include "cli/trainloop.h"
#include "data/mlm_mask.h"
#include "decode/prefill.h"
#include "io/modelfile.h"
#include "train/objective.h"

#define MLM_BLANK "[MASK]"           /* how a user writes the blank (BERT's spelling) */

static const char *fill_usage =
    "usage: llmlab mlm fill [-m ENCODER] [--decoder MODEL | --no-decoder] [--rows N] TEXT | -\n"
    "Writes each " MLM_BLANK " of TEXT as the encoder's <|mask|> token and shows the\n"
    "encoder's most likely tokens for it (it reads the words on both sides), and\n"
    "beside them the decoder's most likely next tokens after the text up to the\n"
    "blank (it can read only the left side). A blank stands for one token with\n"
    "the space before it (\"on the " MLM_BLANK " .\": the token after \"on the\").\n"
    "Later blanks show the decoder the text with earlier blanks filled by the\n"
    "encoder's first choice.\n"
    "  -m ENCODER         encoder model (default: the loaded model if it is an\n"
    "                     encoder, else " MLM_DEFAULT_ENCODER ")\n"
    "  --decoder MODEL    decoder shown beside it (default " MLM_DEFAULT_DECODER ")\n"
    "  --no-decoder       the encoder's bars only\n"
    "  --rows N           tokens listed per blank (default 8)\n";

static const char *eval_usage =
    "usage: llmlab mlm eval [-m ENCODER] [--decoder MODEL] [--data FILE] [--val FILE] [--batch B]\n"
    "                       [--seq T] [--val-batches N] [--seed S]\n"
    "Masks held-out text by BERT's rule, as `mlm train` validates (the same\n"
    "options and defaults give the same blanks), and counts how often the\n"
    "encoder, reading both sides of each blank, and the decoder, reading only\n"
    "the text before it, rank the hidden token first, and their loss per blank.\n"
    "A blank at a window's first position has no left side and is left out.\n"
    "  -m ENCODER         encoder (default: the loaded encoder, else " MLM_DEFAULT_ENCODER ")\n"
    "  --decoder MODEL    decoder (default " MLM_DEFAULT_DECODER ")\n"
    "  --data FILE        the text (default data/corpus/train.txt); without --val\n"
    "                     its last 5% is the held-out part\n"
    "  --val FILE         held-out text\n"
    "  --batch B --seq T --val-batches N --seed S   (default 16 64 8 1234)\n";

/* ------------------------------------------------------------------- fill */

/* A sentence with blanks as the encoder's ids: every "[MASK]" becomes the
 * mask id and eats one space before it (BPE tokens carry their leading
 * space); blank[k] is the position of the k-th blank. */
typedef struct {
    lm_ids ids;
    int *blank;
    int n_blank;
} blanks;

static void blanks_free(blanks *b) {
    lm_ids_free(&b->ids);
    free(b->blank);
    memset(b, 0, sizeof *b);
}

static int encode_blanks(cli_ctx *ctx, const uint8_t *text, size_t len, int32_t mask_id, blanks *out) {
    memset(out, 0, sizeof *out);
    lm_err err = {{0}};
    const size_t bl = strlen(MLM_BLANK);
    size_t at = 0;
    while (at <= len) {
        const uint8_t *hit = len - at >= bl ? memmem(text + at, len - at, MLM_BLANK, bl) : NULL;
        size_t end = hit ? (size_t)(hit - text) : len, seg = end - at;
        if (hit && seg > 0 && text[end - 1] == ' ') seg--;   /* the blank's own space */
        if (seg > 0 && lm_tok_encode(ctx->tok, text + at, seg, 0, &out->ids, &err)) {
            fprintf(ctx->err, "llmlab mlm fill: %s\n", err.msg);
            return -1;
        }
        if (!hit) break;
        int *nb = realloc(out->blank, sizeof *nb * (size_t)(out->n_blank + 1));
        if (!nb || lm_ids_push(&out->ids, mask_id)) {
            if (nb) out->blank = nb;
            fprintf(ctx->err, "llmlab mlm fill: out of memory\n");
            return -1;
        }
        out->blank = nb;
        out->blank[out->n_blank++] = (int)out->ids.n - 1;
        at = end + bl;
    }
    if (out->n_blank == 0) {
        fprintf(ctx->err, "llmlab mlm fill: the text has no %s: write one where a word is missing, e.g. "
                          "\"The cat sat on the %s .\"\n", MLM_BLANK, MLM_BLANK);
        return -1;
    }
    if (out->ids.n > (size_t)ctx->model.cfg.n_ctx) {
        fprintf(ctx->err, "llmlab mlm fill: the text is %zu tokens; the encoder reads at most %d\n", out->ids.n,
                ctx->model.cfg.n_ctx);
        return -1;
    }
    return 0;
}

/* terminal columns of UTF-8 text: one per character */
static int text_cols(const char *s) {
    int n = 0;
    for (; *s; s++) n += (*s & 0xC0) != 0x80;
    return n;
}

/* one side's bars: the rows most likely tokens of probs [V], strongest first */
typedef struct {
    int32_t id[64];
    float p[64];
    int n;
} top_list;

static void top_tokens(const float *probs, int V, int rows, top_list *t) {
    t->n = 0;
    for (int v = 0; v < V; v++) {
        if (t->n == rows && probs[v] <= t->p[t->n - 1]) continue;
        int k = t->n < rows ? t->n++ : rows - 1;   /* insert, dropping the weakest */
        while (k > 0 && t->p[k - 1] < probs[v]) { t->p[k] = t->p[k - 1]; t->id[k] = t->id[k - 1]; k--; }
        t->p[k] = probs[v];
        t->id[k] = v;
    }
}

#define PIECE_COLS 12
#define BAR_COLS 12

/* " 1 ·mat          31.2% ████" : rank, piece, percentage, bar; padded to
 * 35 columns when pad is set (a left column) */
static void put_row(cli_ctx *ctx, const lm_tokenizer *tok, const top_list *t, int i, int pad) {
    if (i >= t->n) { fprintf(ctx->out, "%*s", pad ? 3 + PIECE_COLS + 8 + BAR_COLS : 0, ""); return; }
    char piece[160], bar[160];
    size_t len;
    const uint8_t *b = lm_tok_piece(tok, t->id[i], &len);
    int cols = b ? show_piece(b, len, !show_unicode_ok(), piece, sizeof piece)
                 : snprintf(piece, sizeof piece, "<%d>", t->id[i]);
    if (cols > PIECE_COLS) {   /* cut to PIECE_COLS columns, whole characters */
        char *s = piece;
        for (int c = 0; *s && c < PIECE_COLS; c++) do s++; while ((*s & 0xC0) == 0x80);
        *s = '\0';
        cols = PIECE_COLS;
    }
    show_bar(t->p[i], BAR_COLS, !show_unicode_ok(), bar, sizeof bar);
    int bar_cols = text_cols(bar);
    fprintf(ctx->out, "%2d %s%*s %5.1f%% ", i + 1, piece, PIECE_COLS - cols, "", 100.0 * t->p[i]);
    show_color(ctx->out, ctx->color, "32");
    fputs(bar, ctx->out);
    show_reset(ctx->out, ctx->color);
    if (pad) fprintf(ctx->out, "%*s", BAR_COLS - bar_cols, "");
}

/* the decoder's next-token distribution after `left` (text): probs [dec V] */
typedef struct {
    lm_model m;
    lm_tokenizer *tok;
    const char *path;   /* as the user named it (argv or MLM_DEFAULT_DECODER: outlives the command) */
} decoder;

static int decoder_probs(cli_ctx *ctx, decoder *d, const uint8_t *left, size_t len, float *probs, int *n_read) {
    lm_ids ids = {0};
    lm_err err = {{0}};
    int32_t eot = lm_tok_special_id(d->tok, "<|endoftext|>");
    int rc = len == 0 && eot >= 0 ? lm_ids_push(&ids, eot) : 0;   /* nothing to the left: a document's start */
    if (rc == 0) rc = lm_tok_encode(d->tok, left, len, 0, &ids, &err);
    size_t off = 0;
    if (rc == 0 && ids.n == 0) rc = lm_fail(&err, "nothing to the left of the blank for the decoder to read");
    if (rc == 0) rc = lm_prefill_window(&d->m, ids.ids, ids.n, &off, &err);
    if (rc == 0) {
        lm_next_token_probs(&d->m, 0, (int)(ids.n - off - 1), probs);
        *n_read = (int)(ids.n - off);
    } else {
        fprintf(ctx->err, "llmlab mlm fill: decoder %s: %s\n", d->path, err.msg);
    }
    lm_ids_free(&ids);
    return rc ? -1 : 0;
}

/* text of the encoder's ids [0, n) with blanks filled by their first choice */
static int left_text(cli_ctx *ctx, const blanks *bl, const int32_t *fill, int n, uint8_t **text, size_t *len) {
    int32_t *ids = malloc(sizeof *ids * (size_t)(n ? n : 1));
    if (!ids) return -1;
    for (int i = 0, k = 0; i < n; i++) {
        ids[i] = bl->ids.ids[i];
        if (k < bl->n_blank && bl->blank[k] == i) ids[i] = fill[k++];
    }
    lm_err err = {{0}};
    *text = NULL;
    *len = 0;
    int rc = lm_tok_decode(ctx->tok, ids, (size_t)n, text, len, &err);
    free(ids);
    return rc;
}

static int fill_args(cli_ctx *ctx, int argc, char **argv, const char **enc, const char **dec, int *rows) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},          {"model", required_argument, 0, 'm'},
        {"decoder", required_argument, 0, 'd'}, {"no-decoder", no_argument, 0, 'n'},
        {"rows", required_argument, 0, 'r'},    {0, 0, 0, 0}};
    int c;
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "hm:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(fill_usage, ctx->out); return 0;
        case 'm': *enc = optarg; break;
        case 'd': *dec = optarg; break;
        case 'n': *dec = NULL; break;
        case 'r': if (cli_parse_int(ctx, "mlm fill", "--rows", optarg, 1, 64, rows)) return 2; break;
        default: return cli_bad_option(ctx, "mlm fill", argc, argv, "hm:", longopts);
        }
    }
    if (optind >= argc) return cli_usage_error(ctx, "mlm fill", "give a TEXT with a " MLM_BLANK);
    return -1;
}

/* the encoder (ctx's model): the -m file, the loaded encoder, or the shipped
 * one; *shown (may be NULL) gets its name as the user knows it */
static int load_encoder(cli_ctx *ctx, const char *cmd, const char *path, const char **shown) {
    char shipped[LM_PATH_MAX];
    if (shown) *shown = path ? path : ctx->model_path;
    if (!path && !(ctx->model_loaded && ctx->model.bidirectional)) {
        cli_find_shipped(MLM_DEFAULT_ENCODER, shipped, sizeof shipped);
        path = shipped;
        if (shown) *shown = MLM_DEFAULT_ENCODER;
    }
    if (cli_ensure_model(ctx, path)) return 1;
    if (!ctx->model.bidirectional) {
        fprintf(ctx->err, "llmlab %s: %s is a decoder (causal attention), not an encoder; make one with "
                          "`llmlab mlm train`\n", cmd, ctx->model_path);
        return 1;
    }
    if (lm_tok_special_id(ctx->tok, LM_MLM_MASK) < 0) {
        fprintf(ctx->err, "llmlab %s: the tokeniser of %s has no %s\n", cmd, ctx->model_path, LM_MLM_MASK);
        return 1;
    }
    return 0;
}

static int load_decoder(cli_ctx *ctx, const char *cmd, const char *path, decoder *d) {
    char shipped[LM_PATH_MAX];
    d->path = path;
    if (strcmp(path, MLM_DEFAULT_DECODER) == 0 && cli_find_shipped(MLM_DEFAULT_DECODER, shipped, sizeof shipped) == 0)
        path = shipped;
    const char *p = cli_path_for_read(ctx, cmd, path);   /* a lesson's policy (sandbox.h) */
    lm_err err = {{0}};
    if (!p) return 1;
    if (lm_load(&d->m, NULL, p, &err)) {
        fprintf(ctx->err, "llmlab %s: decoder: %s\n", cmd, err.msg);
        return 1;
    }
    if (d->m.bidirectional) {
        fprintf(ctx->err, "llmlab %s: --decoder %s is an encoder; give a decoder (e.g. %s)\n", cmd, d->path,
                MLM_DEFAULT_DECODER);
        lm_model_free(&d->m);
        return 1;
    }
    if (!(d->tok = cli_run_tokenizer(ctx, cmd, &d->m))) {
        lm_model_free(&d->m);
        return 1;
    }
    return 0;
}

/* the header of one blank's two columns */
static void put_heads(cli_ctx *ctx, const decoder *d, int n_enc, int n_dec, int k, int n_blank) {
    char left[64];
    snprintf(left, sizeof left, "encoder fills blank %d (reads %d tokens)", k + 1, n_enc);
    if (n_blank == 1) snprintf(left, sizeof left, "encoder fills the blank (reads %d tokens)", n_enc);
    fprintf(ctx->out, "   %-*s", d ? PIECE_COLS + 8 + BAR_COLS : 0, left);
    if (d) fprintf(ctx->out, "  |    decoder's next token (reads %d token%s)", n_dec, n_dec == 1 ? "" : "s");
    fputc('\n', ctx->out);
}

static int fill_run(cli_ctx *ctx, const blanks *bl, decoder *d, int rows) {
    lm_model *m = &ctx->model;
    const int V = m->cfg.vocab_size, n = (int)bl->ids.n;
    lm_err err = {{0}};
    if (lm_forward(m, bl->ids.ids, NULL, NULL, 1, n, &err)) {   /* one pass: every blank at once */
        fprintf(ctx->err, "llmlab mlm fill: %s\n", err.msg);
        return 1;
    }
    float *probs = malloc(sizeof *probs * (size_t)V);
    float *dprobs = d ? malloc(sizeof *dprobs * (size_t)d->m.cfg.vocab_size) : NULL;
    int32_t *fill = malloc(sizeof *fill * (size_t)bl->n_blank);
    int rc = probs && fill && (!d || dprobs) ? 0 : 1;
    if (rc) fprintf(ctx->err, "llmlab mlm fill: out of memory\n");
    fprintf(ctx->out, "%d token%s, %d blank%s; the encoder reads all of them%s\n", n, n == 1 ? "" : "s",
            bl->n_blank, bl->n_blank == 1 ? "" : "s", d ? ", the decoder only the ones before a blank" : "");
    for (int k = 0; rc == 0 && k < bl->n_blank; k++) {
        top_list te, td = {.n = 0};
        lm_next_token_probs(m, 0, bl->blank[k], probs);   /* the fill-in distribution at the blank */
        top_tokens(probs, V, rows, &te);
        fill[k] = te.id[0];
        int n_dec = 0;
        if (d) {
            uint8_t *left = NULL;
            size_t len = 0;
            rc = left_text(ctx, bl, fill, bl->blank[k], &left, &len) ? 1 : 0;
            if (rc == 0) {
                fputs("\n", ctx->out);
                fprintf(ctx->out, "blank %d, the decoder reads: \"", k + 1);
                show_text(ctx->out, left, len);
                fputs(len ? "\"\n" : "\" (nothing: a document's start, <|endoftext|>)\n", ctx->out);
                rc = decoder_probs(ctx, d, left, len, dprobs, &n_dec) ? 1 : 0;
            }
            free(left);
            if (rc == 0) top_tokens(dprobs, d->m.cfg.vocab_size, rows, &td);
        } else {
            fputc('\n', ctx->out);
        }
        if (rc) break;
        put_heads(ctx, d, n, n_dec, k, bl->n_blank);
        for (int i = 0; i < rows; i++) {
            put_row(ctx, ctx->tok, &te, i, d != NULL);
            if (d) {
                fputs("  | ", ctx->out);
                put_row(ctx, d->tok, &td, i, 0);
            }
            fputc('\n', ctx->out);
        }
    }
    free(probs);
    free(dprobs);
    free(fill);
    return rc;
}

int cmd_mlm_fill(cli_ctx *ctx, int argc, char **argv) {
    const char *enc = NULL, *dec = MLM_DEFAULT_DECODER;
    int rows = 8;
    int rc = fill_args(ctx, argc, argv, &enc, &dec, &rows);
    if (rc >= 0) return rc;
    if (load_encoder(ctx, "mlm fill", enc, NULL)) return 1;
    uint8_t *text;
    size_t len;
    if (cli_read_text(ctx, "mlm fill", argc, argv, optind, &text, &len)) return 2;
    blanks bl;
    rc = encode_blanks(ctx, text, len, lm_tok_special_id(ctx->tok, LM_MLM_MASK), &bl) ? 2 : 0;
    decoder d = {0};
    int have_dec = rc == 0 && dec;
    if (have_dec && load_decoder(ctx, "mlm fill", dec, &d)) {
        rc = 1;
        have_dec = 0;
    }
    if (rc == 0) rc = fill_run(ctx, &bl, have_dec ? &d : NULL, rows);
    if (have_dec) {
        lm_tok_free(d.tok);
        lm_model_free(&d.m);
    }
    blanks_free(&bl);
    free(text);
    return rc;
}

/* ------------------------------------------------------------------- eval */

typedef struct {
    const char *enc, *dec, *data, *val;
    int batch, seq, val_batches;
    uint64_t seed;
} eval_opts;

static int eval_args(cli_ctx *ctx, int argc, char **argv, eval_opts *o) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},          {"model", required_argument, 0, 'm'},
        {"decoder", required_argument, 0, 'd'}, {"data", required_argument, 0, 'D'},
        {"val", required_argument, 0, 'v'},     {"batch", required_argument, 0, 'b'},
        {"seq", required_argument, 0, 's'},     {"val-batches", required_argument, 0, 'n'},
        {"seed", required_argument, 0, 'S'},    {0, 0, 0, 0}};
    int c, bad = 0;
    cli_getopt_reset();
    while (!bad && (c = getopt_long(argc, argv, "hm:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(eval_usage, ctx->out); return 0;
        case 'm': o->enc = optarg; break;
        case 'd': o->dec = optarg; break;
        case 'D': o->data = optarg; break;
        case 'v': o->val = optarg; break;
        case 'b': bad = cli_parse_int(ctx, "mlm eval", "--batch", optarg, 1, 4096, &o->batch); break;
        case 's': bad = cli_parse_int(ctx, "mlm eval", "--seq", optarg, 2, 65536, &o->seq); break;
        case 'n': bad = cli_parse_int(ctx, "mlm eval", "--val-batches", optarg, 1, 100000, &o->val_batches); break;
        case 'S': bad = cli_parse_u64(ctx, "mlm eval", "--seed", optarg, &o->seed); break;
        default: return cli_bad_option(ctx, "mlm eval", argc, argv, "hm:", longopts);
        }
    }
    if (bad) return 2;
    if (optind < argc) return cli_usage_error(ctx, "mlm eval", "unexpected argument");
    return -1;
}

static void eval_print(cli_ctx *ctx, const eval_opts *o, const lm_objective *obj, const lm_mlm_comparison *c,
                       const char *enc_name, const decoder *d, int32_t top_id) {
    double n = c->blanks > 0 ? (double)c->blanks : 1;
    char top[160] = "the most common token";
    size_t len;
    const uint8_t *b = lm_tok_piece(ctx->tok, top_id, &len);
    if (b) show_piece(b, len, !show_unicode_ok(), top, sizeof top);
    fprintf(ctx->out, "%ld held-out blanks (%d batches of %d x %d; BERT's rule, seed %llu); a blank at a "
                      "window's start is left out\n",
            c->blanks, obj->n_val, o->batch, o->seq, (unsigned long long)o->seed);
    char who[3][LM_PATH_MAX + 48];   /* the rows' names, in one column as wide as the widest */
    snprintf(who[0], sizeof who[0], "encoder %s (both sides)", enc_name);
    snprintf(who[1], sizeof who[1], "decoder %s (left side only)", d->path);
    snprintf(who[2], sizeof who[2], "always %s (the most common token)", top);
    int w = 0;
    for (int i = 0; i < 3; i++) w = text_cols(who[i]) > w ? text_cols(who[i]) : w;
    fprintf(ctx->out, "%*s %9s %11s\n", w, "", "first", "loss/blank");
    double pct[3] = {100.0 * c->enc_correct / n, 100.0 * c->dec_correct / n, 100.0 * c->base_correct / n};
    double loss[2] = {c->enc_nats / n, c->dec_nats / n};
    for (int i = 0; i < 3; i++) {
        fprintf(ctx->out, "%s%*s %8.1f%%", who[i], w - text_cols(who[i]), "", pct[i]);
        if (i < 2) fprintf(ctx->out, " %11.3f", loss[i]);
        fputc('\n', ctx->out);
    }
}

int cmd_mlm_eval(cli_ctx *ctx, int argc, char **argv) {
    eval_opts o = {.dec = MLM_DEFAULT_DECODER, .batch = 16, .seq = 64, .val_batches = 8, .seed = 1234};
    int rc = eval_args(ctx, argc, argv, &o);
    if (rc >= 0) return rc;
    const char *enc_name;
    if (load_encoder(ctx, "mlm eval", o.enc, &enc_name)) return 1;
    if (o.seq > ctx->model.cfg.n_ctx) {
        fprintf(ctx->err, "llmlab mlm eval: --seq %d is longer than the encoder's context %d\n", o.seq,
                ctx->model.cfg.n_ctx);
        return 2;
    }
    char data[LM_PATH_MAX];
    if (!o.data) {
        cli_find_shipped("data/corpus/train.txt", data, sizeof data);
        o.data = data;
    }
    decoder d = {0};
    if (load_decoder(ctx, "mlm eval", o.dec, &d)) return 1;
    lm_err err = {{0}};
    lm_objective *obj = lm_obj_mlm_new(&err);
    lm_data_opts dopt = {.train_path = cli_path_for_read(ctx, "mlm eval", o.data),
                         .val_path = o.val ? cli_path_for_read(ctx, "mlm eval", o.val) : NULL,
                         .B = o.batch, .T = o.seq, .val_batches = o.val_batches, .seed = o.seed};
    rc = !obj || !dopt.train_path || (o.val && !dopt.val_path) ? 1 : 0;
    if (rc == 0 && obj->ops->prepare(obj, ctx->tok, &dopt, &err)) rc = 1;
    if (rc == 0 && obj->n_val == 0) {
        lm_fail(&err, "%s holds too little text to hold out a window of %d tokens", o.data, o.seq + 1);
        rc = 1;
    }
    char tokbuf[32];
    int32_t top = cli_meta_get(obj ? obj->meta : NULL, "baseline_token", tokbuf, sizeof tokbuf) == 0 ? atoi(tokbuf) : -1;
    lm_mlm_comparison c;
    if (rc == 0 && lm_mlm_compare(obj->val, obj->n_val, &ctx->model, &d.m, top, &c, &err)) rc = 1;
    if (rc == 0) eval_print(ctx, &o, obj, &c, enc_name, &d, top);
    else if (err.msg[0]) fprintf(ctx->err, "llmlab mlm eval: %s\n", err.msg);
    lm_objective_free(obj);
    lm_tok_free(d.tok);
    lm_model_free(&d.m);
    return rc;
}
