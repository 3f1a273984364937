/* report_int: what the report writers share inside the report module. */
#ifndef SOCKGRADE_REPORT_INT_H
#define SOCKGRADE_REPORT_INT_H

#include <stddef.h>

#include "report.h"

/* text with every line longer than width terminal columns broken at spaces, the rest of
 * the line indented under its text (under the value of a "label: value" line); a word
 * longer than a row is cut. width 0: a copy. Caller frees. */
char *report_wrap(const char *text, size_t width);

#endif
