/* test_softprompt.c - prompt tuning in the core: the soft inputs of the GPT
 * (model.h), the soft prompt and its file (models/softprompt), the task file
 * (data/task.h) and the prompt-tune objective.
 *
 * - soft vectors equal to the tokens' own embedding rows give exactly the
 *   plain forward, and the gradient they get is exactly what those rows of
 *   wte get without them;
 * - the gradient w.r.t. the soft vectors matches finite differences of the
 *   loss (PyTorch checks the same in tests/softprompt_torch_test.py);
 * - the objective trains the soft prompt and leaves every weight of the
 *   frozen model bit for bit as it was;
 * - save / load round trip (vectors, config, step, AdamW moments), and files
 *   that are damaged, of the wrong kind or for another model are refused;
 * - the task file's rules: header, items, limits, the hold-out, the prompt
 *   texts, the shots, the majority baseline and what counts as right. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <unistd.h>
#include <cmocka.h>

#include "data/task.h"
#include "io/crc32.h"
#include "io/modelfile.h"
#include "models/softprompt/softprompt.h"
#include "train/objective.h"
#include "train_fixtures.h"
#include "tmpdir_fixture.h"

static lm_model tiny_model(uint64_t seed) {
    lm_model m;
    lm_config c = tiny_cfg(32);
    lm_err err = {{0}};
    if (lm_model_init(&m, &c, seed, &err)) fail_msg("%s", err.msg);
    for (size_t i = 0; i < m.n_params; i++) m.params[i] *= 20;   /* attention far from uniform */
    return m;
}

static void fill_batch(int32_t *tok, int32_t *tgt, float *mask, int N, uint64_t seed) {
    lm_rng r;
    lm_rng_seed(&r, seed);
    for (int i = 0; i < N; i++) {
        tok[i] = (int32_t)lm_rng_below(&r, 256);
        tgt[i] = (int32_t)lm_rng_below(&r, 256);
        mask[i] = (float)(lm_rng_below(&r, 3) != 0);
    }
}

/* soft vectors = wte[tokens at 0..P-1] (the same in every row): the plain forward */
static void test_soft_equals_own_embeddings(void **state) {
    (void)state;
    enum { B = 2, T = 9, P = 3, C = 32 };
    lm_model m = tiny_model(5);
    int32_t tok[B * T], tgt[B * T];
    float mask[B * T];
    fill_batch(tok, tgt, mask, B * T, 11);
    for (int p = 0; p < P; p++) tok[T + p] = tok[p];   /* row 1 starts with row 0's tokens */
    lm_err err = {{0}};
    const lm_tensor_view *wte = lm_find_tensor(&m, "wte");
    float soft[P * C], dsoft[P * C] = {0};
    for (int p = 0; p < P; p++) memcpy(soft + p * C, m.params + wte->offset + (size_t)tok[p] * C, sizeof(float) * C);

    assert_int_equal(lm_forward(&m, tok, tgt, mask, B, T, &err), 0);
    float plain_loss = m.loss;
    float *plain_logits = malloc(sizeof(float) * B * T * V);
    memcpy(plain_logits, lm_logits(&m, 0), sizeof(float) * B * T * V);
    lm_zero_grad(&m);
    assert_int_equal(lm_backward(&m, &err), 0);
    float *plain_grads = malloc(sizeof(float) * m.n_params);
    memcpy(plain_grads, m.grads, sizeof(float) * m.n_params);

    assert_int_equal(lm_model_set_soft_inputs(&m, soft, dsoft, P, &err), 0);
    assert_int_equal(lm_forward(&m, tok, tgt, mask, B, T, &err), 0);
    assert_true(m.loss == plain_loss);
    assert_memory_equal(lm_logits(&m, 0), plain_logits, sizeof(float) * B * T * V);
    lm_zero_grad(&m);
    assert_int_equal(lm_backward(&m, &err), 0);
    /* every weight but wte gets what it got; wte's rows of the soft positions'
     * tokens got exactly the soft vectors' gradient more */
    for (size_t i = 0; i < m.n_params; i++) {
        if (i >= wte->offset && i < wte->offset + wte->numel) continue;
        assert_float_equal(m.grads[i], plain_grads[i], 1e-6);
    }
    float *moved = calloc((size_t)V * C, sizeof(float));
    for (int p = 0; p < P; p++)
        for (int j = 0; j < C; j++) moved[(size_t)tok[p] * C + j] += dsoft[p * C + j];
    double gmax = 0;
    for (int i = 0; i < P * C; i++) gmax = fmax(gmax, fabs(dsoft[i]));
    assert_true(gmax > 1e-4);   /* a gradient that could be wrong */
    for (size_t i = 0; i < (size_t)V * C; i++)
        assert_float_equal(m.grads[wte->offset + i] + moved[i], plain_grads[wte->offset + i], 1e-6);
    /* the setter's range */
    assert_int_equal(lm_model_set_soft_inputs(&m, soft, NULL, 0, &err), -1);
    assert_int_equal(lm_model_set_soft_inputs(&m, soft, NULL, 33, &err), -1);
    assert_non_null(strstr(err.msg, "context"));
    assert_int_equal(lm_model_set_soft_inputs(&m, NULL, NULL, 0, &err), 0);
    assert_null(m.soft_in);
    free(moved);
    free(plain_logits);
    free(plain_grads);
    lm_model_free(&m);
}

