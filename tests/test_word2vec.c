/* test_word2vec.c - the word2vec model (models/word2vec/) and its objective:
 * the word rule; noise distribution and subsampling against hand-computed
 * numbers; window pairs; the SGNS gradient against finite differences; a
 * model file's round trip and hostile files refused with a message;
 * neighbours and an analogy on a hand-made table whose answers are known by
 * construction, through `llmlab word2vec`; a tiny training run whose loss
 * falls and which resumes where it stopped. */
#include <math.h>

#include "cli/cli.h"
#include "modelfile_fixtures.h"
#include "models/word2vec/sgns.h"
#include "models/word2vec/vocab.h"
#include "models/word2vec/w2v.h"
#include "train/obj_word2vec.h"
#include "cli_capture.h"

/* a w2v file: prefix 16 + common header 40, then the 24-byte config */
#define W_AT_CONFIG 56
#define W_AT_TOK 80

static void test_word_rule(void **state) {
    (void)state;
    static const struct { const char *in, *out; } cases[] = {
        {"The King's men.", "the king s men "},
        {"<|endoftext|>\nA-B", "              a b"},
        {"W\xc3\xbcrzburg", "w\xc3\xbcrzburg"},                 /* u-umlaut stays in the word */
        {"a\xe2\x80\x99" "b\xe2\x80\x94" "c", "a   b   c"},     /* curly quote, em dash: separators */
        {"x\xffy\xc3", "x y "},                                 /* invalid UTF-8 bytes: separators */
        {"1685\t10\xc2\xb0", "1685 10  "},                      /* the degree sign separates */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = strlen(cases[i].in);
        char out[64] = {0};
        lm_w2v_normalize((const uint8_t *)cases[i].in, n, (uint8_t *)out);
        assert_int_equal(strlen(cases[i].out), n);
        assert_string_equal(out, cases[i].out);
    }
}

static void test_vocabulary(void **state) {
    (void)state;
    const char *text = "b a c a b a d d e. A b, rare";
    lm_w2v_vocab v;
    lm_err err = {{0}};
    assert_int_equal(lm_w2v_vocab_build((const uint8_t *)text, strlen(text), 2, 3, &v, &err), 0);
    /* counts: a 4, b 3, d 2, c 1, e 1, rare 1; min count 2 and at most 3 words */
    assert_int_equal(v.n, 3);
    assert_int_equal(v.distinct, 6);
    assert_int_equal(v.total, 12);
    const char *want[3] = {"a", "b", "d"};
    int64_t cnt[3] = {4, 3, 2};
    for (int i = 0; i < 3; i++) {
        size_t len;
        const uint8_t *w = lm_tok_piece(v.words, i, &len);
        assert_int_equal(len, strlen(want[i]));
        assert_memory_equal(w, want[i], len);
        assert_int_equal(v.count[i], cnt[i]);
    }
    /* the text as ids: unknown words dropped */
    int32_t *ids;
    size_t n, dropped;
    int64_t count[3];
    assert_int_equal(lm_w2v_encode(v.words, (const uint8_t *)text, strlen(text), &ids, &n, count, &dropped, &err), 0);
    int32_t want_ids[] = {1, 0, 0, 1, 0, 2, 2, 0, 1};
    assert_int_equal(n, 9);
    assert_int_equal(dropped, 3);
    assert_memory_equal(ids, want_ids, sizeof want_ids);
    assert_int_equal(count[0], 4);
    free(ids);
    lm_w2v_vocab_free(&v);
    /* equal counts are ordered by their bytes; nothing often enough is refused */
    assert_int_equal(lm_w2v_vocab_build((const uint8_t *)"zz y x y x zz", 13, 1, 10, &v, &err), 0);
    size_t len;
    assert_memory_equal(lm_tok_piece(v.words, 0, &len), "x", 1);
    assert_memory_equal(lm_tok_piece(v.words, 2, &len), "zz", 2);
    lm_w2v_vocab_free(&v);
    assert_int_equal(lm_w2v_vocab_build((const uint8_t *)"a b c", 5, 2, 10, &v, &err), -1);
    assert_non_null(strstr(err.msg, "no word occurs 2 times or more"));
}

