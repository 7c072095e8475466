/* view_train.c - pretraining or SFT live on a working copy of the loaded
 * model (worker.h): the loss curve (train and validation), tokens/s, learning
 * rate, gradient norm, a sample every few steps; start, pause, single step,
 * stop, save as. The records come from the worker's queue; the view model
 * (ctx->model) takes the worker's parameter snapshots, so the other views
 * show the model as it changes.
 *
 * From scratch (f picks a size, b the tokeniser): s makes a FRESH random
 * model of that size (lm_model_init, seeded from ctx->seed) with the loaded
 * model's tokeniser or bytes, and it becomes the view model (every panel
 * shows it; the file's model waits aside) while it trains; the loss curve
 * starts near ln V (a uniform guess over V ids) and a dashed line marks ln V.
 * R puts the file's model back. The view model's label (ses_model_label)
 * follows every start, snapshot and save. */
#include "ui/view_train.h"

#include "ui/curses_inc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/modelfile.h"

#define SNAP_EVERY_MS 200.0
#define LR_FINETUNE 2e-4f   /* gentle enough not to wreck a trained model in the first steps */
#define LR_SCRATCH 2e-3f    /* a fresh small model learns fast at this rate */

/* the sizes of a fresh model (f cycles; 0 = train the loaded model) */
const train_size train_sizes[] = {
    {"loaded model", 0, 0, 0, 0},
    {"tiny", 2, 64, 2, 64},
    {"small", 4, 128, 4, 128},
};
const int train_n_sizes = (int)(sizeof train_sizes / sizeof train_sizes[0]);

extern const ui_panel panel_train;

static void save_done(ui_app *a, const char *line);

/* the view model's label: the steps it holds, and a save makes it that file */
static void update_lineage(train_state *t, ui_app *a) {
    if (t->own) return;   /* a model of its own: the view model is untouched */
    uw_info in;
    uw_get_info(t->w, &in);
    if (in.saves != t->saves_seen) {
        t->saves_seen = in.saves;
        ses_lineage_saved(&a->ses, in.saved_path);
        t->seg_base = in.saved_step;
    }
    int k = in.snap_step - t->seg_base;
    ses_lineage_steps(&a->ses, k > 0 ? k : 0);
}

static int drain_worker(train_state *t, ui_app *a) {
    if (!t->w) return 0;
    int changed = 0;
    uw_record buf[256];
    int n;
    while ((n = uw_poll(t->w, buf, 256)) > 0) {
        if (t->n_rec + (size_t)n > t->cap_rec) {
            size_t nc = t->cap_rec ? t->cap_rec * 2 : 1024;
            while (nc < t->n_rec + (size_t)n) nc *= 2;
            uw_record *p = realloc(t->rec, nc * sizeof *p);
            if (!p) break;
            t->rec = p;
            t->cap_rec = nc;
        }
        memcpy(t->rec + t->n_rec, buf, sizeof(uw_record) * (size_t)n);
        t->n_rec += (size_t)n;
        changed = 1;
        if (n < 256) break;
    }
    /* state, messages and samples change without a record: compare what was drawn */
    uw_info in;
    uw_get_info(t->w, &in);
    unsigned sig = (unsigned)in.state * 2654435761u ^ (unsigned)in.sample_step * 40503u;
    for (const char *p = in.message; *p; p++) sig = sig * 31u + (unsigned char)*p;
    for (const char *p = in.data_desc; *p; p++) sig = sig * 31u + (unsigned char)*p;
    if (sig != t->info_sig) { t->info_sig = sig; changed = 1; }
    t->info = in;
    if (in.save_fails != t->save_fails) {   /* nothing was written: ask for another path */
        t->save_fails = in.save_fails;
        if (!a->cmd.active) cmd_open(a, "not saved; save as: ", t->save_path ? t->save_path : "", save_done);
    }
    double now = app_now_ms();
    if (now - t->snap_applied_at >= SNAP_EVERY_MS && uw_snapshot(t->w, &a->ctx->model, &t->snap_seen)) {
        t->snap_applied_at = now;
        ses_weights_published(&a->ses);
        changed = 1;
    }
    update_lineage(t, a);
    return changed;
}

