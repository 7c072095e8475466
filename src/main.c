/* main.c - argv to a command; the only place that decides exit codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "ui/ui.h"

/* OpenMP threads that spin while waiting fight every other process on a
 * two-core machine (a training step went from 180 ms to 1.9 s under load), and
 * libgomp reads OMP_WAIT_POLICY only when it starts. So llmlab restarts
 * itself once with PASSIVE unless the user chose a policy. */
static void prefer_passive_openmp(char **argv) {
    if (getenv("OMP_WAIT_POLICY")) return;
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    execv("/proc/self/exe", argv);
    /* if that fails, run on with the default policy */
}

int main(int argc, char **argv) {
    prefer_passive_openmp(argv);
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
