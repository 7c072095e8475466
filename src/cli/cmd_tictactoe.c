/* cmd_tictactoe.c - `llmlab tictactoe`: the lecture's Q-learning on
 * tic-tac-toe (rl/qlearn.h). Sub-commands: train (a table of the win rate
 * while it learns), steps (the TD updates of a game one by one), play (a
 * game drawn board by board), q (the Q values of a board), eval (test games
 * against random and perfect players). An agent is saved as a model file of
 * kind qtable (rl/qtable.h). */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/progress.h"
#include "cli/sandbox.h"
#include "cli/show.h"
#include "cli/trainloop.h"
#include "cli/ttt_show.h"
#include "io/atomic.h"
#include "rl/qtable.h"

static const char *usage =
    "usage: llmlab tictactoe train|steps|play|q|eval [OPTIONS]   (each has --help)\n"
    "Reinforcement learning on tic-tac-toe with a Q table: the agent learns\n"
    "Q(s, a), its estimate of the future reward of move a on board s, from\n"
    "games alone: reward +1 for a win, 0 for a draw, -1 for a loss. After each\n"
    "of its moves it makes the temporal-difference (TD) update\n"
    "  Q(s,a) <- Q(s,a) + alpha * (r + gamma * max_a' Q(s',a') - Q(s,a))   Q-learning\n"
    "  Q(s,a) <- Q(s,a) + alpha * (r + gamma * Q(s',a') - Q(s,a))          SARSA\n"
    "where s' is the board it moves on next (the opponent's reply is part of\n"
    "the environment). It explores epsilon-greedily: a random move with\n"
    "probability epsilon, else the move with the largest Q.\n"
    "  train    learn for N games; a table of test-game results as it learns\n"
    "  steps    show every TD update of a game, number by number\n"
    "  play     a game of an agent against random, perfect or itself\n"
    "  q        the Q values of every free cell of a board, like x.o......\n"
    "  eval     test games against the random and the perfect player\n"
    "Boards are 9 cells in reading order, '.' empty, 'x' or 'o' (x moves first);\n"
    "cells are numbered 1..9:\n"
    "      1 2 3\n      4 5 6\n      7 8 9\n"
    "An agent file (-o, -m) is a model file of kind qtable; without -m a command\n"
    "uses an untrained agent (every Q = 0: it plays at random).\n";

#define LEARN_HELP                                                                                 \
    "  --opponent random|self|perfect   who it learns against (default random); with\n"          \
    "                     random and perfect it plays x and o in turn, with self both\n"        \
    "                     sides of every game, learning from each\n"                           \
    "  --rule q|sarsa     the update: Q-learning (max over a') or SARSA (default q)\n"         \
    "  --alpha A          learning rate, 0 < A <= 1 (default 0.5)\n"                           \
    "  --gamma G          discount of the next state, 0..1 (default 0.9)\n"                    \
    "  --epsilon E        probability of a random move while learning (default 0.1)\n"         \
    "  --seed S           random seed, so a run replays exactly (default 42)\n"                \
    "  -m AGENT           go on from a saved agent (default: a new one, every Q = 0)\n"

static const char *usage_train =
    "usage: llmlab tictactoe train [--episodes N] [--every N] [--test-games N]\n"
    "                              [--epsilon-end E] [LEARNING OPTIONS] [-o OUT]\n"
    "Plays N training games (the agent makes its TD updates as it plays), and every N\n"
    "games pauses for test games: the agent plays greedily (epsilon 0), learns nothing,\n"
    "half the games as x and half as o, against the random player and against\n"
    "the perfect (minimax) player, which never loses. One row per pause: the\n"
    "share of test games won, drawn and lost, and how many boards have a\n"
    "learned (non-zero) Q value. Test games draw from their own generator, so\n"
    "testing more or less often never changes what the agent learns.\n"
    "Ctrl-C stops after the current game and saves what was learned.\n"
    "  --episodes N       training games (default 20000)\n"
    "  --every N          test every N games (default a tenth of the run)\n"
    "  --test-games N     test games per side and opponent (default 500)\n"
    "  --epsilon-end E    lower epsilon linearly to E over the run (default: keep it)\n"
    LEARN_HELP
    "  -o OUT             save the agent (a model file of kind qtable)\n";