/* the file's model back as the view model (a fresh one is dropped) */
static void put_back_file_model(train_state *t, ui_app *a) {
    if (!t->swapped) return;
    cli_ctx *c = a->ctx;
    lm_model_free(&c->model);
    if (c->tok) lm_tok_free(c->tok);
    c->model = t->orig;
    c->tok = t->orig_tok;
    memset(&t->orig, 0, sizeof t->orig);
    t->orig_tok = NULL;
    t->swapped = 0;
    ses_model_changed(&a->ses);
    t->model_ver = a->ses.model_ver;   /* our own change: no reason to stop anything */
}

/* a fresh random model of train_sizes[t->size] becomes the view model */
static int make_fresh(train_state *t, ui_app *a) {
    cli_ctx *c = a->ctx;
    const lm_model *src = t->swapped ? &t->orig : &c->model;   /* the tokeniser of the loaded file */
    lm_err err = {{0}};
    int bytes = t->bytes_tok || src->tokenizer_len == 0;
    lm_tokenizer *tok = bytes ? lm_tok_byte_new() : lm_tok_deserialize(src->tokenizer_blob, src->tokenizer_len, &err);
    if (!tok) { ses_msg(&a->ses, 1, "fresh model: %s", err.msg[0] ? err.msg : "out of memory"); return -1; }
    int wd = train_sizes[t->size].width;
    lm_config cfg = {.n_layer = train_sizes[t->size].layers, .n_head = train_sizes[t->size].heads, .d_model = wd,
                     .d_mlp = 4 * wd, .n_ctx = train_sizes[t->size].ctx, .vocab_size = lm_tok_vocab_size(tok),
                     .pos = LM_POS_LEARNED, .act = LM_ACT_GELU};
    lm_model m;
    if (lm_config_check(&cfg, &err) || lm_model_init(&m, &cfg, c->seed, &err)) {
        ses_msg(&a->ses, 1, "fresh model: %s", err.msg);
        lm_tok_free(tok);
        return -1;
    }
    if (!bytes) {
        m.tokenizer_blob = malloc(src->tokenizer_len);
        if (!m.tokenizer_blob) { lm_model_free(&m); lm_tok_free(tok); ses_msg(&a->ses, 1, "out of memory"); return -1; }
        memcpy(m.tokenizer_blob, src->tokenizer_blob, src->tokenizer_len);
        m.tokenizer_len = src->tokenizer_len;
    }
    if (!t->swapped) {
        t->orig = c->model;
        t->orig_tok = c->tok;
        t->swapped = 1;
    } else {
        lm_model_free(&c->model);
        if (c->tok) lm_tok_free(c->tok);
    }
    c->model = m;
    c->tok = tok;
    t->fresh_size = t->size;
    t->fresh_bytes = t->bytes_tok;
    t->ln_v = logf((float)cfg.vocab_size);
    ses_model_changed(&a->ses);
    t->model_ver = a->ses.model_ver;
    char desc[64];
    snprintf(desc, sizeof desc, "fresh %dx%d model", cfg.n_layer, cfg.d_model);
    ses_lineage_fresh(&a->ses, desc);
    return 0;
}

static int start_worker(train_state *t, ui_app *a, int run) {
    if (t->w) return 0;
    if (!ses_model_ok(&a->ses)) { ses_msg(&a->ses, 1, "no model loaded"); return -1; }
    /* from scratch: a new fresh model unless the view model already is one of this size */
    if (t->size > 0 && !(t->swapped && t->fresh_size == t->size && t->fresh_bytes == t->bytes_tok))
        if (make_fresh(t, a)) return -1;
    const lm_model *m = &a->ctx->model;
    size_t np = a->ses.n_prompt, room = m->cfg.n_ctx > 48 ? (size_t)m->cfg.n_ctx - 40 : (size_t)m->cfg.n_ctx / 2;
    const int32_t *pp = a->ses.seq.ids;
    t->sample_of = np;   /* room for the sample: its draw says how much of the prompt it follows */
    t->sample_kept = np > room ? room : np;
    if (np > room) { pp += np - room; np = room; }
    uw_opts o = {.objective = lm_objective_name(t->objective), .data_path = NULL, .B = 4, .T = m->cfg.n_ctx < 64 ? m->cfg.n_ctx : 64,
                 .max_lr = t->max_lr, .total_steps = 2000, .val_every = 20, .sample_every = 50,
                 .sample_prompt = pp, .n_sample_prompt = np, .seed = a->ctx->seed};
    lm_err err = {{0}};
    t->w = uw_start(m, &o, &err);
    if (!t->w) { ses_msg(&a->ses, 1, "cannot start training: %s", err.msg); return -1; }
    t->n_rec = 0;
    t->save_fails = 0;
    t->snap_seen = 0;
    t->saves_seen = 0;
    t->seg_base = 0;
    /* an objective with a model of its own (an RNN, ...) leaves the view model as it is */
    if (!t->own) {
        ses_lineage_begin(&a->ses, lm_objective_name(t->objective));
        a->ses.training = 1;
    }
    if (run) uw_run(t->w, 1);
    return 0;
}

