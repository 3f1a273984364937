/* batch_progress: the line a batch redraws in place on a terminal: a bar, count, rate, time
 * left and the student graded longest, whose folder name is made safe for the terminal. */
#ifndef SOCKGRADE_BATCH_PROGRESS_H
#define SOCKGRADE_BATCH_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

/* done of ntodo students since t0 (util_now_ms); current: the longest-running student, or
 * NULL; others: how many more are running. */
void batch_progress_draw(size_t done, size_t ntodo, int64_t t0, const char *current, size_t others);
/* Erases the line, before anything else is printed. */
void batch_progress_clear(void);

#endif
