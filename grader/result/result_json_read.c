/* result_json_read: the codec's reading half (result_json.h), the writer's exact inverse, so
 * a batch can resume from reports on disk and merge them, and the grader can trust what a
 * runner sent. Nothing is converted before it is checked: a cut or edited document fails
 * with its JSON path, never as a double cast out of range. */
#include "result_json.h"

#include <cJSON.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json_utf8.h"
#include "util/util.h"

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

/* A string member that is not kept as it is (an enum name, the seed). */
static const char *jp_name(struct jp *j, const cJSON *o, const char *path, const char *key)
{
    const cJSON *v = jp_get(j, o, path, key);
    if (v && !cJSON_IsString(v)) {
        util_err(j->err, j->errlen, "%s.%s: expected a string", path, key);
        return NULL;
    }
    return v ? v->valuestring : NULL;
}

/* An enum member, spelled as in its table (util_enum_value); a wrong name is refused with
 * the table's names: "expected ok, failed or error, got ...". */
static int jp_enum(struct jp *j, const cJSON *o, const char *path, const char *key,
                   const char *const *names, int *out)
{
    const char *s = jp_name(j, o, path, key);
    if (!s)
        return -1;
    *out = util_enum_value(names, s);
    if (*out >= 0)
        return 0;
    struct strbuf sb;
    strbuf_init(&sb);
    for (size_t i = 0; names[i]; i++)
        strbuf_addf(&sb, "%s%s", i == 0 ? "" : names[i + 1] ? ", " : " or ", names[i]);
    util_err(j->err, j->errlen, "%s.%s: expected %s, got \"%s\"", path, key, sb.data, s);
    strbuf_release(&sb);
    return -1;
}

static int jp_num(struct jp *j, const cJSON *o, const char *path, const char *key, double *out)
{
    const cJSON *v = jp_get(j, o, path, key);
    if (!v)
        return -1;
    /* cJSON reads 1e999 as infinity, which no report holds: the writer has no way to say it. */
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
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

static int jp_evidence_peers(struct jp *j, const cJSON *o, const char *path,
                             struct check_evidence *e)
{
    const cJSON *arr = jp_array(j, o, path, "peers", &e->npeers);
    if (!arr)
        return -1;
    e->peers = xcalloc(e->npeers + 1, sizeof *e->peers);
    size_t i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        if (!cJSON_IsString(it)) {
            e->npeers = i;
            return util_err(j->err, j->errlen, "%s.peers[%zu]: expected a string", path, i);
        }
        e->peers[i] = xstrdup(it->valuestring);
    }
    return 0;
}

/* Optional: reports written before it existed have no "evidence", and read as none. */
static int jp_evidence(struct jp *j, const cJSON *o, const char *path, struct check_evidence **out)
{
    char sub[128];
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "evidence");
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return 0;
    snprintf(sub, sizeof sub, "%s.evidence", path);
    if (!cJSON_IsObject(v))
        return util_err(j->err, j->errlen, "%s: expected an object or null", sub);
    struct check_evidence *e = *out = xcalloc(1, sizeof *e);
    if (jp_str(j, v, sub, "command", true, &e->command) < 0 ||
        jp_str(j, v, sub, "stdin", true, &e->stdin_text) < 0 ||
        jp_evidence_peers(j, v, sub, e) < 0 ||
        jp_str(j, v, sub, "ended", true, &e->ended) < 0 ||
        jp_str(j, v, sub, "output", true, &e->output) < 0 ||
        jp_str(j, v, sub, "valgrind", true, &e->valgrind) < 0)
        return -1;
    return 0;
}

