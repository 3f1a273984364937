/* json_utf8: walks a parsed document depth first. The depth is bounded by cJSON's own
 * nesting limit (CJSON_NESTING_LIMIT, 1000), so the recursion is too. */
#include "json_utf8.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

#define JSON_UTF8_PATHLEN 256

/* Offset of the first byte that does not start a valid character, or -1. */
static long json_utf8_bad(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t bad = 0, k = util_utf8_decode(s + i, n - i, &cp, &bad);
        if (!k)
            return (long)i;
        i += k;
    }
    return -1;
}

static bool json_utf8_plain(const char *key)
{
    if (!*key)
        return false;
    for (const char *p = key; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_'))
            return false;
    return true;
}

static int json_utf8_fail(const char *path, const char *what, const char *s, long at, char *err,
                          size_t errlen)
{
    return util_err(err, errlen, "%s: %snot valid UTF-8 (byte 0x%02X at offset %ld)", path, what,
                    (unsigned)(unsigned char)s[at], at);
}

static int json_utf8_walk(const cJSON *v, char *path, size_t plen, char *err, size_t errlen)
{
    long at;
    if (cJSON_IsString(v) && v->valuestring && (at = json_utf8_bad(v->valuestring)) >= 0)
        return json_utf8_fail(path, "", v->valuestring, at, err, errlen);
    size_t i = 0;
    for (const cJSON *c = v->child; c; c = c->next, i++) {
        size_t used = strlen(path);
        if (cJSON_IsObject(v)) {
            const char *k = c->string ? c->string : "";
            if ((at = json_utf8_bad(k)) >= 0)
                return json_utf8_fail(path, "a key is ", k, at, err, errlen);
            snprintf(path + used, plen - used, json_utf8_plain(k) ? ".%s" : "[\"%s\"]", k);
        } else {
            snprintf(path + used, plen - used, "[%zu]", i);
        }
        int rc = json_utf8_walk(c, path, plen, err, errlen);
        path[used] = '\0';
        if (rc < 0)
            return -1;
    }
    return 0;
}

int json_utf8_check(const cJSON *v, const char *root_path, char *err, size_t errlen)
{
    char path[JSON_UTF8_PATHLEN];
    snprintf(path, sizeof path, "%s", root_path);
    return v ? json_utf8_walk(v, path, sizeof path, err, errlen) : 0;
}
