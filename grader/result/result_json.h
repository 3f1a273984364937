/* result_json: the result model's one JSON codec. The native report (docs/report-format.md)
 * is a run written here, and a runner hands its check or build result to the grader as the
 * same object on one line, so a new member is one edit. Writers repair every string to valid
 * UTF-8 and escape C1 controls; readers check every member (type, range, enum name) and
 * refuse a document with the JSON path of its first problem, e.g.
 *   $.programs[0].checks[2].status: expected passed, failed, skipped or error, got "maybe" */
#ifndef SOCKGRADE_RESULT_JSON_H
#define SOCKGRADE_RESULT_JSON_H

#include <stddef.h>

#include "result.h"

/* The native report: the run, indented as cJSON prints it. */
char *result_json_write(const struct run_result *r);
/* A native report back into the model, as written (batch resume, merge). Returns a heap run
 * (release with result_run_free, then free), or NULL with err. */
struct run_result *result_json_read(const char *json, char *err, size_t errlen);

/* One check or build on one line, with the members it has in the report. */
char *result_json_write_check(const struct check_result *c);
char *result_json_write_build(const struct build_result *b);
/* Fill *c or *b, which holds nothing yet: 0, or -1 with err and *c or *b left as it was. */
int result_json_read_check(const char *json, struct check_result *c, char *err, size_t errlen);
int result_json_read_build(const char *json, struct build_result *b, char *err, size_t errlen);

/* A copy of a JSON document (valid UTF-8, as cJSON prints it) with every C1 control
 * (U+0080..U+009F: U+009B is CSI to some terminals) written as \u00NN: cJSON escapes only
 * C0, and a report must not attack a terminal that shows it. The parsed value is the same. */
char *result_json_escape_c1(const char *json);

#endif