static const char *usage_steps =
    "usage: llmlab tictactoe steps [--games N] [--skip K] [LEARNING OPTIONS] [-o OUT]\n"
    "Plays K training games quietly, then N more (default 1) showing each move\n"
    "and every TD update they make: the board s, the move a, the board s' the\n"
    "agent moves on next, the reward r, the target r + gamma * max Q(s', a') (or\n"
    "r alone at the end of the game), and Q(s, a) before and after. The games\n"
    "are the same as in `train` with the same seed and options.\n"
    "  --games N          games to show (default 1, at most 100)\n"
    "  --skip K           training games played first, not shown (default 0)\n"
    LEARN_HELP
    "  -o OUT             save the agent afterwards\n";

static const char *usage_play =
    "usage: llmlab tictactoe play [-m AGENT] [--opponent random|perfect|self] [--as x|o]\n"
    "                             [--seed S]\n"
    "A game of the agent, playing greedily (the largest Q, no exploring), drawn\n"
    "board by board; each of its moves shows the Q value it chose by.\n"
    "  -m AGENT           the agent (default: untrained, so it plays at random)\n"
    "  --opponent O       random (default), perfect (minimax) or self\n"
    "  --as x|o           the agent's side (default x; x moves first)\n"
    "  --seed S           random seed (default 42)\n";

static const char *usage_q =
    "usage: llmlab tictactoe q [-m AGENT] BOARD\n"
    "The agent's Q(s, a) for every free cell of BOARD (9 cells in reading order,\n"
    "'.' empty, 'x' or 'o', like x.o...... or x.o/.../...; it must be a board a\n"
    "game can reach, with a move left), the move it would play (the largest Q)\n"
    "and, for reference, the moves of the perfect (minimax) player.\n"
    "  -m AGENT           the agent (default: untrained, every Q = 0)\n";

static const char *usage_eval =
    "usage: llmlab tictactoe eval [-m AGENT] [--games N] [--seed S]\n"
    "Test games of the agent (greedy, learning nothing) against the random\n"
    "player and against the perfect (minimax) player: N as x and N as o against\n"
    "each; the share won, drawn and lost.\n"
    "  -m AGENT           the agent (default: untrained, so it plays at random)\n"
    "  --games N          games per side and opponent (default 1000)\n"
    "  --seed S           random seed (default 42)\n";

/* ---- options shared by the sub-commands ---- */

typedef struct {
    const char *cmd;           /* "tictactoe train", ... (messages) */
    const char *agent, *out;   /* -m, -o */
    ttt_learning L;
    ttt_opponent opp;
    int side;                  /* play --as */
    uint64_t seed;
    int episodes, every, test_games, games, skip;
    float epsilon_end;         /* < 0: keep epsilon */
} ttt_opts;

enum { O_OPP = 3001, O_RULE, O_ALPHA, O_GAMMA, O_EPS, O_EPS_END, O_SEED, O_EPISODES, O_EVERY, O_TEST, O_GAMES,
       O_SKIP, O_AS };

static int parse_opponent(cli_ctx *ctx, ttt_opts *o, const char *s) {
    if (strcmp(s, "random") == 0) o->opp = TTT_VS_RANDOM;
    else if (strcmp(s, "perfect") == 0 || strcmp(s, "minimax") == 0) o->opp = TTT_VS_PERFECT;
    else if (strcmp(s, "self") == 0) o->opp = TTT_VS_SELF;
    else {
        fprintf(ctx->err, "llmlab %s: --opponent is random, perfect or self, not '%s'\n", o->cmd, s);
        return -1;
    }
    return 0;
}

