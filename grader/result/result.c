/* result: the result model's helpers. Student output enters the model only through
 * result_text, so every writer can rely on valid, capped UTF-8; the decoder here is shared
 * with the writers, which repair again because they must never emit broken documents even
 * when a caller bypassed result_text. */
#include "result.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

static const char *const status_names[] = { "passed", "failed", "skipped", "error" };
static const char *const build_names[] = { "ok", "failed", "error" };
/* The spec's enums are spelled here rather than borrowed from spec.c: the writers and the
 * report parser then link without the spec loader, and the report's vocabulary is pinned
 * by RESULT_SCHEMA rather than by whatever the spec format calls things. */
static const char *const level_names[] = { "core", "robustness" };
static const char *const visibility_names[] = { "visible", "hidden", "after_due_date" };

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *name_of(const char *const *names, size_t n, unsigned i)
{
    return i < n ? names[i] : "unknown";
}

static int parse_name(const char *const *names, size_t n, const char *name, int *out)
{
    for (size_t i = 0; name && i < n; i++) {
        if (strcmp(names[i], name) == 0) {
            *out = (int)i;
            return 0;
        }
    }
    return -1;
}

const char *check_status_name(enum check_status s)
{
    return name_of(status_names, NELEM(status_names), (unsigned)s);
}

const char *build_status_name(enum build_status s)
{
    return name_of(build_names, NELEM(build_names), (unsigned)s);
}

const char *result_level_name(enum spec_level l)
{
    return name_of(level_names, NELEM(level_names), (unsigned)l);
}

const char *result_visibility_name(enum spec_visibility v)
{
    return name_of(visibility_names, NELEM(visibility_names), (unsigned)v);
}

int check_status_parse(const char *name, enum check_status *s)
{
    int i;
    if (parse_name(status_names, NELEM(status_names), name, &i) < 0)
        return -1;
    *s = (enum check_status)i;
    return 0;
}

int build_status_parse(const char *name, enum build_status *s)
{
    int i;
    if (parse_name(build_names, NELEM(build_names), name, &i) < 0)
        return -1;
    *s = (enum build_status)i;
    return 0;
}

int result_level_parse(const char *name, enum spec_level *l)
{
    int i;
    if (parse_name(level_names, NELEM(level_names), name, &i) < 0)
        return -1;
    *l = (enum spec_level)i;
    return 0;
}

int result_visibility_parse(const char *name, enum spec_visibility *v)
{
    int i;
    if (parse_name(visibility_names, NELEM(visibility_names), name, &i) < 0)
        return -1;
    *v = (enum spec_visibility)i;
    return 0;
}

bool result_not_counted(const struct check_result *c)
{
    return c->status == STATUS_SKIPPED && c->actual &&
           strncmp(c->actual, RESULT_NOT_COUNTED, sizeof RESULT_NOT_COUNTED - 1) == 0;
}

const char *result_skip_reason(const struct check_result *c)
{
    static const char prefix[] = "skipped: ";
    const char *why = c->actual;
    /* The writers add their own "skipped" label; a reason that repeats it would read twice. */
    if (why && strncmp(why, prefix, sizeof(prefix) - 1) == 0)
        why += sizeof(prefix) - 1;
    return why && *why ? why : "a check it depends on did not pass";
}

char *result_utf8_repair(const char *s)
{
    struct strbuf sb;
    size_t n = s ? strlen(s) : 0;

    strbuf_init(&sb);
    strbuf_add(&sb, "", 0);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t bad = 0;
        size_t k = util_utf8_decode(s + i, n - i, &cp, &bad);
        if (k) {
            strbuf_add(&sb, s + i, k);
            i += k;
        } else {
            strbuf_addstr(&sb, "\xEF\xBF\xBD");
            i += bad;
        }
    }
    return strbuf_detach(&sb);
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

char *result_text(const char *text, size_t len, size_t cap)
{
    struct strbuf sb;
    size_t i = 0;

    strbuf_init(&sb);
    strbuf_add(&sb, "", 0);
    if (!text)
        len = 0;
    while (i < len) {
        uint32_t cp;
        size_t bad = 0;
        size_t k = util_utf8_decode(text + i, len - i, &cp, &bad);
        /* What this input unit becomes; NUL cannot live in a C string, so it is spelled. */
        const char *piece = k ? text + i : "\xEF\xBF\xBD";
        size_t plen = k ? k : 3;
        if (k == 1 && cp == 0) {
            piece = "\\0";
            plen = 2;
        }
        if (cap && sb.len + plen > cap)
            break;
        strbuf_add(&sb, piece, plen);
        i += k ? k : bad;
    }
    if (i < len)
        strbuf_addf(&sb, "\xE2\x80\xA6[%zu bytes more]", len - i);
    return strbuf_detach(&sb);
}

void result_check_free(struct check_result *c)
{
    if (!c)
        return;
    free(c->id);
    free(c->description);
    free(c->expected);
    free(c->actual);
    free(c->hint);
    memset(c, 0, sizeof(*c));
}

void result_program_free(struct program_result *p)
{
    if (!p)
        return;
    free(p->name);
    free(p->source);
    free(p->build.command);
    free(p->build.diagnostics);
    for (size_t i = 0; i < p->nchecks; i++)
        result_check_free(&p->checks[i]);
    free(p->checks);
    memset(p, 0, sizeof(*p));
}

void result_run_free(struct run_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nprograms; i++)
        result_program_free(&r->programs[i]);
    free(r->programs);
    for (size_t i = 0; i < r->nmissing; i++)
        free(r->missing[i]);
    free(r->missing);
    free(r->missing_max);
    for (size_t i = 0; i < r->nnear_misses; i++) {
        free(r->near_misses[i].file);
        free(r->near_misses[i].program);
    }
    free(r->near_misses);
    free(r->sandbox);
    free(r->isolation);
    free(r->grader_version);
    free(r->submission);
    free(r->error);
    memset(r, 0, sizeof(*r));
}

void result_total(struct run_result *r)
{
    r->score = 0;
    r->max_score = 0;
    for (size_t i = 0; i < r->nprograms; i++) {
        struct program_result *p = &r->programs[i];
        p->score = 0;
        p->max_score = 0;
        for (size_t j = 0; j < p->nchecks; j++) {
            p->score += p->checks[j].score;
            p->max_score += p->checks[j].max_score;
        }
        r->score += p->score;
        r->max_score += p->max_score;
    }
}

int result_exit_status(const struct run_result *r)
{
    if (r->error)
        return 2;
    /* A check in status "error" is a fault of the grader, not of the submission. */
    for (size_t i = 0; i < r->nprograms; i++)
        for (size_t j = 0; j < r->programs[i].nchecks; j++)
            if (r->programs[i].checks[j].status == STATUS_ERROR || r->programs[i].build.status == BUILD_ERROR)
                return 2;
    /* Nothing found to grade is not a pass: a student in the wrong folder must notice. */
    if (r->nprograms == 0)
        return 1;
    for (size_t i = 0; i < r->nprograms; i++) {
        const struct program_result *p = &r->programs[i];
        if (p->build.status != BUILD_OK)
            return 1;
        for (size_t j = 0; j < p->nchecks; j++) {
            enum check_status s = p->checks[j].status;
            if (s == STATUS_FAILED)
                return 1;
        }
    }
    return 0;
}
