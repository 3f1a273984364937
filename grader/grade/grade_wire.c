/* grade_wire: cJSON encoding of one check or build result between runner and grader. */
#include "grade_wire.h"

#include <cJSON.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

static void add_str(cJSON *o, const char *k, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, k, v);
}

static char *get_str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? xstrdup(v->valuestring) : NULL;
}

static double get_num(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* The numbers a runner sends, checked before any is converted: a cut or garbled message
 * (a runner killed mid-write) must fail the decode, not convert an out-of-range double, which
 * is undefined behaviour (found by tests/fuzz/fuzz_wire). */
static bool wire_numbers_ok(const cJSON *o, int nstatus)
{
    double status = get_num(o, "status"), ms = get_num(o, "duration_ms");
    return status >= 0 && status < nstatus && status == (double)(int)status && ms >= 0 &&
           ms < 9007199254740992.0 && isfinite(get_num(o, "score"));
}

char *wire_check_encode(const struct check_result *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "status", c->status);
    cJSON_AddNumberToObject(o, "score", c->score);
    add_str(o, "expected", c->expected);
    add_str(o, "actual", c->actual);
    add_str(o, "hint", c->hint);
    cJSON_AddNumberToObject(o, "duration_ms", (double)c->duration_ms);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

int wire_check_decode(const char *json, struct check_result *c)
{
    cJSON *o = cJSON_Parse(json);
    if (!o || !wire_numbers_ok(o, STATUS_ERROR + 1)) {
        cJSON_Delete(o);
        return -1;
    }
    c->status = (enum check_status)get_num(o, "status");
    c->score = get_num(o, "score");
    c->expected = get_str(o, "expected");
    c->actual = get_str(o, "actual");
    c->hint = get_str(o, "hint");
    c->duration_ms = (int64_t)get_num(o, "duration_ms");
    cJSON_Delete(o);
    return 0;
}

char *wire_build_encode(const struct build_result *b)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "status", b->status);
    add_str(o, "command", b->command);
    add_str(o, "diagnostics", b->diagnostics);
    cJSON_AddNumberToObject(o, "duration_ms", (double)b->duration_ms);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

int wire_build_decode(const char *json, struct build_result *b)
{
    cJSON *o = cJSON_Parse(json);
    if (!o || !wire_numbers_ok(o, BUILD_ERROR + 1)) {
        cJSON_Delete(o);
        return -1;
    }
    b->status = (enum build_status)get_num(o, "status");
    free(b->command);
    free(b->diagnostics);
    b->command = get_str(o, "command");
    b->diagnostics = get_str(o, "diagnostics");
    b->duration_ms = (int64_t)get_num(o, "duration_ms");
    cJSON_Delete(o);
    return 0;
}
