/* embshow.h - an embedding space (nn/embedding.h) printed for a terminal:
 * ranked lists with cosine bars, a PCA table with its text scatter, or the
 * same as CSV lines. One place for both tables llmlab shows: the
 * transformer's token embeddings (`llmlab embed`) and word2vec's word
 * vectors (`llmlab word2vec`), so they look the same.
 *
 * Contract
 * - Items are named by the space's label function, made printable by
 *   show_piece (cli/show.h); an item with no name prints as "<ID>".
 * - emb_show_hits prints one line per hit: rank, name (padded to 16
 *   columns), id, cosine (%7.4f) and a bar of the cosine (negative = empty);
 *   with csv: "KIND,RANK,ID,NAME,COSINE" (the name quoted, quotes doubled,
 *   the cosine %.9g).
 * - emb_show_pca computes the PCA of ids[0..n) (lm_emb_pca2) and prints a
 *   two-line header naming the share of the variance each axis shows, a
 *   table (name, id, PC1, PC2) and a scatter of sw x sh characters: the marks
 *   first, then each name right of its mark, else left of it, else left out
 *   (the table has it); with csv: "pca_var,PC1,PC2" and "pca,I,ID,NAME,X,Y".
 *   0, or 1 with a message on ctx->err ("llmlab CMD: ...").
 */
#ifndef LM_CLI_EMBSHOW_H
#define LM_CLI_EMBSHOW_H

#include <stdint.h>
#include <stdio.h>

#include "cli/cli.h"
#include "nn/embedding.h"

typedef struct {
    cli_ctx *ctx;
    const char *cmd;            /* "embed", "word2vec": messages */
    const lm_emb_space *sp;
    const char *item;           /* "token" | "word": the column heading and the PCA's wording */
    int csv;                    /* CSV lines instead of tables */
    int sw, sh;                 /* the scatter's size in characters */
} emb_show;

/* item id's printable name into out */
void emb_show_name(const emb_show *s, int32_t id, char *out, size_t cap);
/* the name as a CSV field on ctx->out */
void emb_show_csv_name(const emb_show *s, int32_t id);
/* "  #  token  id  cosine" */
void emb_show_hits_head(const emb_show *s);
void emb_show_hits(const emb_show *s, const char *kind, const lm_emb_hits *h);
/* The k items nearest to id (lm_emb_neighbours) under a header naming id
 * and the space ("nearest to NAME (id ID) by cosine similarity, among the V
 * ROWS [V x C]:", after an empty line when blank_first; with csv the line
 * "query,near,ID,NAME"), then the hits. 0, or 1 with a message on ctx->err. */
int  emb_show_near(const emb_show *s, int32_t id, int k, const char *rows, int blank_first);
int  emb_show_pca(const emb_show *s, const int32_t *ids, int n);
/* the scatter of a computed PCA onto f */
void emb_show_scatter(const emb_show *s, const lm_emb_pca *pc, FILE *f);

#endif
