/* objective.h - an objective: one way of changing the weights (pretraining,
 * SFT, and later RL, DPO, ...), driven the same way by every front end
 * (the CLI's `train`/`sft` loop in cli/trainloop.c, the TUI's worker thread
 * in ui/worker.c).
 *
 * Contract
 * - An objective is a table of operations (lm_objective_ops) over its own
 *   state, plus the parts every front end reads (lm_objective). A front end
 *   calls, in order:
 *     prepare      once: load the data, split off the held-out part, build
 *                  the fixed validation batches and the training batch;
 *     next_batch   before every step (step = the 0-based step about to run);
 *     step         one update of the weights; fills the step's figures;
 *     validate     whenever the front end wants; adds held-out figures
 *                  ("val_loss", ...) and never changes the weights.
 * - Figures are a short list of (name, value) pairs: "loss", "grad_norm",
 *   "lr", "tok/s" from a step, "val_loss" from validate; a later objective
 *   adds "reward", "kl", "accuracy", ... with no new field anywhere. Front
 *   ends print and plot figures by name. Names are string literals (static
 *   storage): a figure list can be copied and queued freely.
 * - THE hold-out rule (data/holdout.h): a validation file when one is given,
 *   otherwise the last 5% of the training data (at least one unit). Why 5%:
 *   it is what `llmlab train`/`sft` always did and what the shipped models'
 *   metadata records; a tenth costs a small corpus too much training text.
 * - THE warm-up rule (lm_warmup_steps in train.h): linear warm-up over
 *   min(100, total/10) steps, then cosine decay to min_lr. Why: warm-up lets
 *   AdamW's moment estimates settle before full-size steps; a tenth of a short
 *   run is enough for that, and 100 steps is enough for any run (beta2 = 0.95
 *   forgets in about 20 steps), so a long run does not waste its first
 *   hundreds of steps on tiny learning rates. total/50 (the TUI's old rule)
 *   gave 2-step warm-ups on short runs.
 * - Batch order: the objective's rng is seeded from (seed, start_step), so a
 *   resumed run does not replay the batches of its first part.
 * - Checkpoint, resume and Ctrl-C are the front end's, and there is one such
 *   path (cli/trainloop.h): a checkpoint is the model file OUT (weights,
 *   tokeniser, adam_t, run metadata) written atomically plus the AdamW moments
 *   in OUT.opt (io/optstate.h); --resume loads both and continues the
 *   schedule at m->adam_t; SIGINT/SIGTERM/SIGHUP finish the current step,
 *   save and stop. The TUI worker's "save as" writes the same checkpoint
 *   (train/checkpoint.h), so a model trained in the TUI continues with its
 *   optimizer state under `llmlab train --resume -o PATH --data FILE`.
 * - A step that meets a non-finite loss or gradient returns
 *   LM_TRAIN_NONFINITE and leaves the weights as they were (train.h).
 * - Nothing prints; failures return -1 with lm_err.
 *
 * - An objective may train a model of its own instead of the transformer
 *   (ops->trainee, below); the loop then checkpoints it through that.
 *
 * Adding an objective: one file in src/core/train/ with its ops table and
 * constructor, its line in the table of train/objectives.c (so the TUI can
 * pick it), its constructor declared below, and one command file in
 * src/cli/ (plus its line in cli/commands.c).
 */
#ifndef LM_OBJECTIVE_H
#define LM_OBJECTIVE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/rng.h"
#include "data/dataset.h"
#include "models/gpt/model.h"
#include "models/softprompt/softprompt.h"
#include "tok/tokenizer.h"
#include "train/checkpoint.h"
#include "train/train.h"

/* ---- named figures ---- */
#define LM_FIGURES_MAX 8

typedef struct {
    const char *name;   /* a string literal: "loss", "val_loss", "tok/s", ... */
    double value;
} lm_figure;

typedef struct {
    int n;
    lm_figure f[LM_FIGURES_MAX];
} lm_figures;

