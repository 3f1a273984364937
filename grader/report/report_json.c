/* report_json: the native report (docs/report-format.md) and its parser. The parser is the
 * writer's exact inverse, so a batch can resume from reports on disk and merge them. Every
 * string goes through result_utf8_repair on the way out: cJSON copies bytes >= 0x80 as they
 * are, and a report must stay valid JSON even when a caller put raw student bytes in it. */
#include "report.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "util/json_utf8.h"
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

static cJSON *json_check(const struct check_result *c)
{
    cJSON *o = cJSON_CreateObject();
    json_name(o, "id", c->id);
    json_str(o, "description", c->description);
    cJSON_AddStringToObject(o, "level", result_level_name(c->level));
    cJSON_AddStringToObject(o, "visibility", result_visibility_name(c->visibility));
    cJSON_AddStringToObject(o, "status", check_status_name(c->status));
    json_num(o, "score", c->score);
    json_num(o, "max_score", c->max_score);
    json_str(o, "expected", c->expected);
    json_str(o, "actual", c->actual);
    json_str(o, "hint", c->hint);
    json_num(o, "duration_ms", (double)c->duration_ms);
    return o;
}

static cJSON *json_program(const struct program_result *p)
{
    cJSON *o = cJSON_CreateObject();
    json_name(o, "name", p->name);
    json_str(o, "source", p->source);
    json_num(o, "score", p->score);
    json_num(o, "max_score", p->max_score);
    cJSON *b = cJSON_AddObjectToObject(o, "build");
    if (b) {
        cJSON_AddStringToObject(b, "status", build_status_name(p->build.status));
        json_str(b, "command", p->build.command);
        json_str(b, "diagnostics", p->build.diagnostics);
        json_num(b, "duration_ms", (double)p->build.duration_ms);
    }
    cJSON *checks = cJSON_AddArrayToObject(o, "checks");
    for (size_t i = 0; checks && i < p->nchecks; i++)
        cJSON_AddItemToArray(checks, json_check(&p->checks[i]));
    return o;
}

static const char *run_status(const struct run_result *r)
{
    if (r->error)
        return "error";
    return result_exit_status(r) == 0 ? "passed" : "failed";
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

char *report_json(const struct run_result *r)
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
    cJSON_AddStringToObject(root, "status", run_status(r));
    if (r->error)
        json_str(root, "error", r->error);
    json_lists(root, r);

    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        util_out_of_memory("printing the JSON report");
    /* Hand back memory the caller frees with free(), whatever allocator cJSON was given. */
    char *out = result_json_escape_c1(text);
    cJSON_free(text);
    return out;
}

/* ---- parsing ---------------------------------------------------------------------------- */

/* Where errors go; every message starts with the JSON path of the offending member. */
struct jp {
    char *err;
    size_t errlen;
};

static const cJSON *jp_get(struct jp *j, const cJSON *o, const char *path, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v)
        util_err(j->err, j->errlen, "%s.%s: missing", path, key);
    return v;
}

static int jp_str(struct jp *j, const cJSON *o, const char *path, const char *key, bool nullable,
                  char **out)
{
    const cJSON *v = jp_get(j, o, path, key);
    if (!v)
        return -1;
    if (nullable && cJSON_IsNull(v)) {
        *out = NULL;
        return 0;
    }
    if (!cJSON_IsString(v))
        return util_err(j->err, j->errlen, "%s.%s: expected a string%s", path, key,
                        nullable ? " or null" : "");
    *out = xstrdup(v->valuestring);
    return 0;
}

/* An enum member: a string the caller maps with its *_parse function. */
static const char *jp_name(struct jp *j, const cJSON *o, const char *path, const char *key)
{
    const cJSON *v = jp_get(j, o, path, key);
    if (v && !cJSON_IsString(v)) {
        util_err(j->err, j->errlen, "%s.%s: expected a string", path, key);
        return NULL;
    }
    return v ? v->valuestring : NULL;
}

static int jp_bad_name(struct jp *j, const char *path, const char *key, const char *got,
                       const char *allowed)
{
    return util_err(j->err, j->errlen, "%s.%s: expected %s, got \"%s\"", path, key, allowed, got);
}

static int jp_num(struct jp *j, const cJSON *o, const char *path, const char *key, double *out)
{
    const cJSON *v = jp_get(j, o, path, key);
    if (!v)
        return -1;
    if (!cJSON_IsNumber(v))
        return util_err(j->err, j->errlen, "%s.%s: expected a number", path, key);
    *out = v->valuedouble;
    return 0;
}

