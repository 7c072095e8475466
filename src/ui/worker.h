/* worker.h - training on a worker thread while the UI stays responsive.
 *
 * Contract
 * - uw_start clones the model it is given (lm_model_clone: parameters and
 *   tokeniser) into a WORKING COPY that only the worker thread touches. The
 *   thread makes the objective named in uw_opts (train/objective.h), lets it
 *   prepare its data (THE hold-out rule), then waits paused until uw_run.
 * - Each update is one next_batch + step of the objective, with THE warm-up
 *   rule of the core (lm_train_opts_default); its figures (plus the
 *   objective's validation figures every val_every steps and at step 1) go
 *   into a small mutex-protected queue that the UI drains with uw_poll. A
 *   record is a step number and a list of named figures: the UI looks them
 *   up by name ("loss", "val_loss", ...), so a new objective's figures need
 *   no new field here.
 * - Weights reach the UI only through a snapshot: the worker thread, and only
 *   it, copies its parameters into a snapshot buffer under the lock (every
 *   0.25 s while running, after a single step, and whenever it stops to wait:
 *   paused, stopped or quitting) and bumps a version; the UI copies that
 *   snapshot into its own view model with uw_snapshot. The UI never reads the
 *   weights being updated.
 * - Every sample_every steps the worker decodes a greedy continuation of the
 *   sample prompt with its copy (uw_info.sample).
 * - uw_save asks the worker to write its copy as a checkpoint
 *   (train/checkpoint.h: PATH and PATH.opt, so `llmlab train --resume` can
 *   continue it) to a NEW file (refused if PATH exists); the result shows in
 *   uw_info.message, and a save that wrote nothing (PATH exists, the folder
 *   is missing or read-only, the disk is full) counts in uw_info.save_fails;
 *   the weights stay in the working copy, to be saved elsewhere.
 * - An objective that trains a model of its own kind (objective.h:
 *   ops->trainee; the RNN, the feed-forward LM) trains the fresh model its
 *   prepare makes, not the copy: its figures are queued the same way, uw_save
 *   writes its checkpoint through the trainee, and no snapshot or sample is
 *   made (the view model stays what it was; uw_info.own_model says so).
 * - uw_stop ends the thread after its current step (publishing its last
 *   weights); uw_poll, uw_snapshot and uw_get_info still work after it.
 *   uw_free stops the thread if needed and frees all.
 */
#ifndef LM_UI_WORKER_H
#define LM_UI_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "models/gpt/model.h"
#include "train/objective.h"

typedef enum { UW_LOADING = 0, UW_PAUSED, UW_RUNNING, UW_DONE, UW_FAILED } uw_state;

typedef struct {
    const char *objective;       /* a name of the objective table: "pretrain", "sft", ... */
    const char *data_path;       /* NULL = the objective's shipped data (validated on its
                                    shipped validation file), else its built-in sample */
    int B, T;                    /* batch shape (T is clipped to n_ctx) */
    float max_lr;
    int total_steps;             /* length of the cosine schedule */
    int val_every, sample_every;
    const int32_t *sample_prompt; size_t n_sample_prompt;
    uint64_t seed;
} uw_opts;

typedef struct {
    int step;                    /* the model's step count after this update */
    lm_figures figs;             /* the step's figures, plus "val_loss" (...) when validated */
} uw_record;

typedef struct {
    uw_state state;
    int step;
    int idle;                    /* the thread is waiting for a command (not in a step) */
    char data_desc[512];         /* what it trains on */
    char message[256];           /* last error or save result */
    unsigned save_fails;         /* saves that wrote nothing so far (the panel asks for another path) */
    char sample[512];            /* last sample text (raw bytes, NUL-terminated) */
    int sample_step;
    int snap_step;               /* the step of the snapshot uw_snapshot copied last (0 = none) */
    unsigned saves;              /* saves that wrote their file so far */
    char saved_path[512];        /* the last file written (saves > 0) */
    int saved_step;              /* and the step it holds */
    int own_model;               /* the objective trains a model of its own kind (not the view model) */
} uw_info;

typedef struct ui_worker ui_worker;

ui_worker *uw_start(const lm_model *src, const uw_opts *o, lm_err *err);
void uw_run(ui_worker *w, int run);        /* 1 run, 0 pause */
void uw_step(ui_worker *w);                /* one update, when paused */
void uw_set_lr(ui_worker *w, float max_lr);
void uw_save(ui_worker *w, const char *path);
/* copies up to max queued records into out; returns how many */
int  uw_poll(ui_worker *w, uw_record *out, int max);
/* copies the newest snapshot into dst->params if its version is newer than
 * *seen (and the shapes match); returns 1 when copied */
int  uw_snapshot(ui_worker *w, lm_model *dst, unsigned *seen);
void uw_get_info(ui_worker *w, uw_info *info);
/* Waits until pred(info, number of queued records, user) holds, waking on
 * every change of the worker's state, step, message or queue; 1 when it
 * held, 0 after timeout_s seconds (tests: a condition, never a sleep). */
int  uw_wait(ui_worker *w, int (*pred)(const uw_info *in, int queued, void *user), void *user,
             double timeout_s);
void uw_stop(ui_worker *w);
void uw_free(ui_worker *w);

/* The ids that end a reply or a sample, from the chat template (chat.h):
 * lm_chat_stop_ids, or just <|endoftext|> for a tokeniser without the chat
 * markers (none when it lacks that too). Returns the count (0..2). */
struct lm_tokenizer;
int  uw_stop_ids(const struct lm_tokenizer *t, int32_t stop[2]);

#endif
