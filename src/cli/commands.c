/* commands.c - the one table of commands (see cli.h). Each command lives in
 * its own file src/cli/cmd_NAME.c; add a line here when you add one. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

int cmd_info(cli_ctx *ctx, int argc, char **argv);
int cmd_init(cli_ctx *ctx, int argc, char **argv);
int cmd_generate(cli_ctx *ctx, int argc, char **argv);
int cmd_tokenize(cli_ctx *ctx, int argc, char **argv);
int cmd_bpe_train(cli_ctx *ctx, int argc, char **argv);
int cmd_train(cli_ctx *ctx, int argc, char **argv);
int cmd_sft(cli_ctx *ctx, int argc, char **argv);
int cmd_mlm(cli_ctx *ctx, int argc, char **argv);        /* cmd_mlm.c */
int cmd_eval(cli_ctx *ctx, int argc, char **argv);
int cmd_scaling(cli_ctx *ctx, int argc, char **argv);   /* cmd_scaling.c */
int cmd_lesson(cli_ctx *ctx, int argc, char **argv);
/* The text UI sits above the command layer (its ':' line runs these
 * commands), so the table reaches it through a pointer that main.c sets. */
int (*cli_ui_entry)(cli_ctx *ctx, int argc, char **argv);
static int cmd_ui(cli_ctx *ctx, int argc, char **argv) {
    if (!cli_ui_entry) {
        fprintf(ctx->err, "llmlab: this build has no text UI\n");
        return 1;
    }
    return cli_ui_entry(ctx, argc, argv);
}
int cmd_next(cli_ctx *ctx, int argc, char **argv);
int cmd_attention(cli_ctx *ctx, int argc, char **argv);
int cmd_lens(cli_ctx *ctx, int argc, char **argv);
int cmd_qk(cli_ctx *ctx, int argc, char **argv);         /* cmd_qk.c */
int cmd_block(cli_ctx *ctx, int argc, char **argv);      /* cmd_block.c */
int cmd_positions(cli_ctx *ctx, int argc, char **argv);  /* cmd_block.c */
int cmd_cost(cli_ctx *ctx, int argc, char **argv);       /* cmd_cost.c */
int cmd_embed(cli_ctx *ctx, int argc, char **argv);
int cmd_word2vec(cli_ctx *ctx, int argc, char **argv);
int cmd_score(cli_ctx *ctx, int argc, char **argv);
int cmd_lms(cli_ctx *ctx, int argc, char **argv);
int cmd_ngram(cli_ctx *ctx, int argc, char **argv);      /* cmd_ngram.c */
int cmd_repl(cli_ctx *ctx, int argc, char **argv);
int cmd_help(cli_ctx *ctx, int argc, char **argv);
int cmd_set(cli_ctx *ctx, int argc, char **argv);
int cmd_show(cli_ctx *ctx, int argc, char **argv);
int cmd_load(cli_ctx *ctx, int argc, char **argv);
int cmd_preset(cli_ctx *ctx, int argc, char **argv);
int cmd_tictactoe(cli_ctx *ctx, int argc, char **argv);   /* cmd_tictactoe.c */
int cmd_fflm(cli_ctx *ctx, int argc, char **argv);       /* cmd_fflm.c */
int cmd_rnn(cli_ctx *ctx, int argc, char **argv);        /* cmd_rnn.c */
int cmd_prompt_tune(cli_ctx *ctx, int argc, char **argv);   /* cmd_prompt_tune.c */

const cli_command cli_commands[] = {
    {"ui", "the text UI (what `llmlab` with no arguments opens)", cmd_ui},
    {"tokenize", "split text into tokens under any tokeniser (--ids, --trace, --letters)", cmd_tokenize},
    {"generate", "continue a prompt (greedy or sampled; --chat for the chat template)", cmd_generate},
    {"next", "the most likely next tokens after a prompt, as bars", cmd_next},
    {"attention", "one attention head's matrix over a prompt's tokens", cmd_attention},
    {"lens", "the logit lens: what each layer would predict (--ablate to knock out heads)", cmd_lens},
    {"qk", "inside one attention head: Q.K scores, the causal mask, softmax, q k v", cmd_qk},
    {"block", "one position's path through a block: LayerNorm, attention, MLP, norms", cmd_block},
    {"positions", "the model's position encodings (learned, sinusoidal or rotary)", cmd_positions},
    {"cost", "time a parallel forward against KV-cache and no-cache decoding", cmd_cost},
    {"embed", "the token embedding table: nearest neighbours, analogies, a PCA picture", cmd_embed},
    {"word2vec", "word vectors from co-occurrence: train skip-gram, neighbours, analogies, a plot", cmd_word2vec},
    {"score", "the probability of a text, token by token (chain rule); two texts compared", cmd_score},
    {"lms", "language models of every kind on one number (bits per byte), side by side", cmd_lms},
    {"tictactoe", "Q-learning on tic-tac-toe: train, watch TD updates, play, Q values", cmd_tictactoe},
    {"ngram", "an n-gram model: count a text, smooth (add-k, Kneser-Ney), perplexity, next, generate", cmd_ngram},
    {"bpe-train", "learn a BPE tokeniser from a text file, merge by merge", cmd_bpe_train},
    {"train", "pretrain a model on a text corpus (steps, checkpoints, resume)", cmd_train},
    {"sft", "supervised fine-tuning on chat data, loss masked to the answers", cmd_sft},
    {"scaling", "scaling laws: train model sizes x token budgets, fit and plot L = a N^-alpha", cmd_scaling},
    {"fflm", "Bengio's feed-forward LM: train one, see the fixed window it reads", cmd_fflm},
    {"rnn", "recurrent LMs (Elman, GRU): train, the vanishing gradient per step, generate", cmd_rnn},
    {"prompt-tune", "train a soft prompt in front of a frozen model; compare with zero/few-shot", cmd_prompt_tune},
    {"mlm", "the encoder: train it by masked-LM (BERT), fill [MASK] beside a decoder's guess", cmd_mlm},
    {"eval", "named evaluations beside trivial baselines: loss, facts, I-don't-know, sums, RAG, few-shot", cmd_eval},
    {"lesson", "run a scripted lesson (--headless checks it)", cmd_lesson},
    {"init", "write a randomly initialised model of a given config", cmd_init},
    {"info", "describe a model file: config, parameters, tokeniser, how it was made", cmd_info},
    {"repl", "run commands one line at a time (or a script from stdin)", cmd_repl},
    {"set", "change a decoding setting: set temperature 0.7", cmd_set},
    {"show", "print the current model and decoding settings", cmd_show},
    {"load", "make a model file the current model", cmd_load},
    {"preset", "save or show a preset (prompt, view, settings) that `ui --preset NAME` opens", cmd_preset},
    {"help", "list the commands, or explain one: help generate", cmd_help},
    {NULL, NULL, NULL},
};

const cli_command *cli_find(const char *name) {
    for (const cli_command *c = cli_commands; c->name; c++)
        if (strcmp(c->name, name) == 0) return c;
    return NULL;
}
