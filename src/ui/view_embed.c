/* view_embed.c - the token embedding table as a space, for a slide: one
 * token's nearest neighbours by cosine similarity as bars, a 2-D PCA
 * scatter of it and its neighbours (or of a typed list) that fills the rest
 * of the screen, and an analogy line ("A is to B as C is to ?"). Until a
 * token is typed the view follows the prompt's last token. Everything drawn
 * is computed in poll by nn/embedding.h over the view model's wte
 * (models/gpt/embed.h); the space is opened again when the weights change.
 * `v` opens a word2vec model (models/word2vec/w2v.h) in the panel instead:
 * its word vectors W_in, words typed as words; `v` with an empty line goes
 * back to the view model's wte. */
#include "ui/app.h"

#include "models/gpt/embed.h"
#include "models/word2vec/w2v.h"
#include "ui/curses_inc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EMB_KMIN 3
#define EMB_KMAX 40
#define EMB_HIST 32
#define EMB_LIST 40

typedef struct {
    lm_emb_space sp;
    int sp_ok;
    unsigned w_ver, m_ver, p_ver;
    int32_t query;                 /* the token shown */
    int follow;                    /* 1: query = the prompt's last token */
    int32_t hist[EMB_HIST];        /* tokens walked from (Left goes back) */
    int n_hist;
    int k, sel;                    /* neighbours listed; the selected row */
    lm_emb_hits near;
    int32_t ana[3];                /* the analogy's a, b, c; ana[0] < 0: none */
    lm_emb_hits ana_hits;
    int32_t list[EMB_LIST];        /* a typed list for the PCA; n_list == 0: the neighbours */
    int n_list;
    lm_emb_pca pca;
    int ok;
    char err[240];
    int dirty;
    lm_w2v w2v;                    /* a word2vec model opened with v ... */
    int w2v_on;                    /* ... shown instead of the view model's wte */
    char w2v_path[256];
} emb_state;

extern const ui_panel panel_embed;

static void *emb_create(ui_app *a) {
    (void)a;
    emb_state *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->follow = 1;
    t->query = -1;
    t->k = 12;
    t->ana[0] = -1;
    t->dirty = 1;
    return t;
}

static void emb_free(void *st, ui_app *a) {
    (void)a;
    emb_state *t = st;
    if (!t) return;
    lm_emb_close(&t->sp);
    lm_emb_hits_free(&t->near);
    lm_emb_hits_free(&t->ana_hits);
    lm_emb_pca_free(&t->pca);
    lm_w2v_free(&t->w2v);
    free(t);
}

/* item id's printable name: a word of the word2vec model, else a token */
static int name_of(const emb_state *t, const ui_app *a, const ui_canvas *cv, int32_t id, char *out, size_t cap) {
    size_t len;
    const uint8_t *w = t->w2v_on ? lm_w2v_word(&t->w2v, id, &len) : NULL;
    if (w) return draw_bytes(cv, w, len, out, cap);
    return draw_piece(cv, t->w2v_on ? NULL : a->ctx->tok, id, out, cap);
}

/* a word of the word2vec model, or a message naming the closest; 0 ok */
static int resolve_w2v(ui_app *a, const emb_state *t, const char *word, int32_t *id) {
    if ((*id = lm_w2v_find(&t->w2v, word)) >= 0) return 0;
    int32_t near = lm_w2v_suggest(&t->w2v, word);
    size_t len = 0;
    const uint8_t *w = near >= 0 ? lm_w2v_word(&t->w2v, near, &len) : NULL;
    ses_msg(&a->ses, 1, "'%.30s' is not among the %d words%s%.*s%s", word, t->w2v.cfg.vocab, w ? "; did you mean '" : "",
            (int)len, w ? (const char *)w : "", w ? "'?" : "");
    return -1;
}

/* a word to a token id, or a message (naming the pieces of a word that is
 * several tokens) on the status line; 0 ok */
