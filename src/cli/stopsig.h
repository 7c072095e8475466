/* stopsig.h - THE Ctrl-C part of a long command: while a command's loop
 * runs, SIGINT (Ctrl-C), SIGTERM and SIGHUP only raise a flag that the loop
 * checks between steps, so it can finish the step, keep its work and stop
 * (trainloop.c saves a checkpoint; `scaling run` keeps its finished rows).
 * cli_stop_watch installs the handlers and clears the flag; cli_stop_unwatch
 * puts the previous handlers back. One watch at a time per process. */
#ifndef LM_CLI_STOPSIG_H
#define LM_CLI_STOPSIG_H

#include <signal.h>

typedef struct {
    struct sigaction old[3];
} cli_stop_watch_state;

void cli_stop_watch(cli_stop_watch_state *s);
void cli_stop_unwatch(cli_stop_watch_state *s);
/* 1 once a stop signal arrived since cli_stop_watch */
int  cli_stop_requested(void);

#endif