/* counts 8, 1, 0, 27: P = 8^.75, 1, 0, 27^.75 over their sum (by hand:
 * 4.756828460010884, 1, 0, 11.844666116572432 over 17.601494576583316) */
static void test_noise_distribution(void **state) {
    (void)state;
    int64_t count[4] = {8, 1, 0, 27};
    double cdf[4], z = 17.601494576583316;
    assert_int_equal(lm_sgns_noise_cdf(count, 4, 0.75, cdf, NULL), 0);
    double p[4] = {cdf[0], cdf[1] - cdf[0], cdf[2] - cdf[1], cdf[3] - cdf[2]};
    assert_true(fabs(p[0] - 4.756828460010884 / z) < 1e-12);
    assert_true(fabs(p[1] - 1 / z) < 1e-12);
    assert_true(p[2] == 0);
    assert_true(fabs(p[3] - 11.844666116572432 / z) < 1e-12);
    assert_true(cdf[3] == 1.0);
    lm_rng rng;
    lm_rng_seed(&rng, 3);
    int seen[4] = {0};
    for (int i = 0; i < 100000; i++) seen[lm_sgns_noise_draw(cdf, 4, &rng)]++;
    assert_int_equal(seen[2], 0);   /* a word that never occurs is never drawn */
    for (int w = 0; w < 4; w++) {
        double sd = sqrt(100000 * p[w] * (1 - p[w])) + 1e-9;
        if (fabs(seen[w] - 100000 * p[w]) > 5 * sd) fail_msg("word %d drawn %d times, expected %.0f", w, seen[w], 1e5 * p[w]);
    }
    int64_t none[2] = {0, 0};
    assert_int_equal(lm_sgns_noise_cdf(none, 2, 0.75, cdf, NULL), -1);
}

/* keep = min(1, (sqrt(f/t) + 1) t/f): f = 0.5, t = 1e-3 -> (sqrt(500) + 1) / 500 */
static void test_subsampling(void **state) {
    (void)state;
    int64_t count[3] = {500, 1, 499};
    float keep[3];
    lm_sgns_keep_probs(count, 3, 1000, 1e-3, keep);
    assert_true(fabs(keep[0] - (sqrt(500.0) + 1) / 500) < 1e-7);   /* 0.04672 */
    assert_true(keep[1] == 1.0f);                                     /* a rare word is always kept */
    lm_sgns_keep_probs(count, 3, 1000, 0, keep);
    assert_true(keep[0] == 1.0f && keep[2] == 1.0f);
}

/* a stream of distinct ids 0..99 (the id is the position): every pair is at
 * most `window` apart, never a word with itself */
static void test_window_pairs(void **state) {
    (void)state;
    int32_t ids[100], scratch[64 + 2 * 3 + 1];
    for (int i = 0; i < 100; i++) ids[i] = i;
    lm_sgns_pair pairs[64];
    lm_rng rng;
    lm_rng_seed(&rng, 5);
    int n = lm_sgns_pairs(ids, 100, NULL, 3, &rng, pairs, 64, scratch);
    assert_int_equal(n, 64);
    int far = 0;
    for (int i = 0; i < n; i++) {
        int d = abs(pairs[i].center - pairs[i].context);
        if (d > 50) d = 100 - d;   /* the stream is a circle */
        assert_true(d >= 1 && d <= 3);
        far += d == 3;
    }
    assert_true(far > 0);   /* the window reaches 3 for some centers */
    /* a stream that gives fewer pairs than asked: all it has */
    int32_t two[2] = {4, 7};
    assert_int_equal(lm_sgns_pairs(two, 2, NULL, 5, &rng, pairs, 64, scratch), 2);
}

