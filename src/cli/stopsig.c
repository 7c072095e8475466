/* stopsig.c - stop signals as a flag (see stopsig.h). */
#include "cli/stopsig.h"

#include <string.h>

static volatile sig_atomic_t stop_flag;
static void on_stop_signal(int sig) {
    (void)sig;
    stop_flag = 1;
}
/* the signals that stop a long command cleanly: Ctrl-C, kill, hang-up */
static const int stop_signals[3] = {SIGINT, SIGTERM, SIGHUP};

void cli_stop_watch(cli_stop_watch_state *s) {
    stop_flag = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; i++) sigaction(stop_signals[i], &sa, &s->old[i]);
}

void cli_stop_unwatch(cli_stop_watch_state *s) {
    for (int i = 0; i < 3; i++) sigaction(stop_signals[i], &s->old[i], NULL);
}

int cli_stop_requested(void) { return stop_flag != 0; }
