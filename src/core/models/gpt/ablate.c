/* ablate.c - the head-ablation mask of a model (see model.h, "head
 * ablation"): setting, clearing, parsing "L.H,..." and writing it back.
 * The forward passes read m->ablate themselves (model.c, kvcache.c,
 * decode_ref.c). */
#include "models/gpt/model_priv.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t mask_len(const lm_model *m) { return (size_t)m->cfg.n_layer * m->cfg.n_head; }

void lm_model_clear_ablation(lm_model *m) {
    if (!m) return;
    free(m->ablate);
    m->ablate = NULL;
}

int lm_model_set_ablation(lm_model *m, const uint8_t *mask, lm_err *err) {
    if (!m) return lm_fail(err, "ablation: missing model");
    size_t n = mask_len(m), any = 0;
    for (size_t i = 0; mask && i < n; i++) any |= mask[i] != 0;
    if (!any) { lm_model_clear_ablation(m); return 0; }
    if (!m->ablate) {
        m->ablate = calloc(n, 1);
        if (!m->ablate) return lm_fail(err, "ablation: out of memory");
    }
    for (size_t i = 0; i < n; i++) m->ablate[i] = mask[i] != 0;
    return 0;
}

int lm_model_ablate_head(lm_model *m, int layer, int head, int on, lm_err *err) {
    if (!m) return lm_fail(err, "ablation: missing model");
    if (layer < 0 || layer >= m->cfg.n_layer || head < 0 || head >= m->cfg.n_head)
        return lm_fail(err, "ablation: head %d.%d outside layers 0..%d, heads 0..%d", layer, head,
                       m->cfg.n_layer - 1, m->cfg.n_head - 1);
    size_t n = mask_len(m);
    uint8_t *mask = calloc(n, 1);
    if (!mask) return lm_fail(err, "ablation: out of memory");
    if (m->ablate) memcpy(mask, m->ablate, n);
    mask[(size_t)layer * m->cfg.n_head + head] = on != 0;
    int rc = lm_model_set_ablation(m, mask, err);
    free(mask);
    return rc;
}

int lm_head_ablated(const lm_model *m, int layer, int head) {
    if (!m || !m->ablate || layer < 0 || layer >= m->cfg.n_layer || head < 0 || head >= m->cfg.n_head)
        return 0;
    return m->ablate[(size_t)layer * m->cfg.n_head + head];
}

int lm_model_n_ablated(const lm_model *m) {
    int n = 0;
    for (size_t i = 0; m && m->ablate && i < mask_len(m); i++) n += m->ablate[i];
    return n;
}

/* one number of an item: digits only; -1 when none or too long */
static int read_num(const char **p) {
    const char *s = *p;
    long v = 0;
    int nd = 0;
    while (isdigit((unsigned char)*s) && nd < 6) { v = v * 10 + (*s - '0'); s++; nd++; }
    if (nd == 0 || isdigit((unsigned char)*s)) return -1;
    *p = s;
    return (int)v;
}

static void skip_spaces(const char **p) { while (**p == ' ' || **p == '\t') (*p)++; }

/* "L.H" or "L.*" at *p into mask; 0 or -1 with a message naming item */
static int parse_item(const lm_config *c, const char **p, uint8_t *mask, lm_err *err) {
    const char *start = *p, *s = *p;
    int len = (int)strcspn(start, ",");
    int layer = read_num(&s), head = -1, all = 0;
    if (layer >= 0 && *s == '.') {
        s++;
        if (*s == '*') { all = 1; s++; }
        else head = read_num(&s);
    }
    skip_spaces(&s);
    if (layer < 0 || (head < 0 && !all) || (*s && *s != ','))
        return lm_fail(err, "bad head '%.*s': write LAYER.HEAD (e.g. 1.3) or LAYER.* for a whole layer",
                       len, start);
    if (layer >= c->n_layer)
        return lm_fail(err, "bad head '%.*s': layer %d outside 0..%d (the model has %d layers)",
                       len, start, layer, c->n_layer - 1, c->n_layer);
    if (head >= c->n_head)
        return lm_fail(err, "bad head '%.*s': head %d outside 0..%d (the model has %d heads per layer)",
                       len, start, head, c->n_head - 1, c->n_head);
    for (int h = 0; h < c->n_head; h++)
        if (all || h == head) mask[(size_t)layer * c->n_head + h] = 1;
    *p = s;
    return 0;
}

int lm_ablation_parse(const lm_config *cfg, const char *spec, uint8_t *mask, lm_err *err) {
    if (!cfg || !spec || !mask) return lm_fail(err, "ablation: missing spec");
    memset(mask, 0, (size_t)cfg->n_layer * cfg->n_head);
    const char *p = spec;
    skip_spaces(&p);
    if (!*p) return lm_fail(err, "empty list of heads: write LAYER.HEAD[,LAYER.HEAD...]");
    for (;;) {
        skip_spaces(&p);
        if (parse_item(cfg, &p, mask, err) != 0) return -1;
        if (!*p) return 0;
        p++;   /* the comma */
    }
}

int lm_ablation_format(const lm_model *m, char *out, size_t cap) {
    if (!out || cap == 0) return 0;
    out[0] = '\0';
    int n = 0;
    size_t used = 0;
    for (int l = 0; m && l < m->cfg.n_layer; l++)
        for (int h = 0; h < m->cfg.n_head; h++) {
            if (!lm_head_ablated(m, l, h)) continue;
            int w = snprintf(out + used, cap - used, "%s%d.%d", n ? "," : "", l, h);
            if (w > 0 && used + (size_t)w < cap) used += (size_t)w;
            n++;
        }
    if (n == 0) snprintf(out, cap, "none");
    return n;
}

void lm_ablate_rows(const lm_model *m, int l, float *y, int N) {
    const int C = m->cfg.d_model, H = m->cfg.n_head, hd = C / H;
    const uint8_t *row = m->ablate + (size_t)l * H;   /* [H] */
    for (int h = 0; h < H; h++) {
        if (!row[h]) continue;
        for (int i = 0; i < N; i++) memset(y + (size_t)i * C + (size_t)h * hd, 0, sizeof(float) * hd);
    }
}