/* SGNS gradient against central differences (double), on a small case */
static void test_sgns_gradient(void **state) {
    (void)state;
    enum { V = 6, D = 4, N = 5, K = 3 };
    float W[2][V * D], G[2][V * D] = {{0}};
    lm_rng rng;
    lm_rng_seed(&rng, 11);
    for (int t = 0; t < 2; t++)
        for (int i = 0; i < V * D; i++) W[t][i] = lm_rng_normal(&rng);
    lm_sgns_pair pairs[N] = {{0, 1}, {2, 3}, {0, 1}, {5, 5}, {4, 0}};
    int32_t neg[N * K] = {2, 3, 2, 1, 0, 4, 3, 3, 3, 5, 1, 2, 1, 1, 0};
    lm_sgns_loss(W[0], W[1], D, pairs, neg, N, K, G[0], G[1]);
    double worst = 0;
    for (int t = 0; t < 2; t++)
        for (int i = 0; i < V * D; i++) {
            float keep = W[t][i];
            const float h = 1e-2f;
            W[t][i] = keep + h;
            double up = lm_sgns_loss(W[0], W[1], D, pairs, neg, N, K, NULL, NULL);
            W[t][i] = keep - h;
            double down = lm_sgns_loss(W[0], W[1], D, pairs, neg, N, K, NULL, NULL);
            W[t][i] = keep;
            double fd = (up - down) / (2 * h), e = fabs(fd - G[t][i]);
            if (e > worst) worst = e;
        }
    if (worst > 2e-3) fail_msg("gradient differs from finite differences by %g", worst);
}

/* a model over words[] with a hand-made W_in (W_out = W_in + 1) */
static void hand_model(lm_w2v *m, const char *const *words, int V, int D, const float *vec) {
    lm_err err = {{0}};
    lm_tokenizer *t = lm_tok_word_new(words, V, &err);
    assert_non_null(t);
    lm_w2v_config c = {.vocab = V, .dim = D, .window = 2, .negatives = 3, .min_count = 1, .subsample = 0};
    if (lm_w2v_init(m, &c, t, 1, &err)) fail_msg("%s", err.msg);
    lm_tok_free(t);
    memcpy(m->w_in, vec, sizeof(float) * (size_t)V * D);
    for (int i = 0; i < V * D; i++) m->w_out[i] = vec[i] + 1;
}

/* royalty, gender, fruit: king - man + woman is queen, by construction */
static const char *const WORDS[6] = {"king", "queen", "man", "woman", "apple", "pear"};
static const float VEC[6 * 3] = {
    1, 1, 0,       /* king */
    1, -1, 0,      /* queen */
    0, 1, 0.1f,    /* man */
    0, -1, 0.1f,   /* woman */
    0, 0.1f, 1,    /* apple */
    0.1f, 0, 1,    /* pear */
};

static void test_round_trip(void **state) {
    (void)state;
    lm_w2v m, l;
    hand_model(&m, WORDS, 6, 3, VEC);
    m.ps.adam_t = 42;
    char p[300];
    path_of(p, sizeof p, "hand.llm");
    lm_err err = {{0}};
    if (lm_w2v_save(&m, "made=test\n", p, &err)) fail_msg("%s", err.msg);
    char *meta = NULL;
    if (lm_w2v_load(&l, &meta, p, &err)) fail_msg("%s", err.msg);
    assert_memory_equal(&l.cfg, &m.cfg, sizeof m.cfg);
    assert_int_equal(l.ps.n, 36);
    assert_memory_equal(l.ps.params, m.ps.params, sizeof(float) * 36);
    assert_int_equal(l.ps.adam_t, 42);
    assert_string_equal(meta, "made=test\n");
    for (int i = 0; i < 6; i++) assert_int_equal(lm_w2v_find(&l, WORDS[i]), i);
    assert_int_equal(lm_w2v_find(&l, "KING"), 0);   /* lowercased */
    assert_int_equal(lm_w2v_find(&l, "plum"), -1);
    assert_int_equal(lm_w2v_find(&l, "king queen"), -1);
    assert_int_equal(lm_w2v_suggest(&l, "kign"), 0);
    assert_int_equal(lm_w2v_suggest(&l, "xylophone"), -1);
    /* the transformer's loader names the kind it cannot load */
    lm_model g;
    assert_int_equal(lm_load(&g, NULL, p, &err), -1);
    assert_non_null(strstr(err.msg, "word2vec"));
    free(meta);
    lm_w2v_free(&l);
    lm_w2v_free(&m);
}