static int resolve(ui_app *a, const char *word, int32_t *id) {
    const emb_state *t = app_panel_state(a, &panel_embed);
    if (t && t->w2v_on) return resolve_w2v(a, t, word, id);
    lm_ids pieces = {0};
    lm_err err = {{0}};
    int rc = lm_embed_word(a->ctx->tok, a->ctx->model.cfg.vocab_size, word, id, &pieces, &err);
    if (rc == 1) {
        char msg[200], p[64];
        int o = snprintf(msg, sizeof msg, "'%.30s' is %zu tokens (", word, pieces.n);
        for (size_t i = 0; i < pieces.n && o < (int)sizeof msg - 40; i++) {
            draw_piece(&a->cv, a->ctx->tok, pieces.ids[i], p, sizeof p);
            o += snprintf(msg + o, sizeof msg - (size_t)o, "%s%s id:%d", i ? ", " : "", p, pieces.ids[i]);
        }
        ses_msg(&a->ses, 1, "%s): one row per token; type id:N or another word", msg);
    } else if (rc < 0) {
        ses_msg(&a->ses, 1, "%s", err.msg);
    }
    lm_ids_free(&pieces);
    return rc == 0 ? 0 : -1;
}

static void compute(emb_state *t) {
    lm_err err = {{0}};
    lm_emb_hits_free(&t->near);
    lm_emb_hits_free(&t->ana_hits);
    lm_emb_pca_free(&t->pca);
    t->ok = 0;
    if (lm_emb_neighbours(&t->sp, t->query, t->k, &t->near, &err)) goto fail;
    if (t->ana[0] >= 0 && lm_emb_analogy(&t->sp, t->ana[0], t->ana[1], t->ana[2], 6, &t->ana_hits, &err))
        goto fail;
    int32_t ids[EMB_KMAX + 1];
    int n = 0;
    if (t->n_list) {
        memcpy(ids, t->list, sizeof(int32_t) * (size_t)t->n_list);
        n = t->n_list;
    } else {
        ids[n++] = t->query;
        for (int i = 0; i < t->near.k; i++) ids[n++] = t->near.id[i];
    }
    if (lm_emb_pca2(&t->sp, ids, n, &t->pca, &err)) goto fail;
    if (t->sel >= t->near.k) t->sel = t->near.k - 1;
    t->ok = 1;
    return;
fail:
    snprintf(t->err, sizeof t->err, "embeddings: %.200s", err.msg);
}

/* the word2vec model's space (its table does not change): opened once */
static int poll_w2v(emb_state *t) {
    if (!t->sp_ok) {
        lm_err err = {{0}};
        t->sp_ok = lm_w2v_space(&t->w2v, &t->sp, &err) == 0;
        if (!t->sp_ok) {
            snprintf(t->err, sizeof t->err, "word2vec: %.200s", err.msg);
            t->ok = 0;
            return UI_POLL_CHANGED;
        }
        static const char *const ana[3] = {"man", "king", "woman"};   /* king - man + woman */
        for (int i = 0; i < 3; i++) t->ana[i] = lm_w2v_find(&t->w2v, ana[i]);
        if (t->ana[1] < 0 || t->ana[2] < 0) t->ana[0] = -1;
        t->query = t->ana[1] >= 0 ? t->ana[1] : 0;
        t->follow = 0; t->n_hist = 0; t->n_list = 0; t->sel = 0;
        t->dirty = 1;
    }
    if (!t->dirty) return 0;
    t->dirty = 0;
    compute(t);
    return UI_POLL_CHANGED;
}

static int emb_poll(void *st, ui_app *a, int active) {
    emb_state *t = st;
    if (!active) return 0;
    if (t->w2v_on) return poll_w2v(t);
    ui_session *s = &a->ses;
    if (!ses_model_ok(s)) {
        snprintf(t->err, sizeof t->err, "no model loaded (:load MODEL)");
        t->ok = 0;
        return 0;
    }
    lm_err err = {{0}};
    if (s->model_ver != t->m_ver || !t->sp_ok) {   /* another model: start over */
        t->follow = 1; t->n_hist = 0; t->n_list = 0; t->sel = 0;
        static const char *const ana[3] = {"man", "men", "woman"};   /* a default that reads well */
        t->ana[0] = -1;
        for (int i = 0; i < 3; i++) {
            lm_ids p = {0};
            int32_t id;
            if (lm_embed_word(a->ctx->tok, a->ctx->model.cfg.vocab_size, ana[i], &id, &p, NULL) == 0) t->ana[i] = id;
            else t->ana[0] = -2;
            lm_ids_free(&p);
        }
        if (t->ana[0] == -2) t->ana[0] = -1;
    }
    if (s->model_ver != t->m_ver || s->weights_ver != t->w_ver || !t->sp_ok) {
        lm_emb_close(&t->sp);
        t->sp_ok = lm_gpt_embed_space(&a->ctx->model, a->ctx->tok, &t->sp, &err) == 0;
        t->m_ver = s->model_ver;
        t->w_ver = s->weights_ver;
        t->dirty = 1;
        if (!t->sp_ok) {
            snprintf(t->err, sizeof t->err, "embeddings: %.200s", err.msg);
            t->ok = 0;
            return UI_POLL_CHANGED;
        }
    }
    if (t->follow && s->seq.n > 0 && (s->prompt_ver != t->p_ver || t->query != s->seq.ids[s->seq.n - 1])) {
        t->p_ver = s->prompt_ver;
        t->query = s->seq.ids[s->seq.n - 1];
        t->dirty = 1;
    }
    if (t->query < 0 || t->query >= t->sp.V) {
        snprintf(t->err, sizeof t->err, "no token: type one with w, or a prompt with e");
        t->ok = 0;
        return 0;
    }
    if (!t->dirty) return 0;
    t->dirty = 0;
    compute(t);
    return UI_POLL_CHANGED;
}

