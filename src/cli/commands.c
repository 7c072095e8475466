/* commands.c - the one table of commands (see cli.h). Each command lives in
 * its own file src/cli/cmd_NAME.c; add a line here when you add one. */
#include "cli.h"

#include <string.h>

int cmd_info(cli_ctx *ctx, int argc, char **argv);

const cli_command cli_commands[] = {
    {"info", "describe a model file: config, parameters, tokeniser, how it was made", cmd_info},
    {NULL, NULL, NULL},
};

const cli_command *cli_find(const char *name) {
    for (const cli_command *c = cli_commands; c->name; c++)
        if (strcmp(c->name, name) == 0) return c;
    return NULL;
}
