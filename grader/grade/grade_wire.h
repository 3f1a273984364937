/* grade_wire: how a runner hands its result to the grader: one JSON document on a pipe. */
#ifndef SOCKGRADE_GRADE_WIRE_H
#define SOCKGRADE_GRADE_WIRE_H

#include "result/result.h"

char *wire_check_encode(const struct check_result *c);
int wire_check_decode(const char *json, struct check_result *c);
char *wire_build_encode(const struct build_result *b);
int wire_build_decode(const char *json, struct build_result *b);

#endif