static int jp_ms(struct jp *j, const cJSON *o, const char *path, const char *key, int64_t *out)
{
    double d;
    if (jp_num(j, o, path, key, &d) < 0)
        return -1;
    /* Exact integers only: cJSON holds numbers as doubles, so check the range first. */
    if (!(d >= 0 && d < 9007199254740992.0) || (double)(int64_t)d != d)
        return util_err(j->err, j->errlen, "%s.%s: expected a non-negative integer", path, key);
    *out = (int64_t)d;
    return 0;
}

static const cJSON *jp_array(struct jp *j, const cJSON *o, const char *path, const char *key,
                             size_t *n)
{
    const cJSON *v = jp_get(j, o, path, key);
    if (v && !cJSON_IsArray(v)) {
        util_err(j->err, j->errlen, "%s.%s: expected an array", path, key);
        return NULL;
    }
    *n = v ? (size_t)cJSON_GetArraySize(v) : 0;
    return v;
}

static int jp_check(struct jp *j, const cJSON *o, const char *path, struct check_result *c)
{
    const char *s;
    if (!cJSON_IsObject(o))
        return util_err(j->err, j->errlen, "%s: expected an object", path);
    if (jp_str(j, o, path, "id", false, &c->id) < 0 ||
        jp_str(j, o, path, "description", true, &c->description) < 0)
        return -1;
    if (!(s = jp_name(j, o, path, "level")))
        return -1;
    if (result_level_parse(s, &c->level) < 0)
        return jp_bad_name(j, path, "level", s, "core or robustness");
    if (!(s = jp_name(j, o, path, "visibility")))
        return -1;
    if (result_visibility_parse(s, &c->visibility) < 0)
        return jp_bad_name(j, path, "visibility", s, "visible, hidden or after_due_date");
    if (!(s = jp_name(j, o, path, "status")))
        return -1;
    if (check_status_parse(s, &c->status) < 0)
        return jp_bad_name(j, path, "status", s, "passed, failed, skipped or error");
    if (jp_num(j, o, path, "score", &c->score) < 0 ||
        jp_num(j, o, path, "max_score", &c->max_score) < 0 ||
        jp_str(j, o, path, "expected", true, &c->expected) < 0 ||
        jp_str(j, o, path, "actual", true, &c->actual) < 0 ||
        jp_str(j, o, path, "hint", true, &c->hint) < 0 ||
        jp_ms(j, o, path, "duration_ms", &c->duration_ms) < 0)
        return -1;
    return 0;
}

static int jp_build(struct jp *j, const cJSON *o, const char *path, struct build_result *b)
{
    char bpath[128];
    const cJSON *v = jp_get(j, o, path, "build");
    if (!v)
        return -1;
    snprintf(bpath, sizeof(bpath), "%s.build", path);
    if (!cJSON_IsObject(v))
        return util_err(j->err, j->errlen, "%s: expected an object", bpath);
    const char *s = jp_name(j, v, bpath, "status");
    if (!s)
        return -1;
    if (build_status_parse(s, &b->status) < 0)
        return jp_bad_name(j, bpath, "status", s, "ok, failed or error");
    if (jp_str(j, v, bpath, "command", true, &b->command) < 0 ||
        jp_str(j, v, bpath, "diagnostics", true, &b->diagnostics) < 0 ||
        jp_ms(j, v, bpath, "duration_ms", &b->duration_ms) < 0)
        return -1;
    return 0;
}

static int jp_program(struct jp *j, const cJSON *o, const char *path, struct program_result *p)
{
    char cpath[128];
    if (!cJSON_IsObject(o))
        return util_err(j->err, j->errlen, "%s: expected an object", path);
    if (jp_str(j, o, path, "name", false, &p->name) < 0 ||
        jp_str(j, o, path, "source", true, &p->source) < 0 ||
        jp_num(j, o, path, "score", &p->score) < 0 ||
        jp_num(j, o, path, "max_score", &p->max_score) < 0 ||
        jp_build(j, o, path, &p->build) < 0)
        return -1;
    size_t n;
    const cJSON *checks = jp_array(j, o, path, "checks", &n);
    if (!checks)
        return -1;
    /* Counted before filling, so a failure half-way frees what was parsed so far. */
    p->checks = xcalloc(n, sizeof(*p->checks));
    p->nchecks = n;
    size_t i = 0;
    for (const cJSON *c = checks->child; c; c = c->next, i++) {
        snprintf(cpath, sizeof(cpath), "%s.checks[%zu]", path, i);
        if (jp_check(j, c, cpath, &p->checks[i]) < 0)
            return -1;
    }
    return 0;
}

static int jp_seed(struct jp *j, const cJSON *root, uint64_t *seed)
{
    const char *s = jp_name(j, root, "$", "seed");
    if (!s)
        return -1;
    uint64_t v = 0;
    size_t len = strlen(s);
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9 || v > (UINT64_MAX - d) / 10)
            return util_err(j->err, j->errlen,
                            "$.seed: expected a decimal 64-bit unsigned integer, got \"%s\"", s);
        v = v * 10 + d;
    }
    if (len == 0)
        return util_err(j->err, j->errlen, "$.seed: empty");
    *seed = v;
    return 0;
}

