/* grade_wire: the runner pipe over the result codec. A runner is a fork of the grader, but it
 * shares its process with peers that talk to hostile code, and its pipe can be cut at any
 * byte: the codec checks every member before anything is converted (tests/fuzz/fuzz_wire). */
#include "grade_wire.h"

#include <stdlib.h>

#include "result/result_json.h"

char *wire_check_encode(const struct check_result *c)
{
    return result_json_write_check(c);
}

int wire_check_decode(const char *json, struct check_result *c, char *err, size_t errlen)
{
    struct check_result got = { 0 };
    if (result_json_read_check(json, &got, err, errlen) < 0)
        return -1;
    free(c->expected);
    free(c->actual);
    free(c->hint);
    result_evidence_free(c->evidence);
    c->status = got.status;
    c->score = got.score;
    c->expected = got.expected;
    c->actual = got.actual;
    c->hint = got.hint;
    c->evidence = got.evidence;
    c->duration_ms = got.duration_ms;
    got.expected = got.actual = got.hint = NULL;
    got.evidence = NULL;
    result_check_free(&got);
    return 0;
}

char *wire_build_encode(const struct build_result *b)
{
    return result_json_write_build(b);
}

int wire_build_decode(const char *json, struct build_result *b, char *err, size_t errlen)
{
    struct build_result got = { 0 };
    if (result_json_read_build(json, &got, err, errlen) < 0)
        return -1;
    free(b->command);
    free(b->diagnostics);
    *b = got;
    return 0;
}
