/* result_json: the codec's writing half (result_json.h). Every string goes through
 * result_utf8_repair: cJSON copies bytes >= 0x80 as they are, and a report must stay valid
 * JSON even when a caller put raw student bytes in the model. */
#include "result_json.h"

#include <cJSON.h>
#include <locale.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* A string member: repaired UTF-8, or null when the model has nothing to say. */
static void json_str(cJSON *o, const char *key, const char *s)
{
    if (!s) {
        cJSON_AddNullToObject(o, key);
        return;
    }
    char *t = result_utf8_repair(s);
    cJSON_AddStringToObject(o, key, t);
    free(t);
}

/* A member the format never leaves null (names, ids): "" stands in for a missing one. */
static void json_name(cJSON *o, const char *key, const char *s)
{
    json_str(o, key, s ? s : "");
}

/* A number that reads back as the same double. cJSON prints 15 significant digits and
 * accepts a near miss (0.1 + 0.2 comes out as 0.3), which would break the round trip that
 * batch resume relies on; so: the shortest of %.15g and %.17g that is exact, with the
 * locale's decimal separator (if main set a locale) turned back into a point. JSON has no
 * NaN or infinity: those become null, which the parser then rejects. */
static void json_num(cJSON *o, const char *key, double v)
{
    char buf[40];
    if (!isfinite(v)) {
        cJSON_AddNullToObject(o, key);
        return;
    }
    snprintf(buf, sizeof(buf), "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, sizeof(buf), "%.17g", v);
    char point = localeconv()->decimal_point[0];
    char *p = point && point != '.' ? strchr(buf, point) : NULL;
    if (p)
        *p = '.';
    cJSON_AddRawToObject(o, key, buf);
}

static void json_evidence(cJSON *o, const struct check_evidence *e)
{
    if (!e) {
        cJSON_AddNullToObject(o, "evidence");
        return;
    }
    cJSON *v = cJSON_AddObjectToObject(o, "evidence");
    json_str(v, "command", e->command);
    json_str(v, "stdin", e->stdin_text);
    cJSON *peers = cJSON_AddArrayToObject(v, "peers");
    for (size_t i = 0; i < e->npeers; i++) {
        char *t = result_utf8_repair(e->peers[i]);
        cJSON_AddItemToArray(peers, cJSON_CreateString(t));
        free(t);
    }
    json_str(v, "ended", e->ended);
    json_str(v, "output", e->output);
    json_str(v, "valgrind", e->valgrind);
}

static cJSON *json_check(const struct check_result *c)
{
    cJSON *o = cJSON_CreateObject();
    json_name(o, "id", c->id);
    json_str(o, "description", c->description);
    cJSON_AddStringToObject(o, "level", spec_level_name(c->level));
    cJSON_AddStringToObject(o, "visibility", spec_visibility_name(c->visibility));
    cJSON_AddStringToObject(o, "status", check_status_name(c->status));
    json_num(o, "score", c->score);
    json_num(o, "max_score", c->max_score);
    json_str(o, "expected", c->expected);
    json_str(o, "actual", c->actual);
    json_str(o, "hint", c->hint);
    json_evidence(o, c->evidence);
    json_num(o, "duration_ms", (double)c->duration_ms);
    return o;
}

static cJSON *json_build(const struct build_result *b)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", build_status_name(b->status));
    json_str(o, "command", b->command);
    json_str(o, "diagnostics", b->diagnostics);
    json_num(o, "duration_ms", (double)b->duration_ms);
    return o;
}

static cJSON *json_program(const struct program_result *p)
{
    cJSON *o = cJSON_CreateObject();
    json_name(o, "name", p->name);
    json_str(o, "source", p->source);
    json_num(o, "score", p->score);
    json_num(o, "max_score", p->max_score);
    if (p->reused) /* only then: a report graded afresh reads as before the cache existed */
        cJSON_AddTrueToObject(o, "reused");
    cJSON_AddItemToObject(o, "build", json_build(&p->build));
    cJSON *checks = cJSON_AddArrayToObject(o, "checks");
    for (size_t i = 0; checks && i < p->nchecks; i++)
        cJSON_AddItemToArray(checks, json_check(&p->checks[i]));
    return o;
}

