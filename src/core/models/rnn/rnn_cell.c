/* rnn_cell.c - one time step of the recurrent cells, forward and backward,
 * element by element (the matrix products W x_t and U h_{t-1} are done by
 * the caller, rnn.c, for all rows at once). The equations are in rnn.h. */
#include "models/rnn/rnn.h"

#include <math.h>
#include <string.h>

static float sigmoid(float a) { return 1.0f / (1.0f + expf(-a)); }

void lm_rnn_cell_forward(lm_rnn_cell cell, int B, int H, const float *xw, const float *hu, const float *hprev,
                         float *h, float *gates) {
    if (cell == LM_RNN_ELMAN) {
        /* h_t = tanh(W x_t + b_W + U h_{t-1} + b_U) */
        for (size_t i = 0; i < (size_t)B * H; i++) h[i] = tanhf(xw[i] + hu[i]);
        return;
    }
    for (int b = 0; b < B; b++) {
        const float *xr = xw + (size_t)b * 3 * H, *ur = hu + (size_t)b * 3 * H, *hp = hprev + (size_t)b * H;
        float *g = gates + (size_t)b * 3 * H, *hb = h + (size_t)b * H;
        for (int i = 0; i < H; i++) {
            float r = sigmoid(xr[i] + ur[i]);                        /* reset gate */
            float z = sigmoid(xr[H + i] + ur[H + i]);                /* update gate */
            float n = tanhf(xr[2 * H + i] + r * ur[2 * H + i]);      /* candidate state */
            hb[i] = (1.0f - z) * n + z * hp[i];                      /* z = 1 keeps h_{t-1} */
            g[i] = r, g[H + i] = z, g[2 * H + i] = n;
        }
    }
}

void lm_rnn_cell_backward(lm_rnn_cell cell, int B, int H, const float *dh, const float *hprev, const float *h,
                          const float *hu, const float *gates, float *dxw, float *dhu, float *dhprev) {
    if (cell == LM_RNN_ELMAN) {
        /* through tanh: da = dh (1 - h_t^2); a = xw + hu, so both get da */
        for (size_t i = 0; i < (size_t)B * H; i++) {
            float da = dh[i] * (1.0f - h[i] * h[i]);
            dxw[i] = da;
            dhu[i] = da;
        }
        memset(dhprev, 0, sizeof(float) * (size_t)B * H);   /* Elman's h_{t-1} is reached only through U */
        return;
    }
    for (int b = 0; b < B; b++) {
        const float *g = gates + (size_t)b * 3 * H, *ur = hu + (size_t)b * 3 * H, *hp = hprev + (size_t)b * H;
        const float *d = dh + (size_t)b * H;
        float *dx = dxw + (size_t)b * 3 * H, *du = dhu + (size_t)b * 3 * H, *dp = dhprev + (size_t)b * H;
        for (int i = 0; i < H; i++) {
            float r = g[i], z = g[H + i], n = g[2 * H + i];
            /* h = (1 - z) n + z h_{t-1} */
            float dz = d[i] * (hp[i] - n), dn = d[i] * (1.0f - z);
            dp[i] = d[i] * z;                                   /* the shortcut: z carries dh straight back */
            float dn_pre = dn * (1.0f - n * n);                 /* n = tanh(xw_n + r * hu_n) */
            float dr_pre = dn_pre * ur[2 * H + i] * r * (1.0f - r);
            float dz_pre = dz * z * (1.0f - z);
            dx[i] = dr_pre, du[i] = dr_pre;
            dx[H + i] = dz_pre, du[H + i] = dz_pre;
            dx[2 * H + i] = dn_pre, du[2 * H + i] = dn_pre * r;
        }
    }
    (void)h;
}