static void expect_w2v_refused(const uint8_t *b, size_t len, const char *substr) {
    lm_w2v m;
    lm_err err = {{0}};
    assert_int_equal(lm_w2v_load_mem(&m, NULL, b, len, &err), -1);
    if (!strstr(err.msg, substr)) fail_msg("message '%s' lacks '%s'", err.msg, substr);
    assert_null(m.ps.params);
}

static void test_hostile_files(void **state) {
    (void)state;
    lm_w2v m;
    hand_model(&m, WORDS, 6, 3, VEC);
    char p[300];
    path_of(p, sizeof p, "hostile.llm");
    assert_int_equal(lm_w2v_save(&m, "", p, NULL), 0);
    size_t len;
    uint8_t *good = slurp(p, &len), *b = malloc(len);
    static const struct { int field; uint32_t v; const char *why; } cfg[] = {
        {0, 0, "vocabulary of 0 words"},
        {0, 0x7fffffff, "vocabulary of 2147483647 words"},
        {1, 0, "vectors of 0 numbers"},
        {1, 5000, "vectors of 5000 numbers"},
        {0, 1 << 20, "parameters"},                  /* a million words: n_params does not match */
        {2, 0, "window 0"},
        {3, 65, "65 negatives"},
        {4, 0, "min count 0"},
        {5, 0x7fc00000u, "subsample"},               /* NaN */
    };
    for (size_t i = 0; i < sizeof cfg / sizeof cfg[0]; i++) {
        memcpy(b, good, len);
        wr32(b + W_AT_CONFIG + 4 * cfg[i].field, cfg[i].v);
        fix_crc(b, len);
        expect_w2v_refused(b, len, cfg[i].why);
    }
    /* V and D both huge: bounded before anything is allocated */
    memcpy(b, good, len);
    wr32(b + W_AT_CONFIG, 1 << 20);
    wr32(b + W_AT_CONFIG + 4, 1024);
    fix_crc(b, len);
    expect_w2v_refused(b, len, "more than");
    /* a config of 5 words (and 30 numbers) over the list of 6 words */
    lm_file_parts parts;
    lm_w2v_file_head(&m, &parts);
    uint8_t config[LM_W2V_CONFIG_BYTES];
    memcpy(config, m.config, sizeof config);
    wr32(config, 5);
    parts.config = config;
    parts.n_params = 30;
    assert_int_equal(lm_save_parts(&parts, p, NULL), 0);
    free(good);
    good = slurp(p, &len);
    expect_w2v_refused(good, len, "not a word list of 5 words (it is word of 7 ids)");
    /* the tokeniser is not a word list: a byte tokeniser (empty blob) */
    lm_w2v_file_head(&m, &parts);
    parts.tokenizer_len = 0;
    parts.tokenizer = NULL;
    assert_int_equal(lm_save_parts(&parts, p, NULL), 0);
    free(good);
    good = slurp(p, &len);
    expect_w2v_refused(good, len, "not a word list of 6 words");
    /* truncated, and one flipped byte */
    free(good);
    assert_int_equal(lm_w2v_save(&m, "", p, NULL), 0);
    good = slurp(p, &len);
    expect_w2v_refused(good, len - 9, "");
    memcpy(b, good, len);
    b[W_AT_TOK + 3] ^= 1;
    expect_w2v_refused(b, len, "checksum mismatch");
    /* a gpt file is not a word2vec model */
    size_t glen;
    uint8_t *g = valid_file(&glen);
    expect_w2v_refused(g, glen, "kind gpt, not a word2vec model");
    free(g);
    free(good);
    free(b);
    lm_w2v_free(&m);
}

