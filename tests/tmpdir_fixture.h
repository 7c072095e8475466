/* tmpdir_fixture.h - a cmocka group's scratch directory, made by its setup
 * and removed with everything in it by its teardown (header-only).
 *
 * Contract
 * - tmpdir_make(dir, cap, name) makes a fresh /tmp/llmlab_test_NAME_XXXXXX
 *   (mkdtemp) and writes its path into dir[cap]; 0, or -1 (cmocka's failed
 *   setup) when it cannot.
 * - tmpdir_remove(dir) runs `rm -rf 'DIR'`; 0 if that succeeded, else -1.
 *   dir holds no quote (mkdtemp's names do not) and is under 256 bytes.
 */
#ifndef LM_TESTS_TMPDIR_FIXTURE_H
#define LM_TESTS_TMPDIR_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

static inline int tmpdir_make(char *dir, size_t cap, const char *name) {
    snprintf(dir, cap, "/tmp/llmlab_test_%s_XXXXXX", name);
    return mkdtemp(dir) ? 0 : -1;
}

static inline int tmpdir_remove(const char *dir) {
    char cmd[320];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