static int view_train_save(train_state *t, ui_app *a, const char *path) {
    if (!t->w) { ses_msg(&a->ses, 1, "nothing to save: start training first"); return -1; }
    if (strcmp(path, a->ctx->model_path) == 0 || strcmp(path, a->inst_path) == 0) {
        ses_msg(&a->ses, 1, "not saved: %s is a loaded model file (save as a new file)", path);
        return -1;
    }
    char *copy = strdup(path);
    if (copy) { free(t->save_path); t->save_path = copy; }
    uw_save(t->w, path);
    ses_msg(&a->ses, 0, "saving %s", path);
    return 0;
}

static void revert(train_state *t, ui_app *a) {
    put_back_file_model(t, a);   /* a fresh view model gives way to the file's */
    lm_model m;
    lm_err err = {{0}};
    if (lm_load(&m, NULL, a->ctx->model_path, &err)) { ses_msg(&a->ses, 1, "revert: %s", err.msg); return; }
    if (m.n_params == a->ctx->model.n_params) {
        memcpy(a->ctx->model.params, m.params, sizeof(float) * m.n_params);
        ses_lineage_reset(&a->ses);
        ses_inputs_changed(&a->ses);
        ses_msg(&a->ses, 0, "view model reverted to %s", a->ctx->model_path);
    }
    lm_model_free(&m);
}

/* ------------------------------------------------------------ keys */

static int act_run(ui_app *a, void *st, int k) {
    train_state *t = st;
    (void)k;
    uw_info in;
    if (!t->w) { if (start_worker(t, a, 1) == 0) ses_msg(&a->ses, 0, "training started"); return 1; }
    uw_get_info(t->w, &in);
    uw_run(t->w, in.state != UW_RUNNING);
    ses_msg(&a->ses, 0, in.state == UW_RUNNING ? "paused" : "running");
    return 1;
}

static int act_step(ui_app *a, void *st, int k) {
    train_state *t = st;
    (void)k;
    if (!t->w && start_worker(t, a, 0)) return 1;
    uw_step(t->w);
    return 1;
}

static int act_stop(ui_app *a, void *st, int k) {
    train_state *t = st;
    (void)k;
    if (t->w) {
        uw_stop(t->w);   /* after its current step, with its last weights published */
        drain_worker(t, a);
        t->snap_applied_at = 0;
        uw_snapshot(t->w, &a->ctx->model, &t->snap_seen);
        update_lineage(t, a);
        uw_free(t->w);
        t->w = NULL;
        a->ses.training = 0;
        ses_inputs_changed(&a->ses);
        ses_msg(&a->ses, 0, t->own ? "training stopped; s saves the trained model (the view model is unchanged)"
                                   : "training stopped; the view model keeps the trained weights (R reverts)");
    }
    return 1;
}

static int act_mode(ui_app *a, void *st, int k) {
    train_state *t = st;
    (void)k;
    if (t->w) { ses_msg(&a->ses, 1, "stop training (x) before changing the mode"); return 1; }
    t->objective = (t->objective + 1) % lm_objective_count();   /* the objective table */
    t->own = lm_objective_owns_model(lm_objective_name(t->objective));
    return 1;
}

static int act_lr(ui_app *a, void *st, int k) {
    train_state *t = st;
    (void)a;
    if (k == '-') t->max_lr /= 2;
    else t->max_lr *= 2;
    if (t->w) uw_set_lr(t->w, t->max_lr);
    return 1;
}

static int act_size(ui_app *a, void *st, int k) {
    train_state *t = st;
    (void)k;
    if (t->w) { ses_msg(&a->ses, 1, "stop training (x) before choosing another model"); return 1; }
    t->size = (t->size + 1) % train_n_sizes;
    t->max_lr = t->size ? LR_SCRATCH : LR_FINETUNE;
    if (t->size) ses_msg(&a->ses, 0, "s starts a fresh %s model from scratch (R goes back to the file)", train_sizes[t->size].name);
    else ses_msg(&a->ses, 0, "s continues training the view model");
    return 1;
}

