/* cmd_tokenize.c - `llmlab tokenize`: text to tokens under any tokeniser,
 * with the BPE merge trace or the letters overlay. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tok/letters.h"
#include "cli/opts.h"
#include "cli/show.h"

static const char *usage =
    "usage: llmlab tokenize [-t TOKENIZER] [--ids | --trace | --letters [--count L]] TEXT | -\n"
    "Splits TEXT into tokens. '-' reads raw bytes from stdin, unchanged.\n"
    "  -t TOKENIZER   char | word | bpe (the model's own, default) | gpt2 | r50k_base |\n"
    "                 cl100k_base | o200k_base | a .tiktoken file | a model file |\n"
    "                 a tokeniser file from `llmlab bpe-train`\n"
    "  --dict FILE    with -t word: build the dictionary from FILE (default: TEXT)\n"
    "  --words LIST   with -t word: exactly this dictionary, ids in order: a,invention,good\n"
    "  --special      let special markers such as <|endoftext|> become their ids\n"
    "  --ids          print only the ids, separated by single spaces\n"
    "  --trace        print every BPE merge applied, step by step\n"
    "  --letters      show which letters fall in which token\n"
    "  --count L      count the letter L across token boundaries (implies --letters)\n"
    "  --ignore-case  count L in either case\n";

static void print_piece(cli_ctx *ctx, const lm_tokenizer *t, int32_t id, int i) {
    size_t len;
    const uint8_t *b = lm_tok_piece(t, id, &len);
    char buf[256];
    if (b) show_piece(b, len, !show_unicode_ok(), buf, sizeof buf);
    else snprintf(buf, sizeof buf, "<%d>", id);
    if (ctx->color) fprintf(ctx->out, "\x1b[30;48;5;%dm%s\x1b[0m", show_token_color(i), buf);
    else fprintf(ctx->out, "[%s]", buf);
}

static void print_strip(cli_ctx *ctx, const lm_tokenizer *t, const int32_t *ids, size_t n) {
    for (size_t i = 0; i < n; i++) print_piece(ctx, t, ids[i], (int)i);
    fputc('\n', ctx->out);
}

static int do_trace(cli_ctx *ctx, const lm_tokenizer *t, const uint8_t *text, size_t len) {
    lm_bpe_trace tr;
    lm_err err = {{0}};
    if (lm_tok_encode_trace(t, text, len, &tr, &err)) {
        fprintf(ctx->err, "llmlab tokenize: %s\n", err.msg);
        return 1;
    }
    fprintf(ctx->out, "%zu pre-tokenised pieces; start from %zu bytes:\n", tr.n_pieces, tr.n_initial);
    print_strip(ctx, t, tr.initial, tr.n_initial);
    for (size_t s = 0; s < tr.n_steps; s++) {
        const lm_bpe_step *st = &tr.steps[s];
        fprintf(ctx->out, "step %zu: ", s + 1);
        if (st->merged < 0) {
            fprintf(ctx->out, "invalid UTF-8: the piece goes back to raw bytes, %zu tokens:\n  ", st->n_tokens);
            print_strip(ctx, t, st->tokens, st->n_tokens);
            continue;
        } else if (st->left < 0) {
            fputs("whole piece is a token -> ", ctx->out);
        } else {
            print_piece(ctx, t, st->left, 0);
            fputs(" + ", ctx->out);
            print_piece(ctx, t, st->right, 1);
            fputs(" -> ", ctx->out);
        }
        print_piece(ctx, t, st->merged, 2);
        fprintf(ctx->out, " (id %d), %zu tokens:\n  ", st->merged, st->n_tokens);
        print_strip(ctx, t, st->tokens, st->n_tokens);
    }
    fprintf(ctx->out, "%zu merges\n", tr.n_steps);
    lm_bpe_trace_free(&tr);
    return 0;
}

static int do_letters(cli_ctx *ctx, const lm_tokenizer *t, const lm_ids *ids, const char *letter,
                      int icase) {
    lm_letters L;
    lm_err err = {{0}};
    if (lm_letters_analyze(t, ids->ids, ids->n, letter, icase, &L, &err)) {
        fprintf(ctx->err, "llmlab tokenize: %s\n", err.msg);
        return 1;
    }
    for (size_t i = 0; i < L.n_tokens; i++) {
        const lm_letters_token *tk = &L.tokens[i];
        fprintf(ctx->out, "%3zu  %6d  ", i, ids->ids[i]);
        print_piece(ctx, t, ids->ids[i], (int)i);
        fputs("  letters:", ctx->out);
        for (size_t j = 0; j < tk->n_chars; j++) {
            size_t off = L.chars[tk->first_char + j].off, len = L.chars[tk->first_char + j].len;
            fputc(' ', ctx->out);
            char buf[64];
            show_piece(L.text + off, len, !show_unicode_ok(), buf, sizeof buf);
            int hit = letter && L.chars[tk->first_char + j].match;
            if (hit) show_color(ctx->out, ctx->color, "1;31");
            fputs(hit && !ctx->color ? "(" : "", ctx->out);
            fputs(buf, ctx->out);
            fputs(hit && !ctx->color ? ")" : "", ctx->out);
            if (hit) show_reset(ctx->out, ctx->color);
        }
        if (letter) fprintf(ctx->out, "   %d x '%s'", tk->count, letter);
        fputc('\n', ctx->out);
    }
    if (letter) {
        int with = 0;
        for (size_t i = 0; i < L.n_tokens; i++) with += L.tokens[i].count > 0;
        fprintf(ctx->out, "'%s' occurs %d times in the text, spread over %d of %zu tokens.\n", letter,
                L.total, with, L.n_tokens);
        fputs("The model sees token ids, not letters: it has to have learned how each token is spelled.\n",
              ctx->out);
    }
    lm_letters_free(&L);
    return 0;
}

/* "a,invention,better,good,less" -> a word tokeniser with exactly those ids */
static lm_tokenizer *word_list_tokenizer(const char *list, lm_err *err) {
    char *copy = strdup(list);
    int cap = 1;
    for (const char *p = list; *p; p++) cap += *p == ',';
    const char **words = malloc(sizeof(char *) * (size_t)cap);
    lm_tokenizer *t = NULL;
    if (copy && words) {
        int n = 0;
        for (char *w = strtok(copy, ","); w; w = strtok(NULL, ",")) words[n++] = w;
        t = lm_tok_word_new(words, n, err);
    }
    free(words);
    free(copy);
    return t;
}

