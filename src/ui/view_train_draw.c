/* view_train_draw.c - the train panel's picture: objective and state,
 * the newest figures, the loss curve (smoothed train loss, validation loss,
 * ln V for a fresh model), the latest sample and the keys. Reads the panel's
 * state as the last poll left it; never touches the worker's weights. */
#include "train/objective.h"
#include "ui/view_train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *state_name(uw_state s) {
    switch (s) {
    case UW_LOADING: return "loading data";
    case UW_PAUSED: return "paused";
    case UW_RUNNING: return "running";
    case UW_DONE: return "done";
    default: return "failed";
    }
}

/* the newest value of every figure: the last step's, then those of older
 * records (validation figures come every few steps); t->n_rec > 0 */
static void latest_figures(const train_state *t, lm_figures *now) {
    *now = t->rec[t->n_rec - 1].figs;
    for (size_t i = t->n_rec - 1, k = 0; i-- > 0 && k < 1000; k++)
        for (int j = 0; j < t->rec[i].figs.n; j++)
            if (isnan(lm_figures_get(now, t->rec[i].figs.f[j].name)))
                lm_figures_set(now, t->rec[i].figs.f[j].name, t->rec[i].figs.f[j].value);
}

/* the loss curve over rows [y+3, y+3+ph) and its legend */
/* a dashed line at value v on the curve's scale (drawn before the curve) */
static void draw_ref_line(ui_canvas *cv, int top, int ph, int px, int pw, float lo, float hi, float v, const char *lab) {
    int sub_y = cv->ascii ? 1 : 4, H = ph * sub_y;
    double f = (v - lo) / (hi - lo);
    if (f < 0 || f > 1) return;
    int row = top + (int)((1 - f) * (H - 1) + 0.5) / sub_y;
    for (int x = px; x < px + pw; x += 2) draw_text(cv, row, x, 1, C_DIM, cv->ascii ? "-" : "\xe2\x94\x84");
    int lw = draw_width(lab);
    draw_text(cv, row, px + pw - lw - 1, lw, C_DIM, lab);
}

static void draw_loss_curve(const train_state *t, ui_canvas *cv, int y, int ph, int px, int pw, const uw_record *last) {
    float lo = INFINITY, hi = -INFINITY;
    float *s1 = malloc(sizeof(float) * (t->n_rec + 1)), *s2 = malloc(sizeof(float) * (t->n_rec + 1));
    if (s1 && s2) {
        /* train loss of one small batch is noisy: draw its exponential moving
         * average (bias-corrected, as Adam's moments), the headline number
         * above stays the raw loss of the last step */
        double ema = 0, weight = 0;
        for (size_t i = 0; i < t->n_rec; i++) {
            double loss = lm_figures_get(&t->rec[i].figs, "loss");
            if (!isnan(loss)) {
                ema = 0.9 * ema + 0.1 * loss;
                weight = 0.9 * weight + 0.1;
            }
            s1[i] = weight > 0 ? (float)(ema / weight) : NAN;
            s2[i] = (float)lm_figures_get(&t->rec[i].figs, "val_loss");
            if (!isnan(s1[i]) && s1[i] < lo) lo = s1[i];
            if (!isnan(s1[i]) && s1[i] > hi) hi = s1[i];
            if (!isnan(s2[i]) && s2[i] < lo) lo = s2[i];
            if (!isnan(s2[i]) && s2[i] > hi) hi = s2[i];
        }
        int top = y + 3;
        int ref = t->swapped && t->ln_v > 0;   /* a fresh model: ln V, the loss of a uniform guess */
        if (t->n_rec) {
            if (ref && t->ln_v + 0.1f > hi) hi = t->ln_v + 0.1f;
            if (ref && t->ln_v - 0.1f < lo) lo = t->ln_v - 0.1f;
            if (hi - lo < 1e-3f) { hi += 0.05f; lo -= 0.05f; }
            draw_textf(cv, top, 1, px - 1, C_DIM, "%7.3f", hi);
            draw_textf(cv, top + ph - 1, 1, px - 1, C_DIM, "%7.3f", lo);
            if (ref) {
                char lab[48];
                snprintf(lab, sizeof lab, " ln V = %.3f (uniform guess) ", t->ln_v);
                draw_ref_line(cv, top, ph, px, pw, lo, hi, t->ln_v, lab);
            }
            draw_plot(cv, top, px, ph, pw, s1, s2, t->n_rec, lo, hi, C_TRAIN, C_VAL);
        } else {
            draw_text(cv, top + ph / 2, px + 2, pw - 2, C_DIM, "(the loss curve appears here)");
        }
        draw_hline(cv, top + ph, px, pw, C_DIM);
        int lx = px;
        lx += draw_text(cv, top + ph + 1, lx, pw, C_TRAIN, cv->ascii ? ". train loss (smoothed)" : "\xe2\xa0\x82 train loss (smoothed)");
        lx += draw_text(cv, top + ph + 1, lx, pw, C_VAL, cv->ascii ? "   o val loss" : "   \xe2\xa0\x82 val loss");
        if (t->n_rec)
            draw_textf(cv, top + ph + 1, lx, pw - (lx - px), C_DIM, "   steps %d .. %d",
                       t->rec[0].step, last->step);
    }
    free(s1);
    free(s2);
}