static int jp_head(struct jp *j, const cJSON *root, struct run_result *r)
{
    const char *s = jp_name(j, root, "$", "schema");
    if (!s)
        return -1;
    if (strcmp(s, RESULT_SCHEMA) != 0)
        return jp_bad_name(j, "$", "schema", s, "\"" RESULT_SCHEMA "\"");
    if (jp_str(j, root, "$", "grader_version", true, &r->grader_version) < 0 ||
        jp_seed(j, root, &r->seed) < 0 ||
        jp_str(j, root, "$", "sandbox", true, &r->sandbox) < 0 ||
        jp_str(j, root, "$", "submission", true, &r->submission) < 0 ||
        jp_num(j, root, "$", "score", &r->score) < 0 ||
        jp_num(j, root, "$", "max_score", &r->max_score) < 0 ||
        jp_ms(j, root, "$", "duration_ms", &r->duration_ms) < 0)
        return -1;
    /* status is derived from the rest; it is checked, not stored. */
    if (!(s = jp_name(j, root, "$", "status")))
        return -1;
    if (strcmp(s, "passed") != 0 && strcmp(s, "failed") != 0 && strcmp(s, "error") != 0)
        return jp_bad_name(j, "$", "status", s, "passed, failed or error");
    /* isolation is newer than the schema's first reports: optional. */
    if (cJSON_GetObjectItemCaseSensitive(root, "isolation") &&
        jp_str(j, root, "$", "isolation", true, &r->isolation) < 0)
        return -1;
    if (cJSON_GetObjectItemCaseSensitive(root, "error"))
        return jp_str(j, root, "$", "error", true, &r->error);
    return 0;
}

static int jp_lists(struct jp *j, const cJSON *root, struct run_result *r)
{
    char path[64];
    size_t n, i = 0;
    const cJSON *a = jp_array(j, root, "$", "programs", &n);
    if (!a)
        return -1;
    r->programs = xcalloc(n, sizeof(*r->programs));
    r->nprograms = n;
    for (const cJSON *v = a->child; v; v = v->next, i++) {
        snprintf(path, sizeof(path), "$.programs[%zu]", i);
        if (jp_program(j, v, path, &r->programs[i]) < 0)
            return -1;
    }
    if (!(a = jp_array(j, root, "$", "missing", &n)))
        return -1;
    r->missing = xcalloc(n, sizeof(*r->missing));
    r->nmissing = n;
    i = 0;
    for (const cJSON *v = a->child; v; v = v->next, i++) {
        if (!cJSON_IsString(v))
            return util_err(j->err, j->errlen, "$.missing[%zu]: expected a string", i);
        r->missing[i] = xstrdup(v->valuestring);
    }
    if (!(a = jp_array(j, root, "$", "near_misses", &n)))
        return -1;
    r->near_misses = xcalloc(n, sizeof(*r->near_misses));
    r->nnear_misses = n;
    i = 0;
    for (const cJSON *v = a->child; v; v = v->next, i++) {
        snprintf(path, sizeof(path), "$.near_misses[%zu]", i);
        if (!cJSON_IsObject(v))
            return util_err(j->err, j->errlen, "%s: expected an object", path);
        if (jp_str(j, v, path, "file", false, &r->near_misses[i].file) < 0 ||
            jp_str(j, v, path, "program", false, &r->near_misses[i].program) < 0)
            return -1;
    }
    return 0;
}

struct run_result *report_json_parse(const char *json, char *err, size_t errlen)
{
    struct jp j = { err, errlen };
    struct run_result *r = xcalloc(1, sizeof(*r));
    const char *end = NULL;
    int rc = -1;

    /* ParseWithOpts rather than cJSON_GetErrorPtr: the latter is global, and batch mode
     * parses from several threads. */
    cJSON *root = cJSON_ParseWithOpts(json ? json : "", &end, 1);
    if (!root) {
        util_err(err, errlen, "not valid JSON (at byte %td)", end && json ? end - json : 0);
        goto out;
    }
    if (!cJSON_IsObject(root)) {
        util_err(err, errlen, "$: expected an object");
        goto out;
    }
    if (json_utf8_check(root, "$", err, errlen) < 0) /* the grader writes only UTF-8 */
        goto out;
    if (jp_head(&j, root, r) < 0 || jp_lists(&j, root, r) < 0)
        goto out;
    rc = 0;
out:
    cJSON_Delete(root);
    if (rc < 0) {
        result_run_free(r);
        free(r);
        return NULL;
    }
    return r;
}