/* One option of any sub-command: 1 applied, -1 bad value, 0 not one of them. */
static int common_option(cli_ctx *ctx, ttt_opts *o, int c, const char *arg) {
    switch (c) {
    case 'm': o->agent = arg; return 1;
    case 'o': o->out = arg; return 1;
    case O_OPP: return parse_opponent(ctx, o, arg) ? -1 : 1;
    case O_RULE:
        if (strcmp(arg, "q") == 0 || strcmp(arg, "q-learning") == 0) o->L.rule = TTT_Q_LEARNING;
        else if (strcmp(arg, "sarsa") == 0) o->L.rule = TTT_SARSA;
        else {
            fprintf(ctx->err, "llmlab %s: --rule is q or sarsa, not '%s'\n", o->cmd, arg);
            return -1;
        }
        return 1;
    case O_ALPHA: return cli_parse_float(ctx, o->cmd, "--alpha", arg, 1e-6, 1, &o->L.alpha) ? -1 : 1;
    case O_GAMMA: return cli_parse_float(ctx, o->cmd, "--gamma", arg, 0, 1, &o->L.gamma) ? -1 : 1;
    case O_EPS: return cli_parse_float(ctx, o->cmd, "--epsilon", arg, 0, 1, &o->L.epsilon) ? -1 : 1;
    case O_EPS_END: return cli_parse_float(ctx, o->cmd, "--epsilon-end", arg, 0, 1, &o->epsilon_end) ? -1 : 1;
    case O_SEED: return cli_parse_u64(ctx, o->cmd, "--seed", arg, &o->seed) ? -1 : 1;
    case O_EPISODES: return cli_parse_int(ctx, o->cmd, "--episodes", arg, 1, 100000000, &o->episodes) ? -1 : 1;
    case O_EVERY: return cli_parse_int(ctx, o->cmd, "--every", arg, 1, 100000000, &o->every) ? -1 : 1;
    case O_TEST: return cli_parse_int(ctx, o->cmd, "--test-games", arg, 1, 1000000, &o->test_games) ? -1 : 1;
    case O_GAMES: return cli_parse_int(ctx, o->cmd, "--games", arg, 1, 1000000, &o->games) ? -1 : 1;
    case O_SKIP: return cli_parse_int(ctx, o->cmd, "--skip", arg, 0, 100000000, &o->skip) ? -1 : 1;
    case O_AS:
        if (strcmp(arg, "x") == 0 || strcmp(arg, "X") == 0) o->side = TTT_X;
        else if (strcmp(arg, "o") == 0 || strcmp(arg, "O") == 0) o->side = TTT_O;
        else {
            fprintf(ctx->err, "llmlab %s: --as is x or o, not '%s'\n", o->cmd, arg);
            return -1;
        }
        return 1;
    default: return 0;
    }
}

#define LEARN_LONGOPTS                                                                                   \
    {"opponent", required_argument, 0, O_OPP}, {"rule", required_argument, 0, O_RULE},                   \
    {"alpha", required_argument, 0, O_ALPHA}, {"gamma", required_argument, 0, O_GAMMA},                  \
    {"epsilon", required_argument, 0, O_EPS}, {"seed", required_argument, 0, O_SEED},                    \
    {"model", required_argument, 0, 'm'}

/* Parses argv (argv[0] = the sub-command) with longopts; 0 ok, else the exit status. */
static int parse(cli_ctx *ctx, ttt_opts *o, int argc, char **argv, const struct option *longopts,
                 const char *shortopts, const char *help) {
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        if (c == 'h') {
            fputs(help, ctx->out);
            return -1;
        }
        int r = common_option(ctx, o, c, optarg);
        if (r < 0) return 2;
        if (r == 0) return cli_bad_option(ctx, o->cmd, argc, argv, shortopts, longopts);
    }
    return 0;
}

static void opts_init(cli_ctx *ctx, ttt_opts *o, const char *cmd) {
    memset(o, 0, sizeof *o);
    o->cmd = cmd;
    o->L = (ttt_learning){.alpha = 0.5f, .gamma = 0.9f, .epsilon = 0.1f, .rule = TTT_Q_LEARNING};
    o->opp = TTT_VS_RANDOM;
    o->side = TTT_X;
    o->seed = ctx->seed;
    o->episodes = 20000;
    o->test_games = 500;
    o->games = 1;
    o->epsilon_end = -1;
}

/* The agent of -m (through the lesson's read policy), or a new one. */
static int open_agent(cli_ctx *ctx, const ttt_opts *o, ttt_agent *a) {
    lm_err err = {{0}};
    if (!o->agent) {
        if (ttt_agent_init(a, &err) == 0) return 0;
        fprintf(ctx->err, "llmlab %s: %s\n", o->cmd, err.msg);
        return 1;
    }
    const char *path = cli_path_for_read(ctx, o->cmd, o->agent);
    if (!path) return 1;
    if (ttt_agent_load(a, NULL, path, &err) == 0) return 0;
    fprintf(ctx->err, "llmlab %s: %s\n", o->cmd, err.msg);
    return 1;
}

