/* result: the result model's helpers. Student output enters the model only through
 * result_text, so every writer can rely on valid, capped UTF-8; the decoder here is shared
 * with the writers, which repair again because they must never emit broken documents even
 * when a caller bypassed result_text. */
#include "result.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

const char *const check_status_names[] = { "passed", "failed", "skipped", "error", NULL };
const char *const build_status_names[] = { "ok", "failed", "error", NULL };

const char *check_status_name(enum check_status s)
{
    return util_enum_name(check_status_names, (int)s);
}

const char *build_status_name(enum build_status s)
{
    return util_enum_name(build_status_names, (int)s);
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

void result_evidence_free(struct check_evidence *e)
{
    if (!e)
        return;
    free(e->command);
    free(e->stdin_text);
    for (size_t i = 0; i < e->npeers; i++)
        free(e->peers[i]);
    free(e->peers);
    free(e->ended);
    free(e->output);
    free(e->valgrind);
    free(e);
}

void result_check_free(struct check_result *c)
{
    if (!c)
        return;
    result_evidence_free(c->evidence);
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