/* d loss / d soft against central differences of the loss (float64 sums of f32 forwards) */
static void test_soft_gradient_finite_differences(void **state) {
    (void)state;
    enum { B = 2, T = 7, P = 2, C = 32 };
    lm_model m = tiny_model(8);
    int32_t tok[B * T], tgt[B * T];
    float mask[B * T];
    fill_batch(tok, tgt, mask, B * T, 3);
    float soft[P * C], dsoft[P * C] = {0};
    lm_rng r;
    lm_rng_seed(&r, 17);
    for (int i = 0; i < P * C; i++) soft[i] = lm_rng_normal(&r);
    lm_err err = {{0}};
    assert_int_equal(lm_model_set_soft_inputs(&m, soft, dsoft, P, &err), 0);
    assert_int_equal(lm_forward(&m, tok, tgt, mask, B, T, &err), 0);
    lm_zero_grad(&m);
    assert_int_equal(lm_backward(&m, &err), 0);
    int checked = 0;
    for (int i = 0; i < P * C; i += 7) {
        float keep = soft[i], h = 1e-2f;
        soft[i] = keep + h;
        assert_int_equal(lm_forward(&m, tok, tgt, mask, B, T, &err), 0);
        double up = m.loss;
        soft[i] = keep - h;
        assert_int_equal(lm_forward(&m, tok, tgt, mask, B, T, &err), 0);
        double down = m.loss;
        soft[i] = keep;
        double fd = (up - down) / (2 * h);
        assert_true(fabs(fd - dsoft[i]) <= 2e-3 + 0.05 * fabs(fd));
        checked += fabs(fd) > 1e-3;
    }
    assert_true(checked > 3);
    lm_model_free(&m);
}

/* ---- the task file ---- */

static char tmpdir[64];

static int setup(void **state) {
    (void)state;
    return tmpdir_make(tmpdir, sizeof tmpdir, "softprompt");
}

static int teardown(void **state) {
    (void)state;
    return tmpdir_remove(tmpdir);
}
static void path_in(char *out, size_t cap, const char *name) { snprintf(out, cap, "%s/%s", tmpdir, name); }

static const char *HEAD = "{\"task\": \"t\", \"instruction\": \"Say it.\", \"separator\": \" =>\"}\n";

/* n items "wN" -> "a" or "b" (b for every third) */
static void write_task(const char *path, int n) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(HEAD, f);
    for (int i = 0; i < n; i++) fprintf(f, "{\"input\": \"w%d\", \"answer\": \"%s\"}\n", i, i % 3 == 2 ? "b" : "a");
    fclose(f);
}

static int parse(lm_task *t, const char *text, lm_err *err) {
    return lm_task_parse_buf(t, (const uint8_t *)text, strlen(text), "x.jsonl", err);
}

static void refused(const char *text, const char *why) {
    lm_task t;
    lm_err err = {{0}};
    assert_int_equal(parse(&t, text, &err), -1);
    if (!strstr(err.msg, why)) fail_msg("expected \"%s\" in: %s", why, err.msg);
}

