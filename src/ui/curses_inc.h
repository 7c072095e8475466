/* curses_inc.h - wide-character ncurses, whichever way the system ships it. */
#ifndef LM_UI_CURSES_INC_H
#define LM_UI_CURSES_INC_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#if __has_include(<ncursesw/curses.h>)
#include <ncursesw/curses.h>
#else
#include <curses.h>
#endif

#endif
