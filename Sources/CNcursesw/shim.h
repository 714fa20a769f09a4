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
/* wcwidth is declared only under _XOPEN_SOURCE; declare it here so the
   width helper uses exactly the table ncurses and the terminal use. */
extern int wcwidth(wchar_t c);
static inline int shim_wcwidth(unsigned int c) { return wcwidth((wchar_t)c); }

/* Attribute and key macros are expressions Swift cannot import. */
static inline attr_t shim_a_normal(void) { return A_NORMAL; }
static inline attr_t shim_a_bold(void) { return A_BOLD; }
static inline attr_t shim_a_reverse(void) { return A_REVERSE; }
static inline attr_t shim_a_underline(void) { return A_UNDERLINE; }
static inline attr_t shim_a_dim(void) { return A_DIM; }
static inline int shim_set_style(attr_t attrs, short pair) { return wattr_set(stdscr, attrs, pair, NULL); }
static inline int shim_key_f(int n) { return KEY_F(n); }
/* newterm instead of initscr: initscr exits the process on an unknown TERM. */
static inline SCREEN *shim_newterm(void) { return newterm(NULL, stdout, stdin); }
static inline void shim_fflush_stdout(void) { fflush(stdout); }
#endif
