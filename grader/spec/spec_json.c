/* spec_json: typed field readers over cJSON for the spec loader. Every reader checks the JSON
 * type and range itself and words its error as "<file>: <json path>: <problem>", so a spec
 * author learns exactly which value to fix; unknown keys are errors because in a hand-edited
 * JSON file they are nearly always typos of a known key. */
#include "spec_internal.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* A key is shown as ".key" when it reads like an identifier, else as ["key"]. */
static void spec_json_join(char *buf, size_t len, const char *path, const char *key)
{
    if (!key) {
        snprintf(buf, len, "%s", path);
        return;
    }
    bool plain = key[0] != '\0';
    for (const char *p = key; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '$'))
            plain = false;
    snprintf(buf, len, plain ? "%s.%s" : "%s[\"%s\"]", path, key);
}

int spec_json_fail(struct spec_json *j, const char *path, const char *key, const char *fmt, ...)
{
    char msg[UTIL_ERRLEN];
    char where[SPEC_PATHLEN + 96];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    spec_json_join(where, sizeof where, path, key);
    return util_err(j->err, j->errlen, "%s: %s: %s", j->file, where, msg);
}

/* Optimal string alignment distance (Levenshtein plus adjacent transpositions, the commonest
 * typo: "tpye"). Only short keys are compared; anything longer is never a near miss. */
#define SPEC_KEYMAX 40
static size_t spec_json_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > SPEC_KEYMAX || m > SPEC_KEYMAX)
        return SIZE_MAX;
    size_t d[SPEC_KEYMAX + 1][SPEC_KEYMAX + 1];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t k = 0; k <= m; k++)
        d[0][k] = k;
    for (size_t i = 1; i <= n; i++) {
        for (size_t k = 1; k <= m; k++) {
            size_t cost = a[i - 1] != b[k - 1];
            size_t best = d[i - 1][k - 1] + cost;
            if (d[i - 1][k] + 1 < best)
                best = d[i - 1][k] + 1;
            if (d[i][k - 1] + 1 < best)
                best = d[i][k - 1] + 1;
            if (i > 1 && k > 1 && a[i - 1] == b[k - 2] && a[i - 2] == b[k - 1] &&
                d[i - 2][k - 2] + 1 < best)
                best = d[i - 2][k - 2] + 1;
            d[i][k] = best;
        }
    }
    return d[n][m];
}

/* The known key closest to key, if within 2 edits and not a rewrite of most of it ("ab" is
 * not a typo of "id"). */
static const char *spec_json_closest(const char *key, const char *const *known)
{
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; known[i]; i++) {
        size_t d = spec_json_distance(key, known[i]);
        if (d < best_d && d < strlen(key)) {
            best = known[i];
            best_d = d;
        }
    }
    return best;
}

static bool spec_json_in(const char *key, const char *const *known)
{
    for (size_t i = 0; known[i]; i++)
        if (strcmp(key, known[i]) == 0)
            return true;
    return false;
}

int spec_json_keys(struct spec_json *j, const cJSON *obj, const char *path,
                   const char *const *known, const char *why)
{
    for (const cJSON *it = obj->child; it; it = it->next) {
        const char *k = it->string ? it->string : "";
        if (!spec_json_in(k, known)) {
            if (why)
                return spec_json_fail(j, path, k, "%s", why);
            const char *near = spec_json_closest(k, known);
            if (near)
                return spec_json_fail(j, path, k, "unknown key (did you mean \"%s\"?)", near);
            return spec_json_fail(j, path, k, "unknown key");
        }
        for (const cJSON *p = obj->child; !why && p != it; p = p->next)
            if (p->string && strcmp(p->string, k) == 0)
                return spec_json_fail(j, path, k, "duplicate key");
    }
    return 0;
}

int spec_json_forbid(struct spec_json *j, const cJSON *obj, const char *path, const char *key,
                     const char *why)
{
    if (spec_json_get(obj, key))
        return spec_json_fail(j, path, key, "%s", why);
    return 0;
}