static void test_task_file(void **state) {
    (void)state;
    lm_task t;
    lm_err err = {{0}};
    char path[128];
    path_in(path, sizeof path, "task.jsonl");
    write_task(path, 40);
    assert_int_equal(lm_task_load(&t, path, &err), 0);
    assert_string_equal(t.name, "t");
    assert_int_equal(t.n, 40);
    assert_int_equal(t.n_train, 38);   /* THE hold-out rule: the last 40/20 */
    char *z = lm_task_text(&t, LM_TASK_ZERO_SHOT, &t.items[38], NULL, 0);
    assert_string_equal(z, "Say it.\nw38 =>");
    const lm_task_item *shots[3] = {&t.items[0], &t.items[2], NULL};
    char *f = lm_task_text(&t, LM_TASK_FEW_SHOT, &t.items[39], shots, 2);
    assert_string_equal(f, "Say it.\nw0 => a\nw2 => b\nw39 =>");
    char *s = lm_task_text(&t, LM_TASK_SOFT, &t.items[39], NULL, 0);
    assert_string_equal(s, "w39 =>");
    char *g = lm_task_target(&t.items[2]);
    assert_string_equal(g, " b\n");
    free(z); free(f); free(s); free(g);
    /* shots: distinct training items, the same every time, differing by item */
    const lm_task_item *a[3], *b[3], *c[3];
    assert_int_equal(lm_task_shots(&t, 0, 3, 7, a), 3);
    lm_task_shots(&t, 0, 3, 7, b);
    lm_task_shots(&t, 1, 3, 7, c);
    assert_memory_equal(a, b, sizeof a);
    assert_memory_not_equal(a, c, sizeof a);
    for (int i = 0; i < 3; i++) {
        assert_true(a[i] - t.items < t.n_train);
        for (int j = 0; j < i; j++) assert_ptr_not_equal(a[i], a[j]);
    }
    /* majority: "a" (26 of 38 training items); held-out w38 (b), w39 (a) */
    int right = -1;
    assert_string_equal(lm_task_majority(&t, &right), "a");
    assert_int_equal(right, 1);
    lm_task_free(&t);

    /* two items: one trains, one is held out; a tie goes to the first answer */
    assert_int_equal(parse(&t, "{\"task\":\"x\",\"instruction\":\"\",\"separator\":\":\"}\n"
                               "{\"input\":\"p\",\"answer\":\"zz\"}\n\n{\"input\":\"q\",\"answer\":\"aa\"}\n", &err), 0);
    assert_int_equal(t.n_train, 1);
    char *z2 = lm_task_text(&t, LM_TASK_ZERO_SHOT, &t.items[1], NULL, 0);
    assert_string_equal(z2, "q:");   /* no instruction: no line for it */
    free(z2);
    assert_string_equal(lm_task_majority(&t, &right), "zz");
    assert_int_equal(right, 0);
    lm_task_free(&t);

    refused("{\"input\":\"p\",\"answer\":\"a\"}\n", "first line must name the task");
    refused("{\"task\":\"x\",\"instruction\":\"\"}\n", "no \"separator\"");
    refused("{\"task\":\"x\",\"instruction\":\"\",\"separator\":\"\"}\n", "\"separator\" is empty");
    refused("{\"task\":\"x\",\"instruction\":\"\",\"separator\":\":\"}\n{\"input\":\"p\",\"answer\":\"a\"}\n",
            "at least 2 items");
    refused("{\"task\":\"x\",\"instruction\":\"\",\"separator\":\":\"}\n{\"input\":\"p\",\"answer\":\"a\\nb\"}\n",
            "x.jsonl:2: \"answer\" holds a line break");
    refused("{\"task\":\"x\",\"instruction\":\"\",\"separator\":\":\"}\n{\"input\":\"\",\"answer\":\"a\"}\n",
            "\"input\" is empty");
    refused("{\"task\":\"x\",\"instruction\":\"\",\"separator\":\":\"}\n{\"input\":\"p\",\"answer\":\" a\"}\n",
            "\"answer\" starts with a space");
    refused("{\"task\":\"x\",\"instruction\":\"\",\"separator\":\":\"}\n{\"input\":7,\"answer\":\"a\"}\n",
            "\"input\" must be a string");
    refused("{\"task\":\"x\",\"instruction\":\"\",\"separator\":\":\"}\n{\"task\":\"y\"}\n", "a second task line");
    refused("{\"task\":\"x\",\"instruction\":\"\",\"separator\":\":\"}\n[1,2]\n", "not a JSON object");
    refused("{\"task\":\"x\",\"instruction\":\"\",\"separator\":\":\"}\n{\"input\":\"p\n", "not valid JSON");
    refused("{\"task\":\"x\\u0000y\",\"instruction\":\"\",\"separator\":\":\"}\n", "NUL");
    refused("{\"task\":\"\\u0007\",\"instruction\":\"\",\"separator\":\":\"}\n", "printable ASCII");
    assert_int_equal(lm_task_load(&t, "/nonexistent/task.jsonl", &err), -1);
    assert_non_null(strstr(err.msg, "/nonexistent/task.jsonl"));
}