/* `llmlab word2vec ARGS...`: rc, stdout + stderr in *out (malloc'd) */
static int run_w2v(char **argv, int argc, char **out) { return cli_capture(argc, argv, out); }

static void expect_out(char **argv, int argc, int rc, const char *const *want) {
    char *out;
    int got = run_w2v(argv, argc, &out);
    if (got != rc) fail_msg("rc %d, not %d:\n%s", got, rc, out);
    for (; *want; want++)
        if (!strstr(out, *want)) fail_msg("output lacks '%s':\n%s", *want, out);
    free(out);
}

static void test_known_answers(void **state) {
    (void)state;
    lm_w2v m;
    hand_model(&m, WORDS, 6, 3, VEC);
    char p[300];
    path_of(p, sizeof p, "known.llm");
    assert_int_equal(lm_w2v_save(&m, "", p, NULL), 0);
    lm_w2v_free(&m);
    /* king's cosines: man 1 / (sqrt 2 sqrt 1.01) = 0.7036, apple and pear 0.0704
     * (a tie: the lower id first), queen 0, woman -0.7036 */
    char *near[] = {"word2vec", "neighbours", "-m", p, "-k", "5", "king", NULL};
    expect_out(near, 7, 0, (const char *const[]){"nearest to king (id 0)", "1  man ", "0.7036", "2  apple ",
                                                 "3  pear ", "4  queen ", "5  woman ", "-0.7036", NULL});
    /* pear's nearest is apple */
    char *pear[] = {"word2vec", "neighbours", "-m", p, "-k", "1", "pear", NULL};
    expect_out(pear, 7, 0, (const char *const[]){"1  apple ", NULL});
    /* king - man + woman = queen, the inputs left out */
    char *ana[] = {"word2vec", "analogy", "-m", p, "-k", "3", "king", "man", "woman", NULL};
    expect_out(ana, 9, 0, (const char *const[]){"king - man + woman = ?", "1  queen ", NULL});
    char *csv[] = {"word2vec", "analogy", "-m", p, "--csv", "King", "MAN", "woman", NULL};
    expect_out(csv, 8, 0, (const char *const[]){"query,analogy,0,2,3\nanalogy,1,1,\"queen\",", NULL});
    /* unknown word: the closest one */
    char *typo[] = {"word2vec", "neighbours", "-m", p, "qeen", NULL};
    expect_out(typo, 5, 2, (const char *const[]){"'qeen' is not in the vocabulary (6 words of", "did you mean 'queen'?", NULL});
    char *plot[] = {"word2vec", "plot", "-m", p, "king,queen", "apple", "pear", NULL};
    expect_out(plot, 7, 0, (const char *const[]){"PCA of 4 words", "> PC1", NULL});
    char *twice[] = {"word2vec", "plot", "-m", p, "king", "KING", NULL};
    expect_out(twice, 6, 2, (const char *const[]){"'KING' is named twice", NULL});
    char *gpt[] = {"word2vec", "neighbours", "-m", "models/base.llm", "king", NULL};
    expect_out(gpt, 5, 1, (const char *const[]){"kind gpt, not a word2vec model", NULL});
}

/* a tiny training run: the held-out loss falls from (K+1) ln 2, and a
 * resumed run continues at the step it stopped */