/* -o OUT through the lesson's write policy, checked before any work; NULL
 * (message printed) when it cannot be written. */
static const char *output_path(cli_ctx *ctx, const ttt_opts *o) {
    const char *path = cli_path_for_write(ctx, o->cmd, o->out);
    if (!path) return NULL;
    lm_err err = {{0}};
    if (lm_atomic_probe(path, (uint64_t)TTT_STATES * TTT_CELLS * 4 + 4096, &err) == 0) return path;
    fprintf(ctx->err, "llmlab %s: cannot save -o %s: %s\n", o->cmd, o->out, err.msg);
    return NULL;
}

static int save_agent(cli_ctx *ctx, const ttt_opts *o, const ttt_agent *a, const char *path) {
    char meta[512];
    int n = snprintf(meta, sizeof meta,
                     "made=llmlab %s\nrule=%s\nopponent=%s\nalpha=%g\ngamma=%g\nepsilon=%g\nseed=%llu\n"
                     "episodes=%d\n",
                     o->cmd, ttt_rule_name(o->L.rule), ttt_opponent_name(o->opp), (double)o->L.alpha,
                     (double)o->L.gamma, (double)o->L.epsilon, (unsigned long long)o->seed, a->episodes);
    if (o->epsilon_end >= 0 && n > 0 && (size_t)n < sizeof meta)
        snprintf(meta + n, sizeof meta - (size_t)n, "epsilon_end=%g\n", (double)o->epsilon_end);
    lm_err err = {{0}};
    if (ttt_agent_save(a, meta, path, &err) == 0) return 0;
    fprintf(ctx->err, "llmlab %s: %s\n", o->cmd, err.msg);
    return 1;
}

static void describe_run(cli_ctx *ctx, const ttt_opts *o) {
    fprintf(ctx->out, "%s against %s: alpha %g, gamma %g, epsilon %g", ttt_rule_name(o->L.rule),
            o->opp == TTT_VS_SELF ? "itself" : o->opp == TTT_VS_PERFECT ? "the perfect player" : "the random player",
            (double)o->L.alpha, (double)o->L.gamma, (double)o->L.epsilon);
    if (o->epsilon_end >= 0) fprintf(ctx->out, " down to %g", (double)o->epsilon_end);
    fprintf(ctx->out, ", seed %llu\n", (unsigned long long)o->seed);
}

/* ---- train ---- */

