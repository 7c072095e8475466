/* cmd_info.c - `llmlab info MODEL`: what is inside a model file. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "io/modelfile.h"
#include "cli/opts.h"
#include "cli/sandbox.h"
#include "cli/show.h"

static const char *usage =
    "usage: llmlab info [MODEL]\n"
    "Shows a model file's kind and format version, configuration, parameter\n"
    "count, tokeniser and how it was made. Without MODEL, the current model\n"
    "(default models/base.llm).\n";

/* another kind than gpt: what every model file says (its kind's own
 * config is in the "made by" lines its training writes) */
static int info_parts(cli_ctx *ctx, const char *path, const lm_file_header *head) {
    lm_file_parts p;
    lm_err err = {{0}};
    if (lm_load_parts(&p, path, &err) != 0) {
        fprintf(ctx->err, "llmlab info: %s\n", err.msg);
        return 1;
    }
    lm_tokenizer *tok = p.tokenizer_len ? lm_tok_deserialize(p.tokenizer, p.tokenizer_len, &err) : lm_tok_byte_new();
    fputs("model        ", ctx->out);
    show_str(ctx->out, path);
    fputs("\nkind         ", ctx->out);
    show_str(ctx->out, head->kind);
    fprintf(ctx->out, " (file format %u)\n", head->version);
    fprintf(ctx->out, "parameters   %llu (%.2f MB as f32)\n", (unsigned long long)p.n_params, p.n_params * 4.0 / 1e6);
    fprintf(ctx->out, "steps        %d\n", p.adam_t);
    fputs("tokeniser    ", ctx->out);
    show_str(ctx->out, tok ? lm_tok_name(tok) : "unreadable: ");
    if (tok) fprintf(ctx->out, ", %d ids\n", lm_tok_vocab_size(tok));
    else { show_str(ctx->out, err.msg); fputc('\n', ctx->out); }
    if (p.metadata[0]) {
        fprintf(ctx->out, "made by\n");
        for (char *line = strtok(p.metadata, "\n"); line; line = strtok(NULL, "\n")) {
            fputs("  ", ctx->out);
            show_str(ctx->out, line);
            fputc('\n', ctx->out);
        }
    }
    lm_tok_free(tok);
    lm_file_parts_free(&p);
    return 0;
}

int cmd_info(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h') { fputs(usage, ctx->out); return 0; }
        return cli_bad_option(ctx, "info", argc, argv, "h", longopts);
    }
    if (argc - optind > 1) return cli_usage_error(ctx, "info", "one MODEL at most");
    const char *path = optind < argc ? cli_path_for_read(ctx, "info", argv[optind]) : ctx->model_path;
    if (!path) return 1;
    lm_model m;
    char *meta = NULL;
    lm_err err = {{0}};
    lm_file_header head;
    if (lm_file_peek(&head, path, &err) == 0 && strcmp(head.kind, LM_KIND_GPT) != 0 &&
        strcmp(head.kind, LM_KIND_ENCODER) != 0)   /* an encoder is gpt-shaped: the full description */
        return info_parts(ctx, path, &head);
    if (lm_file_peek(&head, path, &err) != 0 || lm_load(&m, &meta, path, &err) != 0) {
        fprintf(ctx->err, "llmlab info: %s\n", err.msg);   /* lm_load names the path */
        return 1;
    }
    const lm_config *k = &m.cfg;
    lm_tokenizer *tok = m.tokenizer_len ? lm_tok_deserialize(m.tokenizer_blob, m.tokenizer_len, &err)
                                        : lm_tok_byte_new();
    /* the path, kind, tokeniser name and metadata come from outside: escaped (show.h) */
    fputs("model        ", ctx->out);
    show_str(ctx->out, path);
    fputs("\nkind         ", ctx->out);
    show_str(ctx->out, head.kind);
    fprintf(ctx->out, " (file format %u)\n", head.version);
    fprintf(ctx->out, "layers       %d\n", k->n_layer);
    fprintf(ctx->out, "heads        %d (head width %d)\n", k->n_head, k->d_model / k->n_head);
    fprintf(ctx->out, "width        %d\n", k->d_model);
    fprintf(ctx->out, "mlp          %d\n", k->d_mlp);
    fprintf(ctx->out, "context      %d\n", k->n_ctx);
    fprintf(ctx->out, "vocabulary   %d\n", k->vocab_size);
    fprintf(ctx->out, "positions    %s\n", lm_pos_name(k->pos));
    fprintf(ctx->out, "activation   %s\n", lm_act_name(k->act));
    fprintf(ctx->out, "attention    %s\n", m.bidirectional ? "bidirectional (an encoder: no causal mask)" : "causal");
    fprintf(ctx->out, "parameters   %zu (%.2f MB as f32)\n", m.n_params, m.n_params * 4.0 / 1e6);
    fprintf(ctx->out, "adamw steps  %d\n", m.adam_t);
    fputs("tokeniser    ", ctx->out);
    show_str(ctx->out, tok ? lm_tok_name(tok) : "unreadable: ");
    if (tok) fprintf(ctx->out, ", %d ids\n", lm_tok_vocab_size(tok));
    else { show_str(ctx->out, err.msg); fputc('\n', ctx->out); }
    if (meta && meta[0]) {
        fprintf(ctx->out, "made by\n");
        for (char *line = strtok(meta, "\n"); line; line = strtok(NULL, "\n")) {
            fputs("  ", ctx->out);
            show_str(ctx->out, line);
            fputc('\n', ctx->out);
        }
    }
    if (tok) lm_tok_free(tok);
    free(meta);
    lm_model_free(&m);
    return 0;
}