/* ------------------------------------------------------------ drawing */

static int cols_of(const char *s) { return draw_width(s); }

/* the neighbours as bars; returns rows used */
static int draw_near(const emb_state *t, const ui_app *a, ui_canvas *cv, int y, int x, int w, int h) {
    char piece[128];
    draw_textf(cv, y, x, w, C_DIM, "%d nearest by cosine similarity:", t->near.k);
    int bw = w - 27;
    if (bw > 40) bw = 40;
    int rows = t->near.k < h - 1 ? t->near.k : h - 1;
    int first = t->sel >= rows ? t->sel - rows + 1 : 0;   /* keep the selection in view */
    for (int r = 0; r < rows; r++) {
        int i = first + r, ry = y + 1 + r;
        int32_t id = t->near.id[i];
        float sim = t->near.sim[i];
        name_of(t, a, cv, id, piece, sizeof piece);
        draw_textf(cv, ry, x, 3, C_DIM, "%2d", i + 1);
        int pw = draw_text(cv, ry, x + 3, 13, i == t->sel ? C_PICK : C_TOK0 + i % 8, piece);
        draw_add_hit(cv, ry, x + 3, pw > 0 ? pw : 1, HIT_TOKEN, id, 0);
        draw_textf(cv, ry, x + 17, 8, C_NORMAL, "%7.4f", sim);
        if (bw > 2) draw_bar(cv, ry, x + 26, bw, sim > 0 ? sim : 0, C_BAR);
    }
    return rows + 1;
}