static volatile sig_atomic_t stop_requested;
static void on_stop(int sig) {
    (void)sig;
    stop_requested = 1;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void pct(char *out, size_t cap, int k, int n) { snprintf(out, cap, "%5.1f%%", n ? 100.0 * k / n : 0.0); }

/* one row of the table: test games against random and perfect */
static int test_row(cli_ctx *ctx, const ttt_opts *o, const ttt_agent *a, ttt_solver *solver, lm_rng *rng,
                    cli_progress *pr) {
    lm_err err = {{0}};
    ttt_eval e[2];
    if (ttt_evaluate(a, TTT_VS_RANDOM, o->test_games, solver, rng, &e[0], &err) ||
        ttt_evaluate(a, TTT_VS_PERFECT, o->test_games, solver, rng, &e[1], &err)) {
        fprintf(ctx->err, "llmlab %s: %s\n", o->cmd, err.msg);
        return 1;
    }
    char line[200], w[2][3][16];
    int n = 2 * o->test_games;
    for (int k = 0; k < 2; k++) {
        ttt_tally t = ttt_eval_total(&e[k]);
        pct(w[k][0], 16, t.win, n);
        pct(w[k][1], 16, t.draw, n);
        pct(w[k][2], 16, t.loss, n);
    }
    snprintf(line, sizeof line, "%10d   %s %s %s     %s %s %s   %7d", a->episodes, w[0][0], w[0][1], w[0][2],
             w[1][0], w[1][1], w[1][2], ttt_agent_states_learned(a));
    if (pr) cli_progress_note(pr, "%s", line);
    else fprintf(ctx->out, "%s\n", line);
    fflush(ctx->out);   /* a log shows each row as it comes */
    return 0;
}

static int ttt_train(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'}, LEARN_LONGOPTS, {"out", required_argument, 0, 'o'},
        {"episodes", required_argument, 0, O_EPISODES}, {"every", required_argument, 0, O_EVERY},
        {"test-games", required_argument, 0, O_TEST}, {"epsilon-end", required_argument, 0, O_EPS_END},
        {0, 0, 0, 0}};
    ttt_opts o;
    opts_init(ctx, &o, "tictactoe train");
    int rc = parse(ctx, &o, argc, argv, longopts, "hm:o:", usage_train);
    if (rc) return rc < 0 ? 0 : rc;
    if (optind < argc) return cli_usage_error(ctx, o.cmd, "unexpected argument; train takes only options");
    if (o.every == 0) o.every = o.episodes / 10 > 0 ? o.episodes / 10 : 1;
    const char *out = NULL;
    if (o.out && !(out = output_path(ctx, &o))) return 1;
    ttt_agent a;
    if (open_agent(ctx, &o, &a)) return 1;
    static ttt_solver solver;   /* 19,683 bytes: not on the stack */
    ttt_solver_init(&solver);
    lm_rng rng, test_rng;
    lm_rng_seed(&rng, o.seed);
    lm_rng_seed(&test_rng, o.seed + 1);
    describe_run(ctx, &o);
    fprintf(ctx->out,
            "test games every %d training games: %d as x and %d as o against each player, greedy, learning nothing\n",
            o.every, o.test_games, o.test_games);
    fprintf(ctx->out, "%10s   %-20s     %-20s   %7s\n", "", "  against random", "  against perfect", "boards");
    fprintf(ctx->out, "%10s   %6s %6s %6s     %6s %6s %6s   %7s\n", "games", "win", "draw", "loss", "win", "draw",
            "loss", "learned");
    cli_progress pr, *prp = NULL;
    if (isatty(fileno(ctx->out))) {
        cli_progress_init(&pr, ctx->out, "game", 0, o.episodes, 0);
        prp = &pr;
    }
    struct sigaction sa, old[3];
    static const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    stop_requested = 0;
    for (int i = 0; i < 3; i++) sigaction(sigs[i], &sa, &old[i]);
    double t0 = now_s();
    const float eps0 = o.L.epsilon;
    ttt_learning L = o.L;
    ttt_game g;
    lm_err err = {{0}};
    int done = 0;
    rc = test_row(ctx, &o, &a, &solver, &test_rng, prp);
    for (; done < o.episodes && rc == 0 && !stop_requested; done++) {
        if (o.epsilon_end >= 0) L.epsilon = eps0 + (o.epsilon_end - eps0) * (float)done / (float)o.episodes;
        if (ttt_train_next_game(&a, &L, o.opp, &solver, &rng, &g, &err)) {
            fprintf(ctx->err, "llmlab %s: %s\n", o.cmd, err.msg);
            rc = 1;
            break;
        }
        if ((done + 1) % o.every == 0 || done + 1 == o.episodes) rc = test_row(ctx, &o, &a, &solver, &test_rng, prp);
        if (prp) cli_progress_update(prp, done + 1, NULL, 0);
    }
    for (int i = 0; i < 3; i++) sigaction(sigs[i], &old[i], NULL);
    if (prp) cli_progress_finish(prp);
    double secs = now_s() - t0;
    int stopped = stop_requested && done < o.episodes;
    if (rc == 0 && stopped) {
        fprintf(ctx->out, "interrupted after %d of %d games\n", done, o.episodes);
        if (done % o.every) rc = test_row(ctx, &o, &a, &solver, &test_rng, NULL);
    }
    if (rc == 0) {
        fprintf(ctx->out, "%d training games in %.2f s; the agent has played %d\n", done, secs, a.episodes);
        if (out) {
            rc = save_agent(ctx, &o, &a, out);
            if (rc == 0) fprintf(ctx->out, "saved %s\n", o.out);
        }
    }
    ttt_agent_free(&a);
    return rc ? rc : stopped ? CLI_EXIT_INTERRUPTED : 0;
}

/* ---- steps ---- */

