/* worker.h - training on a worker thread while the UI stays responsive.
 *
 * Contract
 * - uw_start copies the model it is given (parameters and tokeniser) into a
 *   WORKING COPY that only the worker thread touches. The thread loads the
 *   data (pretraining text or SFT JSONL), then waits paused until uw_run.
 * - Each update is one call of the core's lm_train_step / lm_sft_step; its
 *   lm_step_record (plus a validation loss every val_every steps) goes into a
 *   small mutex-protected queue that the UI drains with uw_poll.
 * - Every snapshot interval (and on pause) the worker copies its parameters
 *   into a snapshot buffer under the lock and bumps a version; the UI copies
 *   that snapshot into its own view model with uw_snapshot. The UI never reads
 *   the weights being updated.
 * - Every sample_every steps the worker decodes a greedy continuation of the
 *   sample prompt with its copy (uw_info.sample).
 * - uw_save asks the worker to write its copy to a NEW file with lm_save
 *   (refused if the path exists); the result shows in uw_info.message.
 * - uw_free stops the thread (at most one step late), joins it, frees all.
 */
#ifndef LM_UI_WORKER_H
#define LM_UI_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "models/gpt/model.h"

typedef enum { UW_PRETRAIN = 0, UW_SFT = 1 } uw_mode;
typedef enum { UW_LOADING = 0, UW_PAUSED, UW_RUNNING, UW_DONE, UW_FAILED } uw_state;

typedef struct {
    uw_mode mode;
    const char *data_path;       /* NULL = the default for the mode */
    int B, T;                    /* batch shape (T is clipped to n_ctx) */
    float max_lr;
    int total_steps;             /* length of the cosine schedule */
    int val_every, sample_every;
    const int32_t *sample_prompt; size_t n_sample_prompt;
    uint64_t seed;
} uw_opts;

typedef struct {
    int step;
    float loss, lr, grad_norm;
    double tokens_per_s;
    float val_loss;              /* NAN when not measured at this step */
} uw_record;

typedef struct {
    uw_state state;
    int step;
    char data_desc[256];         /* what it trains on */
    char message[256];           /* last error or save result */
    char sample[512];            /* last sample text (raw bytes, NUL-terminated) */
    int sample_step;
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
void uw_free(ui_worker *w);

/* The ids that end a reply or a sample, from the chat template (chat.h):
 * lm_chat_stop_ids, or just <|endoftext|> for a tokeniser without the chat
 * markers (none when it lacks that too). Returns the count (0..2). */
struct lm_tokenizer;
int  uw_stop_ids(const struct lm_tokenizer *t, int32_t stop[2]);

#endif