/* the PCA scatter in the box [y, y+h) x [x, x+w): marks, then labels where they fit */
static void draw_scatter(const emb_state *t, const ui_app *a, ui_canvas *cv, int y, int x, int w, int h) {
    const lm_emb_pca *p = &t->pca;
    char head[160], piece[128];
    snprintf(head, sizeof head, "PCA of %s: PC1 (across) %.1f%% of the variance, PC2 (up) %.1f%%",
             t->n_list ? "your list" : "it and its neighbours", 100 * p->var[0], 100 * p->var[1]);
    draw_text_fit(cv, y, x, w, C_DIM, head, "PCA (PC1 across, PC2 up)");
    int gx = x + 1, gy = y + 1, gw = w - 2, gh = h - 1;
    if (gw < 8 || gh < 3 || p->n < 2) return;
    for (int r = 0; r < gh; r++) draw_text(cv, gy + r, x, 1, C_DIM, cv->ascii ? "|" : "\xe2\x94\x82");
    uint8_t *busy = calloc((size_t)gw * gh, 1);
    int *cx = malloc(sizeof(int) * (size_t)p->n), *cy = malloc(sizeof(int) * (size_t)p->n);
    if (!busy || !cx || !cy) { free(busy); free(cx); free(cy); return; }
    float lo[2] = {p->xy[0], p->xy[1]}, hi[2] = {p->xy[0], p->xy[1]};
    for (int i = 1; i < p->n; i++)
        for (int k = 0; k < 2; k++) {
            float v = p->xy[i * 2 + k];
            if (v < lo[k]) lo[k] = v;
            if (v > hi[k]) hi[k] = v;
        }
    int xw = gw - 10 > 2 ? gw - 10 : gw;   /* room for labels right of the rightmost mark */
    for (int i = 0; i < p->n; i++) {
        double fx = hi[0] > lo[0] ? (p->xy[i * 2] - lo[0]) / (hi[0] - lo[0]) : 0.5;
        double fy = hi[1] > lo[1] ? (p->xy[i * 2 + 1] - lo[1]) / (hi[1] - lo[1]) : 0.5;
        cx[i] = (int)lround(fx * (xw - 1));
        cy[i] = (int)lround((1 - fy) * (gh - 1));
        int q = p->id[i] == t->query && !t->n_list;
        draw_text(cv, gy + cy[i], gx + cx[i], 1, q ? C_PICK : C_BAR, cv->ascii ? "*" : "\xe2\x80\xa2");
        busy[cy[i] * gw + cx[i]] = 1;
    }
    for (int i = 0; i < p->n; i++) {   /* in rank order: the query, then the nearest first */
        name_of(t, a, cv, p->id[i], piece, sizeof piece);
        int pw = cols_of(piece);
        if (pw > 12) pw = 12;
        int lx = -1;
        for (int side = 0; side < 2 && lx < 0; side++) {
            int x0 = side == 0 ? cx[i] + 1 : cx[i] - pw, ok = x0 >= 0 && x0 + pw <= gw;
            for (int k = 0; ok && k < pw; k++) ok = !busy[cy[i] * gw + x0 + k];
            if (ok) lx = x0;
        }
        if (lx < 0) continue;   /* no room: the mark stays, the list has the name */
        for (int k = 0; k < pw; k++) busy[cy[i] * gw + lx + k] = 1;
        int q = p->id[i] == t->query && !t->n_list;
        draw_text(cv, gy + cy[i], gx + lx, pw, q ? C_PICK : C_NORMAL, piece);
        draw_add_hit(cv, gy + cy[i], gx + lx, pw, HIT_TOKEN, p->id[i], 0);
    }
    free(busy); free(cx); free(cy);
}

static void draw_analogy(const emb_state *t, const ui_app *a, ui_canvas *cv, int y) {
    int W = cv->cols;
    char p[3][128], piece[128];
    if (t->ana[0] < 0) {
        draw_text(cv, y, 1, W - 2, C_DIM, "analogy: press a and type A B C (A is to B as C is to ?)");
        return;
    }
    for (int i = 0; i < 3; i++) name_of(t, a, cv, t->ana[i], p[i], sizeof p[i]);
    int x = 1 + draw_textf(cv, y, 1, W - 2, C_DIM, "analogy: %s is to %s as %s is to ?", p[0], p[1], p[2]);
    for (int i = 0; i < t->ana_hits.k && x < W - 16; i++) {
        name_of(t, a, cv, t->ana_hits.id[i], piece, sizeof piece);
        x += 2;
        int pw = draw_text(cv, y, x, 14, i == 0 ? C_PICK : C_TOK0 + i % 8, piece);
        draw_add_hit(cv, y, x, pw, HIT_TOKEN, t->ana_hits.id[i], 0);
        x += pw;
        x += draw_textf(cv, y, x, W - x, C_NORMAL, " %.4f", t->ana_hits.sim[i]);
    }
    draw_text_fit(cv, y + 1, 1, W - 2, C_DIM,
                  t->w2v_on ? "  (the words nearest to the vector B - A + C, unit vectors; A, B and C left out)"
                            : "  (the tokens nearest to the vector B - A + C, unit vectors; A, B and C left out)",
                  "");
}

