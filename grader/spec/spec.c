/* spec: loads an assignment's grading spec. This file reads the file and the top level and
 * owns the result; spec_check.c reads each check, spec_json.c the typed fields. A spec either
 * loads completely and valid, or not at all with one message naming file, JSON path and
 * problem (syntax errors by line and column, since the document has no paths yet). */
#include "spec.h"

#include <stdlib.h>
#include <string.h>

#include "util/json_utf8.h"
#include "spec_internal.h"
#include "util/util.h"

#define SPEC_DEFAULT_TIMEOUT_MS 2000
/* The largest spec is a few KiB; a file of megabytes is not a spec, and cJSON would hold every
 * value of it as a node of its own (a 100 MB array took 4 GiB and 30 s). */
#define SPEC_MAX_BYTES (1u << 20)

static const char *const spec_top_keys[] = {"schema", "program", "title", "order",
                                            "timeout_ms", "checks", NULL};

/* Line and column (1-based, counted in characters) of the byte at `at`. */
static int spec_syntax_error(struct spec_json *j, const char *json, const char *at)
{
    size_t line = 1, col = 1;
    if (!at)
        at = json;
    for (const char *p = json; p < at && *p; p++) {
        if (*p == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)*p & 0xC0) != 0x80) {
            col++;
        }
    }
    return util_err(j->err, j->errlen, "%s: line %zu, column %zu: invalid JSON", j->file, line,
                    col);
}

/* The schema comes first: a spec of another version should say so, not list unknown keys. */
static int spec_read_schema(struct spec_json *j, const cJSON *root)
{
    char got[64];
    const cJSON *v = spec_json_get(root, "schema");
    if (!v)
        return spec_json_fail(j, "$", NULL, "missing required key \"schema\"");
    if (!cJSON_IsString(v) || strcmp(v->valuestring, SPEC_SCHEMA) != 0)
        return spec_json_fail(j, "$", "schema", "expected \"%s\", got %s", SPEC_SCHEMA,
                              spec_json_describe(v, got, sizeof got));
    return 0;
}

static int spec_read_checks(struct spec_json *j, const cJSON *root, struct spec *s)
{
    char path[SPEC_PATHLEN];
    const cJSON *arr;
    if (spec_json_array(j, root, "$", "checks", SPEC_REQUIRED | SPEC_NONEMPTY, &arr) < 0)
        return -1;
    s->nchecks = (size_t)cJSON_GetArraySize(arr);
    s->checks = xcalloc(s->nchecks, sizeof *s->checks);
    size_t i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        spec_json_index(path, sizeof path, "$", "checks", i);
        if (spec_check_read(j, it, path, s->timeout_ms, &s->checks[i]) < 0)
            return -1;
        /* Ids name results in reports and gradebooks, so they must be unique. */
        for (size_t k = 0; k < i; k++)
            if (strcmp(s->checks[k].id, s->checks[i].id) == 0)
                return spec_json_fail(j, path, "id", "duplicate id \"%s\" (first at "
                                      "$.checks[%zu])", s->checks[i].id, k);
    }
    spec_check_shared_runs(arr, s);
    return spec_check_requirements(j, s);
}

static int spec_read_top(struct spec_json *j, const cJSON *root, struct spec *s)
{
    s->timeout_ms = SPEC_DEFAULT_TIMEOUT_MS;
    if (spec_json_object(j, root, "$") < 0 || spec_read_schema(j, root) < 0 ||
        spec_json_keys(j, root, "$", spec_top_keys, NULL) < 0 ||
        spec_json_ident(j, root, "$", "program", &s->program) < 0 ||
        spec_json_string(j, root, "$", "title", SPEC_REQUIRED | SPEC_NONEMPTY, &s->title) < 0 ||
        spec_json_int(j, root, "$", "order", 1, 1000, &s->order) < 0 ||
        spec_json_int(j, root, "$", "timeout_ms", 1, 60000, &s->timeout_ms) < 0 ||
        spec_read_checks(j, root, s) < 0)
        return -1;
    return 0;
}

struct spec *spec_parse(const char *path, const char *json, char *err, size_t errlen)
{
    struct spec_json j = {.file = path, .err = err, .errlen = errlen};
    struct spec *s = NULL;
    const char *end = NULL;
    /* The end pointer of ParseWithOpts is the position cJSON_GetErrorPtr would report, without
     * the global state, so loading stays safe if specs are ever loaded from threads. */
    cJSON *root = cJSON_ParseWithOpts(json, &end, 1);
    if (!root) {
        spec_syntax_error(&j, json, end);
        goto out;
    }
    char why[UTIL_ERRLEN];
    if (json_utf8_check(root, "$", why, sizeof why) < 0) {
        util_err(err, errlen, "%s: %s", path, why);
        goto out;
    }
    s = xcalloc(1, sizeof *s);
    s->path = xstrdup(path);
    if (spec_read_top(&j, root, s) < 0) {
        spec_free(s);
        s = NULL;
    }
out:
    cJSON_Delete(root);
    return s;
}

struct spec *spec_load(const char *path, char *err, size_t errlen)
{
    struct spec_json j = {.file = path, .err = err, .errlen = errlen};
    struct spec *s = NULL;
    size_t len = 0;
    char *json = util_read_file_max(path, SPEC_MAX_BYTES, &len, err, errlen);
    if (!json)
        goto out;
    /* cJSON stops at a NUL byte; a file with one is not JSON, whatever precedes it. */
    const char *nul = memchr(json, '\0', len);
    if (nul) {
        spec_syntax_error(&j, json, nul);
        goto out;
    }
    s = spec_parse(path, json, err, errlen);
out:
    free(json);
    return s;
}

void spec_free(struct spec *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nchecks; i++)
        spec_check_free(&s->checks[i]);
    free(s->checks);
    free(s->path);
    free(s->program);
    free(s->title);
    free(s);
}

double spec_max_score(const struct spec *s)
{
    double total = 0;
    for (size_t i = 0; s && i < s->nchecks; i++)
        total += s->checks[i].points;
    return total;
}