const cJSON *spec_json_get(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* Whole numbers print without a fraction; others in the shortest form that reads back. */
static void spec_json_format_number(double d, char *buf, size_t len)
{
    if (d == 0) {
        snprintf(buf, len, "0");
    } else if (d > -1e15 && d < 1e15 && d == (double)(long long)d) {
        snprintf(buf, len, "%lld", (long long)d);
    } else {
        snprintf(buf, len, "%.15g", d);
        if (strtod(buf, NULL) != d)
            snprintf(buf, len, "%.17g", d);
    }
}

const char *spec_json_describe(const cJSON *v, char *buf, size_t len)
{
    if (cJSON_IsString(v)) {
        /* Long strings are cut at a character boundary so the message stays valid UTF-8. */
        size_t n = strlen(v->valuestring), keep = n;
        if (keep > 40) {
            keep = 40;
            while (keep > 0 && ((unsigned char)v->valuestring[keep] & 0xC0) == 0x80)
                keep--;
        }
        snprintf(buf, len, "\"%.*s%s\"", (int)keep, v->valuestring, keep < n ? "..." : "");
    } else if (cJSON_IsNumber(v)) {
        spec_json_format_number(v->valuedouble, buf, len);
    } else {
        snprintf(buf, len, "%s", cJSON_IsTrue(v) ? "true" : cJSON_IsFalse(v) ? "false"
                                 : cJSON_IsNull(v)  ? "null" : cJSON_IsArray(v) ? "an array"
                                 : cJSON_IsObject(v) ? "an object" : "an invalid value");
    }
    return buf;
}

char *spec_json_number_text(double d)
{
    char buf[64];
    spec_json_format_number(d, buf, sizeof buf);
    return xstrdup(buf);
}

void spec_json_index(char *buf, size_t len, const char *path, const char *key, size_t i)
{
    if (key)
        snprintf(buf, len, "%s.%s[%zu]", path, key, i);
    else
        snprintf(buf, len, "%s[%zu]", path, i);
}

int spec_json_object(struct spec_json *j, const cJSON *v, const char *path)
{
    char got[64];
    if (!cJSON_IsObject(v))
        return spec_json_fail(j, path, NULL, "expected an object, got %s",
                              spec_json_describe(v, got, sizeof got));
    return 0;
}

/* The value at key, or NULL; *rc is -1 (error written) when a required key is absent. */
static const cJSON *spec_json_need(struct spec_json *j, const cJSON *obj, const char *path,
                                   const char *key, unsigned flags, int *rc)
{
    const cJSON *v = spec_json_get(obj, key);
    *rc = 0;
    if (!v && (flags & SPEC_REQUIRED))
        *rc = spec_json_fail(j, path, NULL, "missing required key \"%s\"", key);
    return v;
}

int spec_json_string(struct spec_json *j, const cJSON *obj, const char *path, const char *key,
                     unsigned flags, char **out)
{
    char got[64];
    int rc;
    const cJSON *v = spec_json_need(j, obj, path, key, flags, &rc);
    if (!v)
        return rc;
    if (!cJSON_IsString(v))
        return spec_json_fail(j, path, key, "expected a string, got %s",
                              spec_json_describe(v, got, sizeof got));
    if ((flags & SPEC_NONEMPTY) && v->valuestring[0] == '\0')
        return spec_json_fail(j, path, key, "must not be empty");
    free(*out);
    *out = xstrdup(v->valuestring);
    return 0;
}

int spec_json_ident(struct spec_json *j, const cJSON *obj, const char *path, const char *key,
                    char **out)
{
    char got[64];
    const cJSON *v = spec_json_get(obj, key);
    if (spec_json_string(j, obj, path, key, SPEC_REQUIRED | SPEC_NONEMPTY, out) < 0)
        return -1;
    if (strspn(*out, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(*out))
        return spec_json_fail(j, path, key, "expected [a-z0-9_]+, got %s",
                              spec_json_describe(v, got, sizeof got));
    return 0;
}

static bool spec_json_is_int(const cJSON *v, int min, int max)
{
    if (!cJSON_IsNumber(v))
        return false;
    double d = v->valuedouble;
    return d >= min && d <= max && d == (double)(int)d;
}

int spec_json_int(struct spec_json *j, const cJSON *obj, const char *path, const char *key,
                  int min, int max, int *out)
{
    char got[64];
    const cJSON *v = spec_json_get(obj, key);
    if (!v)
        return 0;
    if (!spec_json_is_int(v, min, max)) {
        spec_json_describe(v, got, sizeof got);
        if (max == INT_MAX)
            return spec_json_fail(j, path, key, "expected an integer >= %d, got %s", min, got);
        return spec_json_fail(j, path, key, "expected an integer from %d to %d, got %s", min,
                              max, got);
    }
    *out = (int)v->valuedouble;
    return 0;
}

int spec_json_number(struct spec_json *j, const cJSON *obj, const char *path, const char *key,
                     double min, double *out)
{
    char got[64];
    const cJSON *v = spec_json_get(obj, key);
    if (!v)
        return 0;
    /* cJSON turns an overflowing literal (1e999) into infinity; no spec means that. */
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= min) || v->valuedouble > 1e15)
        return spec_json_fail(j, path, key, "expected a number >= %g, got %s", min,
                              spec_json_describe(v, got, sizeof got));
    *out = v->valuedouble;
    return 0;
}