static void emb_draw(const void *st, const ui_app *a, ui_canvas *cv, int y, int h) {
    const emb_state *t = st;
    int W = cv->cols;
    if (!t->ok) {
        draw_text(cv, y + 1, 2, W - 4, C_ERR, t->err);
        return;
    }
    char piece[128];
    name_of(t, a, cv, t->query, piece, sizeof piece);
    int x = 1 + draw_text(cv, y, 1, W - 2, C_TITLE, " embeddings ");
    x += 1 + draw_text(cv, y, x + 1, W - x, C_PICK, piece);
    x += draw_textf(cv, y, x + 1, W - x, C_NORMAL, " id %d%s ", t->query, t->follow ? " (the prompt's last token)" : "");
    draw_text_fit(cv, y, x + 1, W - x - 1, C_KEY,
                  " w: a token  Up/Down Enter: walk  Left: back  a: analogy  l: PCA list  +/-: more/fewer  v: word2vec",
                  " w a l v +/- Enter");
    char full[160], brief[80];
    if (t->w2v_on) {
        snprintf(full, sizeof full, "word2vec W_in [%d x %d]: one row of %d numbers per word, from %.60s (v: back to wte)",
                 t->sp.V, t->sp.C, t->sp.C, t->w2v_path);
        snprintf(brief, sizeof brief, "word2vec W_in [%d x %d]: one row per word", t->sp.V, t->sp.C);
    } else {
        snprintf(full, sizeof full, "wte [%d x %d]: one row of %d numbers per token (the same table is the output head)",
                 t->sp.V, t->sp.C, t->sp.C);
        snprintf(brief, sizeof brief, "wte [%d x %d]: one row per token", t->sp.V, t->sp.C);
    }
    draw_text_fit(cv, y + 1, 1, W - 2, C_DIM, full, brief);
    int body = h - 5;   /* the analogy's two rows at the bottom */
    if (body < 3) body = h - 2;
    if (W >= 90) {   /* side by side: bars left, the scatter right */
        int lw = W / 2 < 64 ? W / 2 : 64;
        draw_near(t, a, cv, y + 3, 1, lw - 2, body);
        draw_scatter(t, a, cv, y + 3, lw + 1, W - lw - 2, body);
    } else {
        int used = draw_near(t, a, cv, y + 3, 1, W - 2, body / 2 > 4 ? body / 2 : body);
        if (body - used > 4) draw_scatter(t, a, cv, y + 3 + used, 1, W - 2, body - used);
    }
    if (h >= 8) draw_analogy(t, a, cv, y + h - 2);
}

/* ------------------------------------------------------------ keys */

static void go_to(emb_state *t, int32_t id) {
    if (id == t->query && !t->follow) return;
    if (t->n_hist == EMB_HIST) memmove(t->hist, t->hist + 1, sizeof(int32_t) * (EMB_HIST - 1)), t->n_hist--;
    t->hist[t->n_hist++] = t->query;
    t->query = id;
    t->follow = 0;
    t->sel = 0;
    t->dirty = 1;
}

static void token_done(ui_app *a, const char *line) {
    emb_state *t = app_panel_state(a, &panel_embed);
    int32_t id;
    if (!t || !line[0]) return;
    if (resolve(a, line, &id) == 0) go_to(t, id);
}

static void analogy_done(ui_app *a, const char *line) {
    emb_state *t = app_panel_state(a, &panel_embed);
    if (!t || !line[0]) return;
    char buf[256], *w[4] = {0}, *save = NULL;
    snprintf(buf, sizeof buf, "%s", line);
    int n = 0;
    for (char *s = strtok_r(buf, " ,", &save); s && n < 4; s = strtok_r(NULL, " ,", &save)) w[n++] = s;
    if (n != 3) { ses_msg(&a->ses, 1, "an analogy is three words: A B C (A is to B as C is to ?)"); return; }
    int32_t id[3];
    for (int i = 0; i < 3; i++)
        if (resolve(a, w[i], &id[i])) return;
    memcpy(t->ana, id, sizeof id);
    t->dirty = 1;
}