static void test_training(void **state) {
    (void)state;
    char text[300], out[300];
    path_of(text, sizeof text, "tiny.txt");
    FILE *f = fopen(text, "w");
    for (int i = 0; i < 400; i++)
        fprintf(f, "the cat sat on the mat . a dog ran in the park . %s\n", i % 2 ? "red green blue" : "one two three");
    fclose(f);
    path_of(out, sizeof out, "tiny.llm");
    lm_w2v_config c = {.vocab = 100, .dim = 8, .window = 2, .negatives = 3, .min_count = 1, .subsample = 0};
    lm_err err = {{0}};
    lm_objective *o = lm_obj_word2vec_new(&c, NULL, &err);
    assert_non_null(o);
    lm_data_opts d = {.train_path = text, .B = 64, .T = 1, .val_batches = 4, .seed = 9};
    if (o->ops->prepare(o, NULL, &d, &err)) fail_msg("%s", err.msg);
    const lm_w2v *m = lm_obj_word2vec_model(o);
    assert_int_equal(m->cfg.vocab, 16);   /* '.' is no word */
    lm_figures v0 = {0}, v1 = {0};
    assert_int_equal(o->ops->validate(o, NULL, &v0, &err), 0);
    assert_true(fabs(lm_figures_get(&v0, "val_loss") - 4 * log(2)) < 1e-3);   /* W_out = 0: every sigma 1/2 */
    lm_train_opts opts = lm_train_opts_default(200);
    opts.sched.max_lr = 0.05f;
    opts.sched.min_lr = 0.0001f;
    for (int s = 0; s < 200; s++) {
        lm_figures fs = {0};
        assert_int_equal(o->ops->next_batch(o, s, &err), 0);
        assert_int_equal(o->ops->step(o, NULL, &opts, &fs, &err), 0);
        if (s == 0) assert_true(fabs(lm_figures_get(&fs, "lr") - 0.05) < 1e-6);
        if (s == 199) assert_true(lm_figures_get(&fs, "lr") < 0.001);   /* linear decay */
    }
    assert_int_equal(o->ops->validate(o, NULL, &v1, &err), 0);
    double l0 = lm_figures_get(&v0, "val_loss"), l1 = lm_figures_get(&v1, "val_loss");
    if (!(l1 < l0 - 0.5)) fail_msg("val_loss %g -> %g", l0, l1);
    /* the gradient buffers are back to zero after each step */
    for (size_t i = 0; i < m->ps.n; i++) assert_true(m->ps.grads[i] == 0);
    lm_trainee t;
    assert_int_equal(o->ops->trainee(o, &t, &err), 0);
    assert_int_equal(t.adam_t(t.self), 200);
    assert_int_equal(t.save(t.self, "made=test\n", out, &err), 0);
    lm_objective_free(o);
    /* through the command: --resume continues to 260 */
    char *res[] = {"word2vec", "train", "--resume", "-o", out, "--data", text, "--steps", "260", "--batch", "64", NULL};
    expect_out(res, 11, 0, (const char *const[]){"steps 200..260", "word2vec: step 260", NULL});
    lm_w2v l;
    assert_int_equal(lm_w2v_load(&l, NULL, out, &err), 0);
    assert_int_equal(l.ps.adam_t, 260);
    lm_w2v_free(&l);
    char *bad[] = {"word2vec", "train", "--resume", "-o", out, "--dim", "9", NULL};
    expect_out(bad, 7, 2, (const char *const[]){"--dim, --window", NULL});
    char *seq[] = {"word2vec", "train", "--data", text, "-o", out, "--seq", "9", NULL};
    expect_out(seq, 8, 2, (const char *const[]){"--seq, --warmup and --clip do not apply", NULL});
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_word_rule),
        cmocka_unit_test(test_vocabulary),
        cmocka_unit_test(test_noise_distribution),
        cmocka_unit_test(test_subsampling),
        cmocka_unit_test(test_window_pairs),
        cmocka_unit_test(test_sgns_gradient),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_hostile_files),
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_training),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