static int ttt_steps(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'}, LEARN_LONGOPTS, {"out", required_argument, 0, 'o'},
        {"games", required_argument, 0, O_GAMES}, {"skip", required_argument, 0, O_SKIP}, {0, 0, 0, 0}};
    ttt_opts o;
    opts_init(ctx, &o, "tictactoe steps");
    int rc = parse(ctx, &o, argc, argv, longopts, "hm:o:", usage_steps);
    if (rc) return rc < 0 ? 0 : rc;
    if (optind < argc) return cli_usage_error(ctx, o.cmd, "unexpected argument; steps takes only options");
    if (o.games > 100) return cli_usage_error(ctx, o.cmd, "--games shows at most 100 games");
    const char *out = NULL;
    if (o.out && !(out = output_path(ctx, &o))) return 1;
    ttt_agent a;
    if (open_agent(ctx, &o, &a)) return 1;
    static ttt_solver solver;
    ttt_solver_init(&solver);
    lm_rng rng;
    lm_rng_seed(&rng, o.seed);
    lm_err err = {{0}};
    ttt_game g;
    describe_run(ctx, &o);
    for (int i = 0; i < o.skip && rc == 0; i++)
        if (ttt_train_next_game(&a, &o.L, o.opp, &solver, &rng, &g, &err)) rc = 1;
    if (o.skip && rc == 0)
        fprintf(ctx->out, "played %d training games first (not shown); %d boards have a learned Q value\n", o.skip,
                ttt_agent_states_learned(&a));
    for (int k = 0; k < o.games && rc == 0; k++) {
        int number = a.episodes + 1;
        if (ttt_train_next_game(&a, &o.L, o.opp, &solver, &rng, &g, &err)) {
            rc = 1;
            break;
        }
        int side = g.by_agent[0] ? TTT_X : TTT_O;   /* x moves first */
        fputc('\n', ctx->out);
        if (o.opp == TTT_VS_SELF) fprintf(ctx->out, "game %d: the agent plays both sides\n", number);
        else fprintf(ctx->out, "game %d: the agent plays %c against %s\n", number, ttt_mark(side), ttt_opponent_name(o.opp));
        ttt_show_moves(ctx->out, &g);
        if (g.n_moves && memchr(g.explored, 1, (size_t)g.n_moves))
            fputs("  (* = a random move: the agent explored)\n", ctx->out);
        for (int u = 0; u < g.n_updates; u++) {
            fputc('\n', ctx->out);
            ttt_show_update(ctx->out, ctx->color, u + 1, &g.updates[u], &o.L);
        }
    }
    if (rc) fprintf(ctx->err, "llmlab %s: %s\n", o.cmd, err.msg);
    if (rc == 0 && out) {
        rc = save_agent(ctx, &o, &a, out);
        if (rc == 0) fprintf(ctx->out, "\nsaved %s (%d games played)\n", o.out, a.episodes);
    }
    ttt_agent_free(&a);
    return rc;
}

/* ---- play ---- */

static int ttt_play_cmd(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'},
                                              {"model", required_argument, 0, 'm'},
                                              {"opponent", required_argument, 0, O_OPP},
                                              {"as", required_argument, 0, O_AS},
                                              {"seed", required_argument, 0, O_SEED},
                                              {0, 0, 0, 0}};
    ttt_opts o;
    opts_init(ctx, &o, "tictactoe play");
    int rc = parse(ctx, &o, argc, argv, longopts, "hm:", usage_play);
    if (rc) return rc < 0 ? 0 : rc;
    if (optind < argc) return cli_usage_error(ctx, o.cmd, "unexpected argument; play takes only options");
    ttt_agent a;
    if (open_agent(ctx, &o, &a)) return 1;
    static ttt_solver solver;
    ttt_solver_init(&solver);
    lm_rng rng;
    lm_rng_seed(&rng, o.seed);
    ttt_game g;
    lm_err err = {{0}};
    if (ttt_test_game(&a, o.opp, o.side, &solver, &rng, &g, &err)) {
        fprintf(ctx->err, "llmlab %s: %s\n", o.cmd, err.msg);
        ttt_agent_free(&a);
        return 1;
    }
    if (o.opp == TTT_VS_SELF)
        fprintf(ctx->out, "the agent against itself (greedy, seed %llu)\n", (unsigned long long)o.seed);
    else
        fprintf(ctx->out, "the agent (%c, greedy) against %s (%c), seed %llu\n", ttt_mark(o.side),
                ttt_opponent_name(o.opp), ttt_mark(ttt_other(o.side)), (unsigned long long)o.seed);
    ttt_board boards[TTT_CELLS], b;
    char labels[TTT_CELLS][40];
    const char *lp[TTT_CELLS];
    int marks[TTT_CELLS];
    ttt_clear(&b);
    for (int i = 0; i < g.n_moves; i++) {
        int p = ttt_to_move(&b), cell = g.moves[i];
        if (g.by_agent[i]) {
            char q[16];
            ttt_q_text(ttt_agent_q(&a, &b)[cell], q, sizeof q);
            snprintf(labels[i], sizeof labels[i], "%d %c%d %s", i + 1, ttt_mark(p), cell + 1, q);
        } else {
            snprintf(labels[i], sizeof labels[i], "%d %c%d", i + 1, ttt_mark(p), cell + 1);
        }
        b.cell[cell] = (uint8_t)p;
        boards[i] = b;
        lp[i] = labels[i];
        marks[i] = cell;
    }
    ttt_show_boards(ctx->out, ctx->color, g.n_moves, boards, lp, marks, 14, 5);
    char r[64];
    ttt_result_text(&g.final, r, sizeof r);
    fprintf(ctx->out, "%s", r);
    if (o.opp != TTT_VS_SELF)
        fprintf(ctx->out, ": the agent %s\n",
                g.winner == TTT_EMPTY ? "draws" : g.winner == o.side ? "wins" : "loses");
    else
        fputc('\n', ctx->out);
    ttt_agent_free(&a);
    return 0;
}

