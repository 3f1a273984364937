/* report: writers over the one result model. Each returns a freshly allocated document. */
#ifndef SOCKGRADE_REPORT_H
#define SOCKGRADE_REPORT_H

#include <stdbool.h>

#include "result/result.h"

enum report_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_GRADESCOPE, FORMAT_JUNIT, FORMAT_HTML };
int report_format_parse(const char *name, enum report_format *f);
const char *report_format_name(enum report_format f);

struct report_options {
    bool color;          /* ANSI colours (text only; the caller decides: a tty and no NO_COLOR) */
    bool student_view;   /* hide details of hidden checks (student-facing formats) */
};

char *report_json(const struct run_result *r);
char *report_text(const struct run_result *r, const struct report_options *o);
/* Gradescope's results.json. Not filtered by student_view: Gradescope hides each test itself
 * per its "visibility", and instructors must still see everything. */
char *report_gradescope(const struct run_result *r);
/* JUnit XML: one <testsuite> per program, one <testcase> per check. */
char *report_junit(const struct run_result *r);
/* One self-contained HTML page (inline style, no script, a CSP that forbids every request);
 * student_view hides the details of hidden checks, as in the text report. */
char *report_html(const struct run_result *r, const struct report_options *o);

/* s as the text report shows an expected/actual value: control bytes spelled out ("\r",
 * "\t", "\x1b"), each line end marked with ⏎ and continued after indent; terminal-safe.
 * Shared so every human-facing format shows byte differences the same way. */
char *report_text_value(const char *s, const char *indent);

/* The report in format f (o may be NULL: no colour, full view). */
char *report_render(const struct run_result *r, enum report_format f, const struct report_options *o);

/* Parses a native JSON report back into the model (batch resume, merge, tests). Returns a
 * heap run (release with result_run_free, then free), or NULL with err naming the JSON path
 * of the problem, e.g. "$.programs[0].checks[2].status: expected ...". */
struct run_result *report_json_parse(const char *json, char *err, size_t errlen);
/* A report file larger than this is refused unread: a real one is at most a few MiB (every
 * text is capped), and parsing hundreds of MiB of JSON costs GiBs of memory. */
#define REPORT_MAX_BYTES (16u << 20)

#endif