static int jp_check(struct jp *j, const cJSON *o, const char *path, struct check_result *c)
{
    int level, vis, status;
    if (!cJSON_IsObject(o))
        return util_err(j->err, j->errlen, "%s: expected an object", path);
    if (jp_str(j, o, path, "id", false, &c->id) < 0 ||
        jp_str(j, o, path, "description", true, &c->description) < 0 ||
        jp_enum(j, o, path, "level", spec_level_names, &level) < 0 ||
        jp_enum(j, o, path, "visibility", spec_visibility_names, &vis) < 0 ||
        jp_enum(j, o, path, "status", check_status_names, &status) < 0)
        return -1;
    c->level = (enum spec_level)level;
    c->visibility = (enum spec_visibility)vis;
    c->status = (enum check_status)status;
    if (jp_num(j, o, path, "score", &c->score) < 0 ||
        jp_num(j, o, path, "max_score", &c->max_score) < 0 ||
        jp_str(j, o, path, "expected", true, &c->expected) < 0 ||
        jp_str(j, o, path, "actual", true, &c->actual) < 0 ||
        jp_str(j, o, path, "hint", true, &c->hint) < 0 ||
        jp_evidence(j, o, path, &c->evidence) < 0 ||
        jp_ms(j, o, path, "duration_ms", &c->duration_ms) < 0)
        return -1;
    return 0;
}

static int jp_build(struct jp *j, const cJSON *o, const char *path, struct build_result *b)
{
    int status;
    if (!cJSON_IsObject(o))
        return util_err(j->err, j->errlen, "%s: expected an object", path);
    if (jp_enum(j, o, path, "status", build_status_names, &status) < 0)
        return -1;
    b->status = (enum build_status)status;
    if (jp_str(j, o, path, "command", true, &b->command) < 0 ||
        jp_str(j, o, path, "diagnostics", true, &b->diagnostics) < 0 ||
        jp_ms(j, o, path, "duration_ms", &b->duration_ms) < 0)
        return -1;
    return 0;
}

/* reused is newer than the schema's first reports, and written only when true: optional. */
static int jp_reused(struct jp *j, const cJSON *o, const char *path, bool *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "reused");
    if (v && !cJSON_IsBool(v))
        return util_err(j->err, j->errlen, "%s.reused: expected true or false", path);
    *out = v && cJSON_IsTrue(v);
    return 0;
}

static int jp_program(struct jp *j, const cJSON *o, const char *path, struct program_result *p)
{
    char sub[128];
    const cJSON *build;
    if (!cJSON_IsObject(o))
        return util_err(j->err, j->errlen, "%s: expected an object", path);
    snprintf(sub, sizeof(sub), "%s.build", path);
    if (jp_str(j, o, path, "name", false, &p->name) < 0 ||
        jp_str(j, o, path, "source", true, &p->source) < 0 ||
        jp_num(j, o, path, "score", &p->score) < 0 ||
        jp_num(j, o, path, "max_score", &p->max_score) < 0 ||
        jp_reused(j, o, path, &p->reused) < 0 ||
        !(build = jp_get(j, o, path, "build")) || jp_build(j, build, sub, &p->build) < 0)
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
        snprintf(sub, sizeof(sub), "%s.checks[%zu]", path, i);
        if (jp_check(j, c, sub, &p->checks[i]) < 0)
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

/* The run's status is derived from the rest: checked, not stored. It is spelled like a
 * check's, but a run is never skipped. */
static int jp_run_status(struct jp *j, const cJSON *root)
{
    const char *s = jp_name(j, root, "$", "status");
    if (!s)
        return -1;
    int status = util_enum_value(check_status_names, s);
    if (status < 0 || status == STATUS_SKIPPED)
        return util_err(j->err, j->errlen, "$.status: expected passed, failed or error, got \"%s\"", s);
    return 0;
}

static int jp_head(struct jp *j, const cJSON *root, struct run_result *r)
{
    const char *s = jp_name(j, root, "$", "schema");
    if (!s)
        return -1;
    if (strcmp(s, RESULT_SCHEMA) != 0)
        return util_err(j->err, j->errlen, "$.schema: expected \"%s\", got \"%s\"", RESULT_SCHEMA, s);
    if (jp_str(j, root, "$", "grader_version", true, &r->grader_version) < 0 ||
        jp_seed(j, root, &r->seed) < 0 ||
        jp_str(j, root, "$", "sandbox", true, &r->sandbox) < 0 ||
        jp_str(j, root, "$", "submission", true, &r->submission) < 0 ||
        jp_num(j, root, "$", "score", &r->score) < 0 ||
        jp_num(j, root, "$", "max_score", &r->max_score) < 0 ||
        jp_ms(j, root, "$", "duration_ms", &r->duration_ms) < 0 ||
        jp_run_status(j, root) < 0)
        return -1;
    /* isolation is newer than the schema's first reports: optional. */
    if (cJSON_GetObjectItemCaseSensitive(root, "isolation") &&
        jp_str(j, root, "$", "isolation", true, &r->isolation) < 0)
        return -1;
    if (cJSON_GetObjectItemCaseSensitive(root, "error"))
        return jp_str(j, root, "$", "error", true, &r->error);
    return 0;
}

static int jp_programs(struct jp *j, const cJSON *root, struct run_result *r)
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
    return 0;
}

