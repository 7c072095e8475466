/* model_internal.h - glue between the core's model files (not a public API).
 *
 * NOTE TO THE AUTHOR OF model.c: model.c must define
 *     void lm_model_release_acts(lm_model *m);
 * It frees m->acts (and whatever it owns) and sets m->acts = NULL; it must
 * accept m->acts == NULL. lm_model_free (params.c) calls it, so that params.c
 * never needs to know the layout of the private lm_acts struct.
 */
#ifndef LM_MODEL_INTERNAL_H
#define LM_MODEL_INTERNAL_H

#include "model.h"

/* Frees the activation buffers of m (m->acts may be NULL); defined in model.c. */
void lm_model_release_acts(lm_model *m);

#endif