/* Sets name to v (replacing a figure of that name; a full list drops it). */
void   lm_figures_set(lm_figures *fs, const char *name, double v);
/* The value of name, or NAN when the list has no such figure. */
double lm_figures_get(const lm_figures *fs, const char *name);
/* Appends every figure of src to dst (by lm_figures_set). */
void   lm_figures_merge(lm_figures *dst, const lm_figures *src);
/* "loss 2.310 grad_norm 0.812 lr 3.00e-04 tok/s 6512": each value with
 * lm_figure_format, separated by single spaces. Returns buf. */
char  *lm_figures_format(const lm_figures *fs, char *buf, size_t cap);
/* One value the same way for every figure: >= 1000 as an integer, >= 0.1
 * with 3 decimals, >= 0.001 with 4 significant digits (a small loss reads
 * 0.0991, never with an exponent), smaller ones as %.2e (learning rates). */
char  *lm_figure_format(double v, char *buf, size_t cap);

/* ---- what to train on ---- */
typedef struct {
    const char *train_path;  /* NULL = the objective's built-in sample, if any */
    const char *val_path;    /* NULL = hold out by the rule above */
    size_t max_bytes;        /* > 0: read only the head of text files (a live demo) */
    int B, T;                /* training and validation batch shape */
    int val_batches;         /* at most this many fixed validation batches */
    uint64_t seed;           /* batch order, with start_step */
    int start_step;          /* the step the run starts at (m->adam_t) */
} lm_data_opts;

typedef struct lm_objective lm_objective;

typedef struct {
    const char *name;          /* "pretrain", "sft": the TUI's mode name */
    const char *default_data;  /* shipped data a front end may use ("data/corpus/train.txt") */
    const char *default_val;   /* and its validation file, or NULL */
    int  (*prepare)(lm_objective *o, const lm_tokenizer *t, const lm_data_opts *d, lm_err *err);
    int  (*next_batch)(lm_objective *o, int step, lm_err *err);
    int  (*step)(lm_objective *o, lm_model *m, const lm_train_opts *opts, lm_figures *out,
                 lm_err *err);
    int  (*validate)(lm_objective *o, lm_model *m, lm_figures *out, lm_err *err);
    void (*free_state)(void *state);
    /* NULL for objectives that train the transformer passed to step. An
     * objective that trains a model of its own (another kind: an RNN, a
     * feed-forward LM, soft prompts) sets it: *out says how the front end
     * reads its step count and saves it (train/checkpoint.h), and step and
     * validate are then called with m = NULL. */
    int  (*trainee)(lm_objective *o, lm_trainee *out, lm_err *err);
} lm_objective_ops;

struct lm_objective {
    const lm_objective_ops *ops;
    void *state;             /* the objective's own data (its file's struct) */
    lm_batch batch;          /* the training batch next_batch fills */
    lm_batch *val;           /* [n_val] fixed held-out batches */
    int n_val;               /* 0 = no validation */
    lm_rng rng;              /* batch order */
    long n_train;            /* training units after the hold-out (tokens, examples) */
    char desc[512];          /* what prepare loaded, one line for a header */
    char meta[256];          /* "key=value\n" lines for a checkpoint's metadata */
    int max_steps;           /* > 0: the objective has no step beyond this (an n-gram's
                              * last chunk); a front end stops there. 0 = no end */
};

/* A new objective over ops and its state (freed by ops->free_state with it). */
lm_objective *lm_objective_new(const lm_objective_ops *ops, void *state, lm_err *err);
void lm_objective_free(lm_objective *o);

/* Shared by LM objectives: seeds o->rng from d, allocates o->batch, and
 * takes n fixed validation batches from vb (malloc'd array, now o's). */
int  lm_objective_setup(lm_objective *o, const lm_data_opts *d, int with_mask, lm_batch *vb, int n,
                        lm_err *err);
/* Seeds o->rng by the batch-order rule above (seed, start_step).
 * lm_objective_setup calls it; a caller that reuses one prepared objective
 * for several fresh runs (a scaling sweep) calls it before each. */