/* ---- q ---- */

static int ttt_q_cmd(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'}, {"model", required_argument, 0, 'm'}, {0, 0, 0, 0}};
    ttt_opts o;
    opts_init(ctx, &o, "tictactoe q");
    int rc = parse(ctx, &o, argc, argv, longopts, "hm:", usage_q);
    if (rc) return rc < 0 ? 0 : rc;
    if (optind >= argc) return cli_usage_error(ctx, o.cmd, "missing BOARD, like x.o......");
    if (argc - optind > 1) return cli_usage_error(ctx, o.cmd, "one BOARD (9 cells, no spaces), like x.o......");
    ttt_board b;
    lm_err err = {{0}};
    if (ttt_parse(argv[optind], &b, &err)) {
        fprintf(ctx->err, "llmlab %s: bad BOARD: %s\n", o.cmd, err.msg);
        return 2;
    }
    char txt[TTT_CELLS + 1], res[64];
    ttt_format(&b, txt);
    if (ttt_over(&b)) {
        ttt_result_text(&b, res, sizeof res);
        fprintf(ctx->err, "llmlab %s: the game on %s is over (%s): no move is left to value\n", o.cmd, txt, res);
        return 2;
    }
    ttt_agent a;
    if (open_agent(ctx, &o, &a)) return 1;
    int me = ttt_to_move(&b);
    fprintf(ctx->out, "board %s: state %d, %c to move\n", txt, ttt_state_index(&b), ttt_mark(me));
    fprintf(ctx->out, "Q(s, a) for each free cell: the agent's estimate of %c's future reward\n", ttt_mark(me));
    const float *q = ttt_agent_q(&a, &b);
    ttt_show_q_grid(ctx->out, ctx->color, &b, q);
    float best;
    int mv = ttt_best_move(&a, &b, &best);
    int moves[TTT_CELLS], n = ttt_legal_moves(&b, moves), ties = 0, shown = 0;
    char bt[16], t[16];
    ttt_q_text(best, bt, sizeof bt);
    for (int k = 0; k < n; k++) {
        ties += q[moves[k]] == best;
        ttt_q_text(q[moves[k]], t, sizeof t);
        shown += strcmp(t, bt) == 0;
    }
    if (ties == n && n > 1)
        fprintf(ctx->out, "the agent's move: any (all %d Q values are equal; a fair draw picks one)\n", n);
    else if (ties > 1)
        fprintf(ctx->out, "the agent's move: one of %d cells with the largest Q, %s (a fair draw picks one)\n", ties, bt);
    else if (shown > 1)
        fprintf(ctx->out, "the agent's move: %d (%s), Q = %s, the largest by less than the 3 decimals show\n", mv + 1,
                ttt_cell_name(mv), bt);
    else
        fprintf(ctx->out, "the agent's move: %d (%s), Q = %s\n", mv + 1, ttt_cell_name(mv), bt);
    static ttt_solver solver;
    ttt_solver_init(&solver);
    int pm[TTT_CELLS], np = ttt_perfect_moves(&solver, &b, pm), v = ttt_solver_value(&solver, &b);
    fputs("the perfect player's moves:", ctx->out);
    for (int k = 0; k < np; k++) fprintf(ctx->out, " %d", pm[k] + 1);
    fprintf(ctx->out, " (with perfect play from here %s)\n",
            v > 0 ? (me == TTT_X ? "x wins" : "o wins") : v < 0 ? (me == TTT_X ? "o wins" : "x wins") : "it is a draw");
    ttt_agent_free(&a);
    return 0;
}