static void list_done(ui_app *a, const char *line) {
    emb_state *t = app_panel_state(a, &panel_embed);
    if (!t) return;
    char buf[1024], *save = NULL;
    snprintf(buf, sizeof buf, "%s", line);
    int32_t ids[EMB_LIST];
    int n = 0;
    for (char *s = strtok_r(buf, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
        while (*s == ' ') s++;   /* "he, she": the word after the comma (its own rule adds the space) */
        if (!*s) continue;
        if (n == EMB_LIST) { ses_msg(&a->ses, 1, "at most %d tokens in the list", EMB_LIST); return; }
        if (resolve(a, s, &ids[n])) return;
        n++;
    }
    if (n == 1) { ses_msg(&a->ses, 1, "a PCA needs two tokens or more"); return; }
    memcpy(t->list, ids, sizeof(int32_t) * (size_t)n);
    t->n_list = n;   /* 0: back to the neighbours */
    t->dirty = 1;
}

/* v: a word2vec model in the panel, or (empty line) back to the view model's wte */
static void w2v_done(ui_app *a, const char *line) {
    emb_state *t = app_panel_state(a, &panel_embed);
    if (!t) return;
    lm_w2v m;
    lm_err err = {{0}};
    if (line[0] && lm_w2v_load(&m, NULL, line, &err)) { ses_msg(&a->ses, 1, "%s", err.msg); return; }
    lm_w2v_free(&t->w2v);
    lm_emb_close(&t->sp);
    t->sp_ok = 0;
    t->w2v_on = line[0] != 0;
    if (t->w2v_on) {
        t->w2v = m;
        snprintf(t->w2v_path, sizeof t->w2v_path, "%s", line);
        ses_msg(&a->ses, 0, "word2vec: %d words x %d numbers from %.100s", m.cfg.vocab, m.cfg.dim, line);
    }
}

static int act_type(ui_app *a, void *st, int k) {
    (void)st;
    if (k == 'v') {
        char path[LM_PATH_MAX];
        cli_find_shipped("models/word2vec.llm", path, sizeof path);
        cmd_open(a, "word2vec model (empty: the view model's wte): ", path, w2v_done);
        return 1;
    }
    if (k == 'w') cmd_open(a, "token (a word, or id:N): ", "", token_done);
    else if (k == 'a') cmd_open(a, "analogy A B C (A is to B as C is to ?): ", "", analogy_done);
    else cmd_open(a, "PCA of (words, comma-separated; empty: the neighbours): ", "", list_done);
    return 1;
}

static int act_k(ui_app *a, void *st, int k) {
    (void)a;
    emb_state *t = st;
    int nk = t->k + (k == '+' ? 4 : -4);
    t->k = nk < EMB_KMIN ? EMB_KMIN : nk > EMB_KMAX ? EMB_KMAX : nk;
    t->dirty = 1;
    return 1;
}

static int act_sel(ui_app *a, void *st, int k) {
    (void)a;
    emb_state *t = st;
    if (!t->ok || t->near.k == 0) return 0;
    if (k == KEY_UP) t->sel = t->sel > 0 ? t->sel - 1 : 0;
    else t->sel = t->sel + 1 < t->near.k ? t->sel + 1 : t->near.k - 1;
    return 1;
}

static int act_walk(ui_app *a, void *st, int k) {
    (void)a; (void)k;
    emb_state *t = st;
    if (!t->ok || t->sel >= t->near.k) return 0;
    go_to(t, t->near.id[t->sel]);
    return 1;
}

static int act_back(ui_app *a, void *st, int k) {
    (void)a;
    emb_state *t = st;
    if (k == 'f' && t->w2v_on) { ses_msg(&a->ses, 1, "a word2vec table has no prompt to follow (v: back to wte)"); return 1; }
    if (k == 'f') { t->follow = 1; t->n_hist = 0; t->dirty = 1; return 1; }
    if (t->n_hist == 0) return 1;
    t->query = t->hist[--t->n_hist];
    t->follow = 0;
    t->sel = 0;
    t->dirty = 1;
    return 1;
}

static const ui_binding emb_keys[] = {
    {'w', 0, act_type, "type a token: a word (·word, after a space) or id:N"},
    {'a', 0, act_type, "type an analogy A B C: A is to B as C is to ?"},
    {'l', 0, act_type, "type a list of tokens for the PCA (empty: the neighbours)"},
    {'v', 0, act_type, "open a word2vec model's word vectors here (empty: back to the model's wte)"},
    {'+', 0, act_k, "more / fewer neighbours"},
    {'-', 0, act_k, "more / fewer neighbours"},
    {KEY_UP, 0, act_sel, "select a neighbour"},
    {KEY_DOWN, 0, act_sel, "select a neighbour"},
    {'\r', 0, act_walk, "walk to the selected neighbour"},
    {KEY_RIGHT, 0, act_walk, "walk to the selected neighbour"},
    {KEY_LEFT, 0, act_back, "back to the token before"},
    {'f', 0, act_back, "follow the prompt's last token again"},
    {0, 0, NULL, NULL},
};

/* a click on a neighbour, a label of the scatter or an analogy answer walks there */
static void emb_click(void *st, ui_app *a, const ui_hit *h) {
    (void)a;
    emb_state *t = st;
    if (h->kind == HIT_TOKEN && t->sp_ok && h->a >= 0 && h->a < t->sp.V) go_to(t, h->a);
}

const ui_panel panel_embed = {
    .name = "Embeddings", .tab = "Embed", .keys = emb_keys,
    .create = emb_create, .poll = emb_poll, .draw = emb_draw, .click = emb_click, .free = emb_free,
};
