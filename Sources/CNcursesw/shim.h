/* SwiftPM drops the -D flags pkg-config gives, so the wide-character API
   must be switched on here, before curses.h is read. */
#ifndef WARD_NCURSESW_SHIM_H
#define WARD_NCURSESW_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>

/* Swift 6 rejects the C global stdscr as not concurrency-safe. */
static inline WINDOW *shim_stdscr(void) { return stdscr; }
static inline int shim_lines(void) { return LINES; }
static inline int shim_cols(void) { return COLS; }
static inline int shim_colors(void) { return COLORS; }
static inline int shim_color_pairs(void) { return COLOR_PAIRS; }
#endif