/* ---- eval ---- */

static int ttt_eval_cmd(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'},
                                              {"model", required_argument, 0, 'm'},
                                              {"games", required_argument, 0, O_GAMES},
                                              {"seed", required_argument, 0, O_SEED},
                                              {0, 0, 0, 0}};
    ttt_opts o;
    opts_init(ctx, &o, "tictactoe eval");
    o.games = 1000;
    int rc = parse(ctx, &o, argc, argv, longopts, "hm:", usage_eval);
    if (rc) return rc < 0 ? 0 : rc;
    if (optind < argc) return cli_usage_error(ctx, o.cmd, "unexpected argument; eval takes only options");
    ttt_agent a;
    if (open_agent(ctx, &o, &a)) return 1;
    static ttt_solver solver;
    ttt_solver_init(&solver);
    lm_rng rng;
    lm_rng_seed(&rng, o.seed);
    fprintf(ctx->out, "%d test games as x and %d as o against each player, greedy, seed %llu\n", o.games, o.games,
            (unsigned long long)o.seed);
    fprintf(ctx->out, "  (an agent trained for %d games; %d boards have a learned Q value)\n", a.episodes,
            ttt_agent_states_learned(&a));
    fprintf(ctx->out, "  %-8s %-4s   %6s  %6s  %6s\n", "", "", "win", "draw", "loss");
    lm_err err = {{0}};
    for (int k = 0; k < 2 && rc == 0; k++) {
        ttt_opponent opp = k ? TTT_VS_PERFECT : TTT_VS_RANDOM;
        ttt_eval e;
        if (ttt_evaluate(&a, opp, o.games, &solver, &rng, &e, &err)) {
            fprintf(ctx->err, "llmlab %s: %s\n", o.cmd, err.msg);
            rc = 1;
            break;
        }
        ttt_tally t = ttt_eval_total(&e);
        const ttt_tally *rows[3] = {&e.as_x, &e.as_o, &t};
        const char *names[3] = {"as x", "as o", "both"};
        for (int r = 0; r < 3; r++) {
            int n = r == 2 ? 2 * o.games : o.games;
            char w[3][16];
            pct(w[0], 16, rows[r]->win, n);
            pct(w[1], 16, rows[r]->draw, n);
            pct(w[2], 16, rows[r]->loss, n);
            fprintf(ctx->out, "  %-8s %s   %s  %s  %s\n", r ? "" : ttt_opponent_name(opp), names[r], w[0], w[1], w[2]);
        }
    }
    ttt_agent_free(&a);
    return rc;
}

int cmd_tictactoe(cli_ctx *ctx, int argc, char **argv) {
    static const struct {
        const char *name;
        int (*run)(cli_ctx *, int, char **);
    } subs[] = {{"train", ttt_train}, {"steps", ttt_steps}, {"play", ttt_play_cmd}, {"q", ttt_q_cmd},
                {"eval", ttt_eval_cmd}};
    if (argc < 2) return cli_usage_error(ctx, "tictactoe", "missing a sub-command: train, steps, play, q or eval");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        fputs(usage, ctx->out);
        return 0;
    }
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (strcmp(argv[1], subs[i].name) == 0) return subs[i].run(ctx, argc - 1, argv + 1);
    fprintf(ctx->err, "llmlab tictactoe: unknown sub-command '");
    show_str(ctx->err, argv[1]);
    fprintf(ctx->err, "': train, steps, play, q or eval (see 'llmlab tictactoe --help')\n");
    return 2;
}
