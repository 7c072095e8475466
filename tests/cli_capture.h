/* cli_capture.h - a cmocka test's `llmlab ARGS...` run in-process
 * (cli_run on a fresh cli_ctx), its output captured (header-only).
 *
 * Contract
 * - cli_capture(argc, argv, out) returns cli_run's exit status and puts
 *   stdout followed by stderr, NUL-ended, in *out (malloc'd: the caller
 *   frees it).
 */
#ifndef LM_TESTS_CLI_CAPTURE_H
#define LM_TESTS_CLI_CAPTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static inline int cli_capture(int argc, char **argv, char **out) {
    char *o = NULL, *e = NULL;
    size_t on = 0, en = 0;
    FILE *fo = open_memstream(&o, &on), *fe = open_memstream(&e, &en);
    cli_ctx ctx;
    cli_ctx_init(&ctx, fo, fe);
    int rc = cli_run(&ctx, argc, argv);
    cli_ctx_free(&ctx);
    fclose(fo);
    fclose(fe);
    *out = malloc(on + en + 1);
    memcpy(*out, o, on);
    memcpy(*out + on, e, en);
    (*out)[on + en] = 0;
    free(o);
    free(e);
    return rc;
}

#endif
