/* mlm.h - what the `llmlab mlm` sub-commands share (cmd_mlm.c: the command,
 * its usage and `mlm train`; cmd_mlm_fill.c: `mlm fill` and `mlm eval`, the
 * encoder beside a decoder). */
#ifndef LM_CLI_MLM_H
#define LM_CLI_MLM_H

#include "cli/cli.h"

#define MLM_DEFAULT_ENCODER "models/encoder.llm"   /* shipped (models/README.md) */
#define MLM_DEFAULT_DECODER "models/base.llm"      /* and the decoder it began as */

/* argv[0] is the sub-command's name; the exit status as for any command */
int cmd_mlm_fill(cli_ctx *ctx, int argc, char **argv);
int cmd_mlm_eval(cli_ctx *ctx, int argc, char **argv);

#endif
