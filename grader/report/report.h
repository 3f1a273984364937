/* report: writers over the one result model. Each returns a freshly allocated document. The
 * native JSON report is the model's own codec (result/result_json.h), which also reads it
 * back. */
#ifndef SOCKGRADE_REPORT_H
#define SOCKGRADE_REPORT_H

#include <stdbool.h>

#include "result/result.h"

enum report_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_GRADESCOPE, FORMAT_JUNIT, FORMAT_CLASSROOM,
                     FORMAT_HTML };
int report_format_parse(const char *name, enum report_format *f);
const char *report_format_name(enum report_format f);

struct report_options {
    bool color;          /* ANSI colours (text only; the caller decides: a tty and no NO_COLOR) */
    bool student_view;   /* hide details of hidden checks (student-facing formats) */
    size_t width;        /* text: wrap lines to this many columns (0: REPORT_WIDTH) */
};
#define REPORT_WIDTH 80  /* when the output is not a terminal, or its width is unknown */

char *report_text(const struct run_result *r, const struct report_options *o);
/* Gradescope's results.json. Not filtered by student_view: Gradescope hides each test itself
 * per its "visibility", and instructors must still see everything. */
char *report_gradescope(const struct run_result *r);
/* JUnit XML: one <testsuite> per program, one <testcase> per check. */
char *report_junit(const struct run_result *r);
/* The result GitHub Classroom's autograding reporter reads (one test per check; a failed
 * build, a missing program and a grader error as tests of their own). Always the student
 * view: whoever can read the workflow's log can read this. At most REPORT_CLASSROOM_MAX bytes:
 * the reporter receives it base64-encoded in one environment variable. */
char *report_classroom(const struct run_result *r);
#define REPORT_CLASSROOM_MAX 96000
/* One self-contained HTML page (inline style, no script, a CSP that forbids every request);
 * student_view hides the details of hidden checks, as in the text report. */
char *report_html(const struct run_result *r, const struct report_options *o);

/* s as the text report shows an expected/actual value: control bytes spelled out ("\r",
 * "\t", "\x1b"), each line end marked with ⏎ and continued after indent; terminal-safe.
 * Shared so every human-facing format shows byte differences the same way. */
char *report_text_value(const char *s, const char *indent);

/* What a CI format says about one check: its description; for a skipped check why; for a
 * failure or an error the expected and actual values (spelled as in the text report) and the
 * hint. student_view: a hidden or after-due-date check says only that. cap: each value is cut
 * to about this many bytes (0: as stored). */
char *report_check_message(const struct check_result *c, bool student_view, size_t cap);

/* The report in format f (o may be NULL: no colour, full view). */
char *report_render(const struct run_result *r, enum report_format f, const struct report_options *o);

/* A report file larger than this is refused unread: a real one is at most a few MiB (every
 * text is capped), and parsing hundreds of MiB of JSON costs GiBs of memory. */
#define REPORT_MAX_BYTES (16u << 20)

#endif
