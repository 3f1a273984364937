/* report: writers over the one result model. Each returns a freshly allocated document. The
 * native JSON report is the model's own codec (result/result_json.h), which also reads it
 * back. */
#ifndef SOCKGRADE_REPORT_H
#define SOCKGRADE_REPORT_H

#include <stdbool.h>

#include "result/result.h"

enum report_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_GRADESCOPE, FORMAT_JUNIT };
int report_format_parse(const char *name, enum report_format *f);
const char *report_format_name(enum report_format f);

struct report_options {
    bool color;          /* ANSI colours (text only; the caller decides: a tty and no NO_COLOR) */
    bool student_view;   /* hide details of hidden checks (student-facing formats) */
};

char *report_text(const struct run_result *r, const struct report_options *o);
/* Gradescope's results.json. Not filtered by student_view: Gradescope hides each test itself
 * per its "visibility", and instructors must still see everything. */
char *report_gradescope(const struct run_result *r);
/* JUnit XML: one <testsuite> per program, one <testcase> per check. */
char *report_junit(const struct run_result *r);

/* s as the text report shows an expected/actual value: control bytes spelled out ("\r",
 * "\t", "\x1b"), each line end marked with ⏎ and continued after indent; terminal-safe.
 * Shared so every human-facing format shows byte differences the same way. */
char *report_text_value(const char *s, const char *indent);

/* The report in format f (o may be NULL: no colour, full view). */
char *report_render(const struct run_result *r, enum report_format f, const struct report_options *o);

/* A report file larger than this is refused unread: a real one is at most a few MiB (every
 * text is capped), and parsing hundreds of MiB of JSON costs GiBs of memory. */
#define REPORT_MAX_BYTES (16u << 20)

#endif