void train_draw(const void *st, const ui_app *a, ui_canvas *cv, int y, int h) {
    const train_state *t = st;
    int W = cv->cols;
    uw_info in = t->info;
    int x = 1;
    x += draw_textf(cv, y, x, W - 2, C_TITLE, " %s ", lm_objective_name(t->objective));
    x += draw_text(cv, y, x, W - x, C_KEY, " m ");
    if (t->own) {
        x += draw_text(cv, y, x, W - x, C_DIM, " a fresh model of its own kind (the view model stays) ");
    } else if (t->size > 0) {
        const char *tk = t->bytes_tok ? "bytes" : "the file's tokeniser";
        x += draw_textf(cv, y, x, W - x, C_TITLE, " from scratch: %s %dx%d, %d heads, ctx %d, %s ", train_sizes[t->size].name,
                        train_sizes[t->size].layers, train_sizes[t->size].width, train_sizes[t->size].heads, train_sizes[t->size].ctx, tk);
    } else {
        x += draw_text(cv, y, x, W - x, C_DIM, " continue the loaded model ");
    }
    x += draw_text(cv, y, x, W - x, C_KEY, " f b ");
    if (t->w) {
        x += draw_textf(cv, y, x, W - x, in.state == UW_FAILED ? C_ERR : in.state == UW_RUNNING ? C_OK : C_NORMAL,
                        " %s ", state_name(in.state));
        draw_textf(cv, y, x, W - x, C_DIM, " %s", in.data_desc);
    } else {
        draw_text_fit(cv, y, x, W - x, C_DIM, " stopped: s starts on a working copy of the model (the file is never overwritten)",
                      W - x >= 40 ? " stopped: s starts on a working copy (file kept)" : " s starts on a working copy");
    }
    const uw_record *last = t->n_rec ? &t->rec[t->n_rec - 1] : NULL;
    if (last) {
        lm_figures now;
        latest_figures(t, &now);
        char line[512];
        draw_textf(cv, y + 1, 1, W - 2, C_NORMAL, "step %d   %s   (max lr %.1e, +/-)", last->step,
                   lm_figures_format(&now, line, sizeof line), t->max_lr);
    } else
        draw_textf(cv, y + 1, 1, W - 2, C_DIM, "step 0   max lr %.1e (+/-)", t->max_lr);
    char lab[256];
    int mx = t->w && t->own
                 ? 1 + draw_textf(cv, y + 2, 1, W - 2, C_DIM, "training a fresh %s model of its own (w saves it; the view "
                                  "model stays %s)", lm_objective_name(t->objective),
                                  ses_model_label(&a->ses, lab, sizeof lab))
                 : 1 + draw_textf(cv, y + 2, 1, W - 2, C_DIM, "view model: %s", ses_model_label(&a->ses, lab, sizeof lab));
    if (in.message[0] && t->w) draw_text(cv, y + 2, mx + 3, W - mx - 4, in.state == UW_FAILED ? C_ERR : C_OK, in.message);
    /* the loss curve */
    int ph = h - 7, px = 9, pw = W - px - 2;
    if (ph >= 3 && pw >= 10) draw_loss_curve(t, cv, y, ph, px, pw, last);
    int r = y + h - 2;
    if (t->w && in.sample_step >= 0 && in.sample[0]) {
        char buf[1024];
        draw_bytes(cv, (const uint8_t *)in.sample, strlen(in.sample), buf, sizeof buf);
        int sx = t->sample_kept < t->sample_of
                     ? 1 + draw_textf(cv, r, 1, W - 2, C_DIM, "sample @ step %d (after the prompt's last %zu "
                                      "tokens of %zu): ", in.sample_step, t->sample_kept, t->sample_of)
                     : 1 + draw_textf(cv, r, 1, W - 2, C_DIM, "sample @ step %d: ", in.sample_step);
        draw_text(cv, r, sx, W - sx - 1, C_NORMAL, buf);
    }
    x = 1;
    static const char *keys[][2] = {{"s", " start/pause  "}, {".", " one step  "}, {"x", " stop  "},
                                    {"w", " save as  "},    {"m", " objective  "}, {"+/-", " lr  "},
                                    {"f", " from scratch  "}, {"b", " tokeniser  "}, {"R", " revert to file"}};
    static const char *short_lab[] = {" run ", " step ", " stop ", " save ", " mode ", " lr ", " new ", " tok ", " revert"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        x += draw_text(cv, y + h - 1, x, W - x, C_KEY, keys[i][0]);
        x += draw_text(cv, y + h - 1, x, W - x, C_DIM, W >= 90 ? keys[i][1] : short_lab[i]);
    }
}