int spec_json_bool(struct spec_json *j, const cJSON *obj, const char *path, const char *key,
                   bool *out)
{
    char got[64];
    const cJSON *v = spec_json_get(obj, key);
    if (!v)
        return 0;
    if (!cJSON_IsBool(v))
        return spec_json_fail(j, path, key, "expected true or false, got %s",
                              spec_json_describe(v, got, sizeof got));
    *out = cJSON_IsTrue(v);
    return 0;
}

/* The name of row i of a table whose rows start with their name. */
static const char *spec_json_row_name(const void *rows, size_t stride, size_t i)
{
    return *(const char *const *)(const void *)((const char *)rows + i * stride);
}

int spec_json_enum(struct spec_json *j, const cJSON *obj, const char *path, const char *key,
                   const char *const *names, unsigned flags, int *out)
{
    size_t n = 0;
    while (names[n])
        n++;
    return spec_json_enum_rows(j, obj, path, key, names, sizeof *names, n, flags, out);
}

int spec_json_enum_rows(struct spec_json *j, const cJSON *obj, const char *path, const char *key,
                        const void *rows, size_t stride, size_t n, unsigned flags, int *out)
{
    char got[64];
    int rc;
    const cJSON *v = spec_json_need(j, obj, path, key, flags, &rc);
    if (!v)
        return rc;
    for (size_t i = 0; cJSON_IsString(v) && i < n; i++) {
        if (strcmp(v->valuestring, spec_json_row_name(rows, stride, i)) == 0) {
            *out = (int)i;
            return 0;
        }
    }
    struct strbuf sb;
    strbuf_init(&sb);
    for (size_t i = 0; i < n; i++)
        strbuf_addf(&sb, "%s\"%s\"", i ? ", " : "", spec_json_row_name(rows, stride, i));
    rc = spec_json_fail(j, path, key, "expected one of %s; got %s", sb.data,
                        spec_json_describe(v, got, sizeof got));
    strbuf_release(&sb);
    return rc;
}

/* One element of a string list: a string, or with SPEC_NUMBERS a number as decimal text. */
static int spec_json_list_item(struct spec_json *j, const cJSON *v, const char *path,
                               unsigned flags, char **out)
{
    char got[64];
    if (cJSON_IsString(v)) {
        *out = xstrdup(v->valuestring);
        return 0;
    }
    if ((flags & SPEC_NUMBERS) && cJSON_IsNumber(v)) {
        *out = spec_json_number_text(v->valuedouble);
        return 0;
    }
    return spec_json_fail(j, path, NULL, "expected a string%s, got %s",
                          (flags & SPEC_NUMBERS) ? " or a number" : "",
                          spec_json_describe(v, got, sizeof got));
}

int spec_json_strings(struct spec_json *j, const cJSON *obj, const char *path, const char *key,
                      unsigned flags, char ***out, size_t *n)
{
    char got[64], ipath[SPEC_PATHLEN];
    int rc;
    const cJSON *v = spec_json_need(j, obj, path, key, flags, &rc);
    if (!v)
        return rc;
    if ((flags & SPEC_SINGLE) && cJSON_IsString(v)) {
        *out = xcalloc(1, sizeof **out);
        *n = 1;
        (*out)[0] = xstrdup(v->valuestring);
        return 0;
    }
    if (!cJSON_IsArray(v))
        return spec_json_fail(j, path, key, "expected %san array of strings%s, got %s",
                              (flags & SPEC_SINGLE) ? "a string or " : "",
                              (flags & SPEC_NUMBERS) ? " or numbers" : "",
                              spec_json_describe(v, got, sizeof got));
    size_t count = (size_t)cJSON_GetArraySize(v);
    if (count == 0 && (flags & SPEC_NONEMPTY))
        return spec_json_fail(j, path, key, "must not be empty");
    /* Published before it is filled, so the owner's free handles a failure half-way. */
    *out = xcalloc(count, sizeof **out);
    *n = count;
    size_t i = 0;
    for (const cJSON *it = v->child; it; it = it->next, i++) {
        spec_json_index(ipath, sizeof ipath, path, key, i);
        if (spec_json_list_item(j, it, ipath, flags, &(*out)[i]) < 0)
            return -1;
    }
    return 0;
}

int spec_json_array(struct spec_json *j, const cJSON *obj, const char *path, const char *key,
                    unsigned flags, const cJSON **out)
{
    char got[64];
    int rc;
    const cJSON *v = spec_json_need(j, obj, path, key, flags, &rc);
    *out = NULL;
    if (!v)
        return rc;
    if (!cJSON_IsArray(v))
        return spec_json_fail(j, path, key, "expected an array, got %s",
                              spec_json_describe(v, got, sizeof got));
    if ((flags & SPEC_NONEMPTY) && cJSON_GetArraySize(v) == 0)
        return spec_json_fail(j, path, key, "must not be empty");
    *out = v;
    return 0;
}

void spec_json_strv_free(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}
