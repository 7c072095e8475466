/* main.c - argv to a command; the only place that decides exit codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "ui/ui.h"

/* How OpenMP threads wait between parallel regions matters a lot on a
 * two-core machine. Spinning for long (libgomp's default) collapses when
 * anything else runs: a training step went from 180 ms to 1.9 s. Sleeping at
 * once (OMP_WAIT_POLICY=PASSIVE) halves generation speed on a quiet machine,
 * because one token runs ~17 short parallel regions and each wake-up costs.
 * A short spin (GOMP_SPINCOUNT=10000, a few microseconds) measured best both
 * ways (bench/tools/model_bench, C1: gen 3053 tok/s quiet vs 1607 passive;
 * under two busy loops, train 420 ms/step vs 469 passive and 723 default).
 * libgomp reads these only when it starts, so llmlab restarts itself once
 * with the setting unless the user chose one. */
/* OpenBLAS (Debian's, built for many CPUs) picks its kernels from the CPU it
 * detects and takes the AVX2 ("Haswell") ones on AMD CPUs that have AVX-512;
 * its AVX-512 ("SkylakeX") kernels make a C1 training step 1.5x faster here
 * (182 -> 118 ms, bench/tools/model_bench train). Like the OpenMP setting it
 * is read only at start-up. */
static int want_avx512_blas(void) {
    __builtin_cpu_init();
    return !getenv("OPENBLAS_CORETYPE") && __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512cd");
}

static void prefer_fast_runtime(char **argv) {
    int spin = !getenv("OMP_WAIT_POLICY") && !getenv("GOMP_SPINCOUNT");
    int blas = want_avx512_blas();
    if (!spin && !blas) return;
    if (spin) setenv("GOMP_SPINCOUNT", "10000", 1);
    if (blas) setenv("OPENBLAS_CORETYPE", "SKYLAKEX", 1);
    execv("/proc/self/exe", argv);
    /* if that fails, run on with the defaults */
}

int main(int argc, char **argv) {
    prefer_fast_runtime(argv);
    cli_ctx ctx;
    cli_ui_entry = cmd_ui;
    cli_ctx_init(&ctx, stdout, stderr);
    int rc;
    if (argc < 2) {
        /* the lab itself on a terminal; a script piped in runs as the REPL */
        char *ui[] = {isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) ? "ui" : "repl", NULL};
        rc = cli_run(&ctx, 1, ui);
    } else if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        char *help[] = {"help", NULL};
        rc = cli_run(&ctx, 1, help);
    } else if (strcmp(argv[1], "--version") == 0) {
        puts("llmlab 0.1");
        rc = 0;
    } else {
        rc = cli_run(&ctx, argc - 1, argv + 1);
    }
    cli_ctx_free(&ctx);
    if (fflush(stdout) != 0 && rc == 0) rc = 1;
    return rc;
}