static int jp_missing(struct jp *j, const cJSON *root, struct run_result *r)
{
    size_t n, i = 0;
    const cJSON *a = jp_array(j, root, "$", "missing", &n);
    if (!a)
        return -1;
    r->missing = xcalloc(n, sizeof(*r->missing));
    r->nmissing = n;
    for (const cJSON *v = a->child; v; v = v->next, i++) {
        if (!cJSON_IsString(v))
            return util_err(j->err, j->errlen, "$.missing[%zu]: expected a string", i);
        r->missing[i] = xstrdup(v->valuestring);
    }
    return 0;
}

static int jp_near_misses(struct jp *j, const cJSON *root, struct run_result *r)
{
    char path[64];
    size_t n, i = 0;
    const cJSON *a = jp_array(j, root, "$", "near_misses", &n);
    if (!a)
        return -1;
    r->near_misses = xcalloc(n, sizeof(*r->near_misses));
    r->nnear_misses = n;
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

/* The JSON object in text (valid UTF-8, nothing after it), or NULL with err. */
static cJSON *jp_document(const char *json, char *err, size_t errlen)
{
    const char *end = NULL;
    /* ParseWithOpts rather than cJSON_GetErrorPtr: the latter is global, and batch mode
     * parses from several threads. */
    cJSON *root = cJSON_ParseWithOpts(json ? json : "", &end, 1);
    if (!root) {
        util_err(err, errlen, "not valid JSON (at byte %td)", end && json ? end - json : 0);
        return NULL;
    }
    if (!cJSON_IsObject(root))
        util_err(err, errlen, "$: expected an object");
    else if (json_utf8_check(root, "$", err, errlen) == 0) /* the grader writes only UTF-8 */
        return root;
    cJSON_Delete(root);
    return NULL;
}

struct run_result *result_json_read(const char *json, char *err, size_t errlen)
{
    struct jp j = { err, errlen };
    struct run_result *r = xcalloc(1, sizeof(*r));
    cJSON *root = jp_document(json, err, errlen);
    int rc = -1;

    if (root && jp_head(&j, root, r) == 0 && jp_programs(&j, root, r) == 0 &&
        jp_missing(&j, root, r) == 0 && jp_near_misses(&j, root, r) == 0)
        rc = 0;
    cJSON_Delete(root);
    if (rc < 0) {
        result_run_free(r);
        free(r);
        return NULL;
    }
    return r;
}

int result_json_read_check(const char *json, struct check_result *c, char *err, size_t errlen)
{
    struct jp j = { err, errlen };
    struct check_result got = { 0 };
    cJSON *root = jp_document(json, err, errlen);
    int rc = root ? jp_check(&j, root, "$", &got) : -1;

    cJSON_Delete(root);
    if (rc == 0)
        *c = got;
    else
        result_check_free(&got);
    return rc;
}

int result_json_read_build(const char *json, struct build_result *b, char *err, size_t errlen)
{
    struct jp j = { err, errlen };
    struct build_result got = { 0 };
    cJSON *root = jp_document(json, err, errlen);
    int rc = root ? jp_build(&j, root, "$", &got) : -1;

    cJSON_Delete(root);
    if (rc == 0) {
        *b = got;
    } else {
        free(got.command);
        free(got.diagnostics);
    }
    return rc;
}