void lm_objective_seed(lm_objective *o, uint64_t seed, int start_step);
/* Shared by LM objectives: the weighted mean loss over o->val as "val_loss"
 * (nothing when there are no validation batches). */
int  lm_objective_val_loss(lm_objective *o, lm_model *m, lm_figures *out, lm_err *err);
/* Next-token objectives (pretrain, sft) need the causal mask: an encoder
 * (m->bidirectional) would see the very token it is asked for. 0, or -1
 * with that message. */
int  lm_objective_need_causal(const lm_model *m, lm_err *err);
/* A step record as figures: loss, grad_norm, lr, tok/s. */
void lm_figures_from_step(const lm_step_record *r, lm_figures *out);

/* ---- the objectives ---- */
/* Next-token loss on every position of random windows of a text file
 * (documents separated by "<|endoftext|>" lines). */
lm_objective *lm_obj_pretrain_new(lm_err *err);
/* Next-token loss on chat conversations (JSONL), masked to the assistant's
 * tokens (use_mask = 0: every token). */
lm_objective *lm_obj_sft_new(int use_mask, lm_err *err);
/* Bengio's feed-forward LM (obj_fflm.c) and a recurrent LM (obj_rnn.c) on
 * the same text and batches as pretrain; they train a model of their own
 * kind (models/nlm/nlm.h): m, borrowed, or, when NULL, a new one of the
 * family's default config (train/obj_nlm.h). */
struct lm_nlm;
lm_objective *lm_obj_fflm_new(struct lm_nlm *m, lm_err *err);
lm_objective *lm_obj_rnn_new(struct lm_nlm *m, lm_err *err);
/* Prompt tuning (obj_prompt_tune.c): trains the soft prompt sp in front of
 * the frozen model (both borrowed; sp is attached to frozen by prepare) on a
 * task file (data/task.h) given as the training path; ops->trainee is sp.
 * Not in the TUI's table: it needs the frozen model and a task file, which
 * `llmlab prompt-tune train` gives it. */
lm_objective *lm_obj_prompt_tune_new(lm_model *frozen, lm_softprompt *sp, lm_err *err);
/* Masked-LM (BERT) on random windows of a text file, for an encoder (a
 * bidirectional model whose tokeniser has <|mask|>): data/mlm_mask.h's rule,
 * the loss only on the chosen positions; figures mask_acc, val_loss,
 * val_mask_acc (obj_mlm.c). */
lm_objective *lm_obj_mlm_new(lm_err *err);
/* The encoder against a decoder on the same masked batches (an mlm
 * objective's o->val): each blank at position t >= 1 is filled by the
 * encoder reading the whole masked window, and by the decoder reading only
 * the original tokens before t (one causal forward of the original window;
 * the row of t - 1 predicts t). Position 0 has nothing on its left and is
 * left out of both. Counts: blanks, argmax = the hidden token, and the
 * summed cross-entropy (nats) of the hidden token, for each model, and how
 * often the hidden token is baseline_token (the trivial guess). The
 * decoder must share the encoder's ids below its own vocabulary (the base
 * model and an encoder made from its tokeniser do). */
typedef struct {
    long blanks;
    long enc_correct, dec_correct, base_correct;
    double enc_nats, dec_nats;
} lm_mlm_comparison;
int lm_mlm_compare(const lm_batch *batches, int n, lm_model *enc, lm_model *dec, int32_t baseline_token,
                   lm_mlm_comparison *out, lm_err *err);

/* The table of objectives a front end can choose from by name (the TUI's
 * mode key): how many, the i-th name (NULL out of range), and a new
 * objective of that name with default options. */
int  lm_objective_count(void);
const char *lm_objective_name(int i);
lm_objective *lm_objective_create(const char *name, lm_err *err);
/* 1 when the objective of that name trains a model of its own kind
 * (ops->trainee: a fresh RNN, a feed-forward LM, ...), 0 when it trains the
 * transformer it is given or there is no such objective. */
int lm_objective_owns_model(const char *name);

#endif
