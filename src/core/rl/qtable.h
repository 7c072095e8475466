/* qtable.h - a tic-tac-toe agent's Q table as a model file of kind
 * "qtable" (through io/modelfile.h's parts API, so it gets the same atomic
 * save, size checks and CRC as every model file).
 *
 * The file: kind "qtable"; config 4 x i32 little-endian = board cells (9),
 * states (19683 = 3^9), actions (9), training games played; parameters
 * f32[states x actions] = Q(s, a) in the order of rl/qlearn.h (state index
 * of rl/tictactoe.h, then the cell); no tokeniser; metadata = how it was
 * trained ("key=value\n" lines, written by the caller).
 *
 * Loading refuses, with a message that starts with the path: anything
 * io/modelfile.h refuses (not a model file, truncated, bad CRC, a non-finite
 * value), a model of another kind ("this is a gpt model, not a Q table"), a
 * config for another board, and a Q value outside [-1, 1] (rewards are +1, 0
 * and -1 and every update is a weighted average of the old value and a
 * target in [-1, 1], so no trained table holds one).
 */
#ifndef LM_RL_QTABLE_H
#define LM_RL_QTABLE_H

#include <stdint.h>

#include "base/err.h"
#include "io/modelfile.h"
#include "rl/qlearn.h"

#define TTT_KIND_QTABLE "qtable"
#define TTT_QTABLE_CONFIG_BYTES 16u

/* The config check registered for kind "qtable" in io/modelfile.c's KINDS. */
int ttt_qtable_check(const uint8_t *config, uint32_t config_bytes, uint64_t n_params, lm_err *err);

/* Saves a's table (atomically); metadata may be NULL. */
int ttt_agent_save(const ttt_agent *a, const char *metadata, const char *path, lm_err *err);
/* The agent in parts read by lm_load_parts(_mem) (io/modelfile.h): refuses
 * another kind and a value outside [-1, 1]; on success the table moves out
 * of p into a (ttt_agent_free it) and p keeps the rest. */
int ttt_agent_from_parts(ttt_agent *a, lm_file_parts *p, lm_err *err);
/* Loads an agent saved by ttt_agent_save (a is a fresh agent on success:
 * ttt_agent_free it); *metadata (if non-NULL) gets a malloc'd copy of the
 * metadata text, never NULL on success. */
int ttt_agent_load(ttt_agent *a, char **metadata, const char *path, lm_err *err);

#endif
