/* editdist.h - how far apart two short strings are (Levenshtein distance:
 * insertions, deletions and substitutions of single bytes), and the rule
 * for "close enough to suggest": shared by the command line's "did you mean
 * --top-k?" and word2vec's "did you mean 'king'?".
 *
 * Contract
 * - lm_edit_distance compares bytes; strings longer than 63 bytes are never
 *   close (the distance is then reported as 99).
 * - lm_edit_close(d, len): d edits are close to a typed string of len bytes
 *   when d <= 2 for len < 6, else d <= len / 3.
 */
#ifndef LM_EDITDIST_H
#define LM_EDITDIST_H

int lm_edit_distance(const char *a, const char *b);
int lm_edit_close(int d, int len);

#endif