static void test_task_correct(void **state) {
    (void)state;
    assert_true(lm_task_correct(" negative", "negative"));
    assert_true(lm_task_correct("  Negative. It was", "negative"));
    assert_true(lm_task_correct(" Paris\nBerlin", "Paris"));
    assert_true(lm_task_correct("1879, in Ulm", "1879"));
    assert_false(lm_task_correct(" neg", "negative"));
    assert_false(lm_task_correct(" negatively", "negative"));
    assert_false(lm_task_correct(" 18790", "1879"));
    assert_false(lm_task_correct("\nnegative", "negative"));   /* not on the first line */
    assert_false(lm_task_correct(" it is negative", "negative"));
    assert_false(lm_task_correct("", "negative"));
}

/* ---- the soft prompt and its file ---- */

static void test_save_load_roundtrip(void **state) {
    (void)state;
    lm_model m = tiny_model(21);
    lm_softprompt sp, back;
    lm_err err = {{0}};
    assert_int_equal(lm_softprompt_init(&sp, &m, 4, 9, &err), 0);
    assert_int_equal(sp.ps.n, 4 * 32);
    /* initialised to rows of wte of non-byte ids: V = 261 leaves ids 256..260 */
    const lm_tensor_view *wte = lm_find_tensor(&m, "wte");
    for (int p = 0; p < 4; p++) {
        int found = 0;
        for (int id = 256; id < V && !found; id++)
            found = memcmp(sp.ps.params + p * 32, m.params + wte->offset + (size_t)id * 32, sizeof(float) * 32) == 0;
        assert_true(found);
    }
    for (int s = 0; s < 2; s++) {   /* moments to save */
        for (size_t i = 0; i < sp.ps.n; i++) sp.ps.grads[i] = (float)((int)(i % 7) - 3) * 0.1f;
        lm_adamw opt = lm_adamw_default();
        assert_int_equal(lm_paramset_adamw_step(&sp.ps, &opt, 0.01f, &err), 0);
    }
    char path[128];
    path_in(path, sizeof path, "sp.llm");
    assert_int_equal(lm_softprompt_save(&sp, "task=t\n", path, &err), 0);
    char *meta = NULL;
    assert_int_equal(lm_softprompt_load(&back, &meta, path, &err), 0);
    assert_string_equal(meta, "task=t\n");
    free(meta);
    assert_int_equal(back.n_tokens, 4);
    assert_int_equal(back.d_model, 32);
    assert_int_equal(back.vocab_size, V);
    assert_int_equal(back.base_crc, lm_softprompt_weights_crc(&m));
    assert_int_equal(back.ps.adam_t, 2);
    assert_memory_equal(back.ps.params, sp.ps.params, sizeof(float) * sp.ps.n);
    assert_memory_equal(back.ps.adam_m, sp.ps.adam_m, sizeof(float) * sp.ps.n);
    assert_memory_equal(back.ps.adam_v, sp.ps.adam_v, sizeof(float) * sp.ps.n);
    lm_file_header h;
    assert_int_equal(lm_file_peek(&h, path, &err), 0);
    assert_string_equal(h.kind, "softprompt");
    assert_int_equal(h.tokenizer_len, 0);
    /* a soft prompt is no transformer */
    lm_model other;
    assert_int_equal(lm_load(&other, NULL, path, &err), -1);
    assert_non_null(strstr(err.msg, "softprompt"));
    /* and attaches only to its own model */
    assert_int_equal(lm_softprompt_attach(&back, &m, &err), 0);
    assert_ptr_equal(m.soft_in, back.ps.params);
    lm_softprompt_detach(&m);
    assert_null(m.soft_in);
    lm_model m2 = tiny_model(22);
    assert_int_equal(lm_softprompt_attach(&back, &m2, &err), -1);
    assert_non_null(strstr(err.msg, "CRC"));
    lm_model_free(&m2);
    lm_softprompt_free(&back);
    lm_softprompt_free(&sp);
    assert_int_equal(lm_softprompt_init(&sp, &m, 0, 9, &err), -1);
    assert_int_equal(lm_softprompt_init(&sp, &m, 65, 9, &err), -1);
    assert_int_equal(lm_softprompt_init(&sp, &m, 32, 9, &err), -1);   /* no room left in the context */
    assert_non_null(strstr(err.msg, "no room"));
    lm_model_free(&m);
}