int cmd_tokenize(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},       {"tokenizer", required_argument, 0, 't'},
        {"ids", no_argument, 0, 'i'},        {"trace", no_argument, 0, 'r'},
        {"letters", no_argument, 0, 'l'},    {"count", required_argument, 0, 'c'},
        {"ignore-case", no_argument, 0, 'I'}, {"dict", required_argument, 0, 'd'},
        {"special", no_argument, 0, 's'},    {"words", required_argument, 0, 'w'},
        {0, 0, 0, 0}};
    const char *spec = "bpe", *count = NULL, *dict = NULL, *words = NULL;
    int mode = 0, icase = 0, special = 0;   /* mode: 0 pieces, 'i' ids, 'r' trace, 'l' letters */
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "ht:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 't': spec = optarg; break;
        case 'i': case 'r': case 'l':
            if (mode && mode != c) return cli_usage_error(ctx, "tokenize", "--ids, --trace and --letters exclude each other");
            mode = c;
            break;
        case 'c':
            if (mode && mode != 'l') return cli_usage_error(ctx, "tokenize", "--count goes with --letters");
            if (!optarg[0]) return cli_usage_error(ctx, "tokenize", "--count wants a letter");
            count = optarg;
            mode = 'l';
            break;
        case 'I': icase = 1; break;
        case 'd': dict = optarg; break;
        case 'w': words = optarg; break;
        case 's': special = 1; break;
        default: return cli_bad_option(ctx, "tokenize", argc, argv, "ht:", longopts);
        }
    }
    uint8_t *text;
    size_t len;
    if (cli_read_text(ctx, "tokenize", argc, argv, optind, &text, &len)) return 2;
    lm_err err = {{0}};
    lm_tokenizer *t = NULL;
    if (strcmp(spec, "word") == 0 && words) {
        t = word_list_tokenizer(words, &err);
    } else if (strcmp(spec, "word") == 0) {
        uint8_t *dtext = text;
        size_t dlen = len;
        if (dict && cli_read_file(ctx, dict, &dtext, &dlen)) { free(text); return 1; }
        t = lm_tok_word_from_text(dtext, dlen, &err);
        if (dtext != text) free(dtext);
    } else {
        t = cli_open_tokenizer(ctx, spec, &err);
    }
    if (!t) {
        if (strstr(err.msg, spec)) fprintf(ctx->err, "llmlab tokenize: cannot use the tokeniser: %s\n", err.msg);
        else fprintf(ctx->err, "llmlab tokenize: tokeniser '%s': %s\n", spec, err.msg);
        free(text);
        return 1;
    }
    int rc = 0;
    lm_ids ids = {0};
    if (mode == 'r') {
        rc = do_trace(ctx, t, text, len);
    } else if (lm_tok_encode(t, text, len, special, &ids, &err)) {
        fprintf(ctx->err, "llmlab tokenize: %s\n", err.msg);
        rc = 1;
    } else if (mode == 'i') {
        for (size_t i = 0; i < ids.n; i++) fprintf(ctx->out, i ? " %d" : "%d", ids.ids[i]);
        fputc('\n', ctx->out);
    } else if (mode == 'l') {
        rc = do_letters(ctx, t, &ids, count, icase);
    } else {
        show_str(ctx->out, lm_tok_name(t));   /* a tokeniser file's name is from outside (show.h) */
        fprintf(ctx->out, ": %zu bytes -> %zu tokens\n", len, ids.n);
        for (size_t i = 0; i < ids.n; i++) {
            print_piece(ctx, t, ids.ids[i], (int)i);
            fprintf(ctx->out, " %d%s", ids.ids[i], i + 1 < ids.n ? "  " : "\n");
        }
    }
    lm_ids_free(&ids);
    lm_tok_free(t);
    free(text);
    return rc;
}
