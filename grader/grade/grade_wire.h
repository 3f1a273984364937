/* grade_wire: how a runner hands its result to the grader: one document on a pipe, the check
 * or build object of the native report (result/result_json.h), statuses as names. */
#ifndef SOCKGRADE_GRADE_WIRE_H
#define SOCKGRADE_GRADE_WIRE_H

#include <stddef.h>

#include "result/result.h"

char *wire_check_encode(const struct check_result *c);
/* Takes the runner's verdict (status, score, expected, actual, hint, duration) into c, whose
 * id, level, visibility and points the grader set from the spec and keeps. 0, or -1 with err
 * (the JSON path and the problem) and c unchanged. */
int wire_check_decode(const char *json, struct check_result *c, char *err, size_t errlen);
char *wire_build_encode(const struct build_result *b);
/* Replaces b with the runner's build result: 0, or -1 with err and b unchanged. */
int wire_build_decode(const char *json, struct build_result *b, char *err, size_t errlen);

#endif