static int act_tok(ui_app *a, void *st, int k) {
    train_state *t = st;
    (void)k;
    if (t->w) { ses_msg(&a->ses, 1, "stop training (x) before choosing another tokeniser"); return 1; }
    t->bytes_tok = !t->bytes_tok;
    ses_msg(&a->ses, 0, "a fresh model reads %s", t->bytes_tok ? "bytes (256 ids)" : "with the loaded file's tokeniser");
    return 1;
}

static void save_done(ui_app *a, const char *line) {
    while (*line == ' ') line++;
    if (*line) view_train_save(app_panel_state(a, &panel_train), a, line);
}

/* asks for the path on the ':' line, with a new file next to the model as the default */
static int act_save(ui_app *a, void *st, int k) {
    train_state *t = st;
    (void)k;
    uw_info in;
    if (!t->w) { ses_msg(&a->ses, 1, "nothing to save: start training first"); return 1; }
    uw_get_info(t->w, &in);
    const char *mp = a->ctx->model_path, *slash = strrchr(mp, '/');
    int dl = slash ? (int)(slash - mp) : 1;
    size_t cap = (size_t)dl + 48;
    char *path = malloc(cap);   /* the model's whole folder, never cut */
    if (!path) { ses_msg(&a->ses, 1, "out of memory"); return 1; }
    snprintf(path, cap, "%.*s/trained-step%d.llm", dl, slash ? mp : ".", in.step);
    cmd_open(a, "save as: ", strlen(path) < sizeof a->cmd.buf ? path : "", save_done);
    free(path);
    return 1;
}

static int act_revert(ui_app *a, void *st, int k) {
    train_state *t = st;
    (void)k;
    if (t->w) { ses_msg(&a->ses, 1, "stop training (x) before reverting"); return 1; }
    revert(t, a);
    return 1;
}

static const ui_binding train_keys[] = {
    {'s', 0, act_run, "start (on a working copy) / pause / resume"},
    {' ', 0, act_run, "start (on a working copy) / pause / resume"},
    {'.', 0, act_step, "one training step"},
    {'x', 0, act_stop, "stop training (the view model keeps the weights)"},
    {'w', 0, act_save, "save the trained copy as a NEW file"},
    {'m', 0, act_mode, "next objective (pretraining, SFT, ...)"},
    {'+', 0, act_lr, "learning rate x2 / /2"},
    {'=', 0, act_lr, "learning rate x2 / /2"},
    {'-', 0, act_lr, "learning rate x2 / /2"},
    {'f', 0, act_size, "from scratch: a fresh model (loaded / tiny 2x64 / small 4x128)"},
    {'b', 0, act_tok, "a fresh model's tokeniser: the file's or bytes"},
    {'R', 0, act_revert, "revert the view model to its file"},
    {0, 0, NULL, NULL},
};

static void stop_training(train_state *t, ui_app *a) {
    if (t->w) uw_free(t->w);
    t->w = NULL;
    a->ses.training = 0;
    free(t->rec);
    t->rec = NULL;
    t->n_rec = t->cap_rec = 0;
}

static void *train_create(ui_app *a) {
    train_state *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->max_lr = LR_FINETUNE;
    t->model_ver = a->ses.model_ver;
    return t;
}

/* the worker's queue is drained whichever panel is shown; another model
 * loaded (':load') ends the training of the old one */
static int train_poll(void *st, ui_app *a, int active) {
    train_state *t = st;
    (void)active;
    if (t->model_ver != a->ses.model_ver) {
        t->model_ver = a->ses.model_ver;
        stop_training(t, a);
        if (t->swapped) {   /* another model replaced the fresh one: the file's is not needed */
            lm_model_free(&t->orig);
            if (t->orig_tok) lm_tok_free(t->orig_tok);
            t->orig_tok = NULL;
            t->swapped = 0;
        }
    }
    return drain_worker(t, a) ? UI_POLL_CHANGED : 0;
}

static void train_free(void *st, ui_app *a) {
    train_state *t = st;
    stop_training(t, a);
    if (t->swapped) {
        lm_model_free(&t->orig);
        if (t->orig_tok) lm_tok_free(t->orig_tok);
    }
    free(t->save_path);
    free(t);
}

const ui_panel panel_train = {
    .name = "Train", .tab = "Train", .keys = train_keys,
    .create = train_create, .poll = train_poll, .draw = train_draw, .free = train_free,
};