/* path's bytes with the config's i32 field k set to v, and the CRC made right again */
static void patch_config(const char *path, const char *out, int k, uint32_t v) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    size_t at = 56 + 4 * (size_t)k;   /* prefix 16 + common header 40, then the config */
    for (int i = 0; i < 4; i++) buf[at + i] = (uint8_t)(v >> (8 * i));
    uint32_t crc = lm_crc32(0, buf, n - 4);
    for (int i = 0; i < 4; i++) buf[n - 4 + i] = (uint8_t)(crc >> (8 * i));
    f = fopen(out, "wb");
    fwrite(buf, 1, n, f);
    fclose(f);
}

static void load_refused(const char *path, const char *why) {
    lm_softprompt sp;
    lm_err err = {{0}};
    assert_int_equal(lm_softprompt_load(&sp, NULL, path, &err), -1);
    if (!strstr(err.msg, why)) fail_msg("expected \"%s\" in: %s", why, err.msg);
}

static void test_hostile_files(void **state) {
    (void)state;
    lm_model m = tiny_model(31);
    lm_softprompt sp;
    lm_err err = {{0}};
    assert_int_equal(lm_softprompt_init(&sp, &m, 3, 1, &err), 0);
    char good[128], bad[128], gpt[128];
    path_in(good, sizeof good, "good.llm");
    path_in(bad, sizeof bad, "bad.llm");
    path_in(gpt, sizeof gpt, "gpt.llm");
    assert_int_equal(lm_softprompt_save(&sp, NULL, good, &err), 0);
    patch_config(good, bad, 0, 0);
    load_refused(bad, "0 vectors");
    patch_config(good, bad, 0, 65);
    load_refused(bad, "65 vectors");
    patch_config(good, bad, 0, 4);   /* 4 x 32 would need 128 parameters; the file has 96 */
    load_refused(bad, "need 128");
    patch_config(good, bad, 1, 0x7fffffff);
    load_refused(bad, "width");
    patch_config(good, bad, 2, 0);
    load_refused(bad, "vocabulary 0");
    /* a flipped byte in the vectors: the checksum */
    FILE *f = fopen(good, "rb");
    uint8_t buf[2048];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    buf[n - 10] ^= 0x40;
    f = fopen(bad, "wb");
    fwrite(buf, 1, n, f);
    fclose(f);
    load_refused(bad, "checksum");
    /* cut short */
    f = fopen(bad, "wb");
    fwrite(buf, 1, n / 2, f);
    fclose(f);
    load_refused(bad, "bad.llm");
    /* a transformer is not a soft prompt; a folder and a missing file are no files */
    assert_int_equal(lm_save(&m, NULL, gpt, &err), 0);
    load_refused(gpt, "not a soft prompt");
    load_refused(tmpdir, tmpdir);
    load_refused("/nonexistent/sp.llm", "/nonexistent/sp.llm");
    lm_softprompt_free(&sp);
    lm_model_free(&m);
}