/* A run's status is spelled like a check's: error, passed or failed. */
static enum check_status run_status(const struct run_result *r)
{
    if (r->error)
        return STATUS_ERROR;
    return result_exit_status(r) == 0 ? STATUS_PASSED : STATUS_FAILED;
}

static void json_lists(cJSON *root, const struct run_result *r)
{
    cJSON *programs = cJSON_AddArrayToObject(root, "programs");
    for (size_t i = 0; programs && i < r->nprograms; i++)
        cJSON_AddItemToArray(programs, json_program(&r->programs[i]));
    cJSON *missing = cJSON_AddArrayToObject(root, "missing");
    for (size_t i = 0; missing && i < r->nmissing; i++) {
        char *t = result_utf8_repair(r->missing[i]);
        cJSON_AddItemToArray(missing, cJSON_CreateString(t));
        free(t);
    }
    cJSON *near = cJSON_AddArrayToObject(root, "near_misses");
    for (size_t i = 0; near && i < r->nnear_misses; i++) {
        cJSON *m = cJSON_CreateObject();
        json_name(m, "file", r->near_misses[i].file);
        json_name(m, "program", r->near_misses[i].program);
        cJSON_AddItemToArray(near, m);
    }
}

static cJSON *json_run(const struct run_result *r)
{
    char seed[24];
    cJSON *root = cJSON_CreateObject();
    if (!root)
        util_out_of_memory("building the JSON report");

    cJSON_AddStringToObject(root, "schema", RESULT_SCHEMA);
    json_str(root, "grader_version", r->grader_version);
    /* A string: JSON readers hold numbers as doubles and would round a seed above 2^53. */
    snprintf(seed, sizeof(seed), "%llu", (unsigned long long)r->seed);
    cJSON_AddStringToObject(root, "seed", seed);
    json_str(root, "sandbox", r->sandbox);
    if (r->isolation)
        json_str(root, "isolation", r->isolation);
    json_str(root, "submission", r->submission);
    json_num(root, "score", r->score);
    json_num(root, "max_score", r->max_score);
    json_num(root, "duration_ms", (double)r->duration_ms);
    cJSON_AddStringToObject(root, "status", check_status_name(run_status(r)));
    if (r->error)
        json_str(root, "error", r->error);
    json_lists(root, r);
    return root;
}

/* The document's text, which the caller frees with free() whatever allocator cJSON was
 * given; o is consumed. */
static char *json_print(cJSON *o, bool formatted)
{
    char *text = o ? (formatted ? cJSON_Print(o) : cJSON_PrintUnformatted(o)) : NULL;
    cJSON_Delete(o);
    if (!text)
        util_out_of_memory("printing a JSON result");
    char *out = result_json_escape_c1(text);
    cJSON_free(text);
    return out;
}

char *result_json_write(const struct run_result *r)
{
    return json_print(json_run(r), true);
}

char *result_json_write_check(const struct check_result *c)
{
    return json_print(json_check(c), false);
}

char *result_json_write_build(const struct build_result *b)
{
    return json_print(json_build(b), false);
}

char *result_json_escape_c1(const char *json)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_add(&sb, "", 0);
    for (const char *p = json ? json : ""; *p; p++) {
        /* In valid UTF-8 a 0xC2 byte always leads a character, so this pair is U+0080..9F. */
        if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] >= 0x80 &&
            (unsigned char)p[1] <= 0x9F)
            strbuf_addf(&sb, "\\u%04x", (unsigned char)*++p);
        else
            strbuf_add(&sb, p, 1);
    }
    return strbuf_detach(&sb);
}
