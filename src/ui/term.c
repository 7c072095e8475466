/* term.c - taking over the terminal and always giving it back: curses on a
 * real terminal or a virtual screen (bench), stderr sent to a log file while
 * curses is active, and signal handlers that restore the terminal. */
#include "ui/app.h"

#include "ui/curses_inc.h"

#include <fcntl.h>
#include <langinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile sig_atomic_t g_sig = 0;
static volatile sig_atomic_t g_active = 0;
static int g_saved_err = -1;
static char g_log_path[512];
static SCREEN *g_scr;
static FILE *g_out, *g_in;

static void on_crash(int sig);

/* the first Ctrl-C / SIGTERM / SIGHUP asks the loop to quit cleanly; a second
 * one (the UI is stuck in a long computation) restores the terminal and dies */
static void on_quit(int sig) {
    if (g_sig) on_crash(sig);
    g_sig = sig;
}

static void on_crash(int sig) {
    if (g_active) {
        g_active = 0;
        endwin();   /* not async-signal-safe, but the process is dying anyway */
    }
    if (g_saved_err >= 0) dup2(g_saved_err, 2);
    signal(sig, SIG_DFL);
    raise(sig);
}

int term_signalled(void) { return (int)g_sig; }

static void install(int sig, void (*fn)(int)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;   /* no SA_RESTART: a blocked getch returns and the loop sees the flag */
    sigaction(sig, &sa, NULL);
}

static void redirect_stderr(void) {
    fflush(stderr);
    g_saved_err = dup(2);
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !tmp[0]) tmp = "/tmp";
    snprintf(g_log_path, sizeof g_log_path, "%s/llmlab-ui-%ld.log", tmp, (long)getpid());
    int fd = open(g_log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd < 0) {
        g_log_path[0] = '\0';
        fd = open("/dev/null", O_WRONLY);
    }
    if (fd >= 0) {
        dup2(fd, 2);
        close(fd);
    }
}

static void restore_stderr(void) {
    if (g_saved_err < 0) return;
    fflush(stderr);
    dup2(g_saved_err, 2);
    close(g_saved_err);
    g_saved_err = -1;
    struct stat st;
    if (g_log_path[0] && stat(g_log_path, &st) == 0 && st.st_size == 0) unlink(g_log_path);
}

int term_open(ui_app *a, int bench, int cols, int rows) {
    install(SIGINT, on_quit);
    install(SIGTERM, on_quit);
    install(SIGHUP, on_quit);
    install(SIGSEGV, on_crash);
    install(SIGABRT, on_crash);
    install(SIGBUS, on_crash);
    install(SIGFPE, on_crash);
    const char *asc = getenv("LLMLAB_ASCII");
    const char *cs = nl_langinfo(CODESET);
    if ((asc && asc[0] && strcmp(asc, "0") != 0) || !cs || strcmp(cs, "UTF-8") != 0) a->cv.ascii = 1;
    const char *nc = getenv("NO_COLOR");
    if (nc && nc[0]) a->rd.mono = 1;
    if (bench) {
        char buf[16];
        snprintf(buf, sizeof buf, "%d", cols);
        setenv("COLUMNS", buf, 1);
        snprintf(buf, sizeof buf, "%d", rows);
        setenv("LINES", buf, 1);
        use_env(TRUE);
        const char *term = getenv("TERM");
        if (!term || !term[0] || strcmp(term, "dumb") == 0) setenv("TERM", "xterm-256color", 1);
        g_out = fopen("/dev/null", "w");
        g_in = fopen("/dev/null", "r");
        if (!g_out || !g_in) return -1;
        g_scr = newterm(NULL, g_out, g_in);
    } else {
        g_scr = newterm(NULL, stdout, stdin);
    }
    if (!g_scr) return -1;
    redirect_stderr();
    set_term(g_scr);
    g_active = 1;
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    intrflush(stdscr, FALSE);
    curs_set(0);
    set_escdelay(25);
    mouseinterval(0);
    mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED, NULL);
    timeout(40);
    a->cv.rich = render_init_colors(&a->rd);
    a->cv.mono = a->rd.mono;
    return 0;
}

void term_size(int *rows, int *cols) { getmaxyx(stdscr, *rows, *cols); }

int term_read_key(int timeout_ms, int *ch) {
    timeout(timeout_ms);
    wint_t wc;
    int r = get_wch(&wc);
    if (r == ERR) return 0;
    *ch = (int)wc;
    return r == KEY_CODE_YES ? 2 : 1;
}

int term_read_click(int *y, int *x) {
    MEVENT ev;
    if (getmouse(&ev) != OK) return -1;
    if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED))) return -1;
    *y = ev.y;
    *x = ev.x;
    return 0;
}

void term_close(void) {
    if (g_active) {
        g_active = 0;
        curs_set(1);
        endwin();
    }
    if (g_scr) { delscreen(g_scr); g_scr = NULL; }
    if (g_out) { fclose(g_out); g_out = NULL; }
    if (g_in) { fclose(g_in); g_in = NULL; }
    restore_stderr();
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGSEGV, SIG_DFL);
    signal(SIGABRT, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
    signal(SIGFPE, SIG_DFL);
}