/* ---- the objective ---- */

static void test_objective_trains_only_the_soft_prompt(void **state) {
    (void)state;
    lm_model m = tiny_model(41);
    lm_softprompt sp;
    lm_err err = {{0}};
    assert_int_equal(lm_softprompt_init(&sp, &m, 4, 2, &err), 0);
    char path[128];
    path_in(path, sizeof path, "obj.jsonl");
    write_task(path, 60);
    float *before = malloc(sizeof(float) * m.n_params), *soft0 = malloc(sizeof(float) * sp.ps.n);
    memcpy(before, m.params, sizeof(float) * m.n_params);
    memcpy(soft0, sp.ps.params, sizeof(float) * sp.ps.n);
    uint32_t crc = lm_softprompt_weights_crc(&m);

    lm_objective *o = lm_obj_prompt_tune_new(&m, &sp, &err);
    assert_non_null(o);
    lm_data_opts d = {.train_path = path, .B = 4, .seed = 1};
    if (o->ops->prepare(o, NULL, &d, &err)) fail_msg("%s", err.msg);
    assert_int_equal(o->n_train, 57);
    assert_int_equal(o->n_val, 1);   /* 3 held-out items in one batch of 4 */
    assert_non_null(strstr(o->meta, "soft_tokens=4\n"));
    /* rows: 4 soft placeholders, "wN =>", " a\n"; the loss only on " a\n" */
    assert_int_equal(o->ops->next_batch(o, 0, &err), 0);
    const lm_batch *b = &o->batch;
    int trained = 0;
    for (int t = 0; t < b->T; t++) trained += b->mask[t] > 0;
    assert_int_equal(trained, 3);
    for (int t = 0; t < 4; t++) assert_true(b->mask[t] == 0 && b->targets[t] == -1);
    lm_train_opts opts = lm_train_opts_default(5);
    opts.sched.max_lr = 0.05f;
    lm_figures fig = {0}, val = {0};
    for (int s = 0; s < 5; s++) {
        assert_int_equal(o->ops->next_batch(o, s, &err), 0);
        if (o->ops->step(o, NULL, &opts, &fig, &err)) fail_msg("%s", err.msg);
    }
    assert_int_equal(sp.ps.adam_t, 5);
    assert_true(isfinite(lm_figures_get(&fig, "loss")));
    assert_int_equal(o->ops->validate(o, NULL, &val, &err), 0);
    assert_true(isfinite(lm_figures_get(&val, "val_loss")));
    double acc = lm_figures_get(&val, "accuracy");
    assert_true(acc >= 0 && acc <= 1);
    /* the frozen model is bit for bit what it was; the soft prompt moved */
    assert_memory_equal(m.params, before, sizeof(float) * m.n_params);
    assert_int_equal(lm_softprompt_weights_crc(&m), crc);
    assert_memory_not_equal(sp.ps.params, soft0, sizeof(float) * sp.ps.n);
    assert_null(m.adam_m);   /* no optimizer ever touched the model */
    lm_trainee tr;
    assert_int_equal(o->ops->trainee(o, &tr, &err), 0);
    assert_int_equal(tr.adam_t(tr.self), 5);
    /* a weight changed behind its back is caught */
    m.params[7] += 1;
    assert_int_equal(o->ops->validate(o, NULL, &val, &err), -1);
    assert_non_null(strstr(err.msg, "weights changed"));
    m.params[7] -= 1;
    lm_objective_free(o);
    assert_null(m.soft_in);   /* freed objective: detached */
    /* not in the TUI's table: it needs a frozen model and a task file */
    assert_null(lm_objective_create("prompt-tune", &err));
    free(before);
    free(soft0);
    lm_softprompt_free(&sp);
    lm_model_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_soft_equals_own_embeddings),
        cmocka_unit_test(test_soft_gradient_finite_differences),
        cmocka_unit_test(test_task_file),
        cmocka_unit_test(test_task_correct),
        cmocka_unit_test(test_save_load_roundtrip),
        cmocka_unit_test(test_hostile_files),
        cmocka_unit_test(test_objective_trains_only_the_soft_prompt),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
