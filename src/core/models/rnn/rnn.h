/* rnn.h - the recurrent language models: an embedding in, a recurrent cell
 * carrying the hidden state h_t from one token to the next, a softmax out.
 * Kind "rnn"; the cell is in the config:
 *
 *   Elman (1990):  h_t = tanh(W x_t + b_W + U h_{t-1} + b_U)
 *   GRU (Cho et al. 2014, PyTorch's nn.GRU equations exactly):
 *                  r_t = sigmoid(W_r x_t + b_Wr + U_r h_{t-1} + b_Ur)   reset gate
 *                  z_t = sigmoid(W_z x_t + b_Wz + U_z h_{t-1} + b_Uz)   update gate
 *                  n_t = tanh(W_n x_t + b_Wn + r_t * (U_n h_{t-1} + b_Un))
 *                  h_t = (1 - z_t) * n_t + z_t * h_{t-1}
 *   both:          x_t = E w_t,  h_0 = 0,  y_t = softmax(V h_t + c)  predicts w_{t+1}
 *
 * Parameter table (the lecture's W, U, V; PyTorch's names in brackets):
 *   emb.E    [Vocab, Emb]     (nn.Embedding.weight)
 *   rnn.W    [G*H, Emb]       (weight_ih_l0; GRU rows: r, z, n)
 *   rnn.U    [G*H, H]         (weight_hh_l0)
 *   rnn.b_W  [G*H]            (bias_ih_l0)
 *   rnn.b_U  [G*H]            (bias_hh_l0)
 *   out.V    [Vocab, H]       out.b [Vocab]   (nn.Linear)
 * with G = 1 (Elman) or 3 (GRU). The Elman cell keeps PyTorch's two biases;
 * their sum is the b of h_t = tanh(W x_t + U h_{t-1} + b).
 *
 * Training: backpropagation through time over windows of T tokens: each
 * row of a batch starts from h_0 = 0 and the gradient flows back through all
 * T steps of its window (the loss is the mean over every position's
 * next-token loss, as the transformer's). Scoring (lm_nlm_nll) runs a
 * window the same way; next_logits runs the whole text from h_0 = 0
 * (unbounded context: n_ctx = 0), continuing from the state it kept after
 * the previous call when the text only grew (generation costs one step per
 * token; the kept state is for the weights of that moment: training steps
 * forget it).
 *
 * Config in the model file: 4 x i32 (vocab, embed, hidden, cell: 0 Elman,
 * 1 GRU), little-endian. Initialisation as PyTorch's defaults: E ~ N(0, 1);
 * every weight and bias of the cell ~ U(-1/sqrt(H), 1/sqrt(H)); out.V and
 * out.b ~ U(-1/sqrt(H), 1/sqrt(H)).
 */
#ifndef LM_RNN_H
#define LM_RNN_H

#include "models/nlm/nlm.h"

#define LM_KIND_RNN "rnn"
#define LM_RNN_CONFIG_BYTES 16u

typedef enum { LM_RNN_ELMAN = 0, LM_RNN_GRU = 1 } lm_rnn_cell;

typedef struct {
    int vocab;          /* V */
    int embed;          /* Emb */
    int hidden;         /* H */
    lm_rnn_cell cell;
} lm_rnn_config;

/* "elman" / "gru" */
const char *lm_rnn_cell_name(lm_rnn_cell c);
int    lm_rnn_cell_parse(const char *s, lm_rnn_cell *out);

/* The default model (the CLI's and the TUI's): embedding 64, hidden 128. */
lm_rnn_config lm_rnn_config_default(int vocab, lm_rnn_cell cell);
int    lm_rnn_config_check(const lm_rnn_config *cfg, lm_err *err);
size_t lm_rnn_param_count(const lm_rnn_config *cfg);
int    lm_rnn_new(lm_nlm **out, const lm_rnn_config *cfg, uint64_t seed, lm_err *err);
/* The model of a stored config, parameters zero (nlm.c's family table). */
int    lm_rnn_create(lm_nlm **out, const uint8_t *config, uint32_t config_bytes, lm_err *err);
/* The model file's check (io/modelfile.c's KINDS table). */
int    lm_rnn_check(const uint8_t *config, uint32_t config_bytes, uint64_t n_params, lm_err *err);
lm_rnn_config lm_rnn_config_of(const lm_nlm *m);

/* The vanishing gradient made visible. For the text ids[0..n) (n >= 2),
 * L = -ln p(ids[n-1] | ids[0..n-1)), the loss at the LAST position only;
 * norms[t] = |dL/dh_t| (Euclidean norm) for t = 0..n-2, where h_t is the
 * hidden state just after reading ids[t]. Only the recurrence carries L back
 * from h_{n-2} to the earlier states, so norms[t] shows how much the loss
 * can still learn from the token read n-2-t steps before the prediction.
 * Uses (and overwrites) the gradients of m. */
int    lm_rnn_grad_norms(lm_nlm *m, const int32_t *ids, size_t n, float *norms, lm_err *err);

/* ---- one step of the cell (rnn_cell.c), for B rows at once ----
 * xw [B, G*H] = W x_t + b_W; hu [B, G*H] = U h_{t-1} + b_U; hprev, h [B, H];
 * gates [B, G*H]: the GRU's r, z, n (unused by Elman). */
void lm_rnn_cell_forward(lm_rnn_cell cell, int B, int H, const float *xw, const float *hu, const float *hprev,
                         float *h, float *gates);
/* From dh [B, H] = dL/dh_t: dxw, dhu [B, G*H] (the gradients of xw and hu,
 * OVERWRITTEN) and dhprev [B, H] (OVERWRITTEN): the part of dL/dh_{t-1} that
 * does not pass through U (the GRU's z_t * dh; 0 for Elman). */
void lm_rnn_cell_backward(lm_rnn_cell cell, int B, int H, const float *dh, const float *hprev, const float *h,
                          const float *hu, const float *gates, float *dxw, float *dhu, float *dhprev);

#endif
