/* check_gate: an error-path check ("with no server, the failure is reported") is easy to pass
 * for a program that does nothing at all: a stub that prints a message and exits, a client
 * that copies stdin to stdout. Such a check counts only when the program also does its normal
 * job: a check with requires_any is skipped, saying why, unless one of the checks it names
 * passed. Applied once every check of the program has its result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "util/util.h"

static const struct check_result *gate_find(const struct program_result *pr, const char *id)
{
    for (size_t i = 0; i < pr->nchecks; i++)
        if (strcmp(pr->checks[i].id, id) == 0)
            return &pr->checks[i];
    return NULL;
}

/* Every check it requires was not counted (this machine cannot run them): neither is it. */
static bool gate_not_counted(const struct spec_check *c, const struct program_result *pr)
{
    for (size_t r = 0; r < c->nrequires; r++) {
        const struct check_result *req = gate_find(pr, c->requires_any[r]);
        if (req && !result_not_counted(req))
            return false;
    }
    return true;
}

static bool gate_open(const struct spec_check *c, const struct program_result *pr)
{
    for (size_t r = 0; r < c->nrequires; r++) {
        const struct check_result *req = gate_find(pr, c->requires_any[r]);
        if (req && req->status == STATUS_PASSED)
            return true;
    }
    return false;
}

void check_apply_requirement(const struct spec *s, struct program_result *pr, size_t i)
{
    const struct spec_check *c = &s->checks[i];
    struct check_result *r = &pr->checks[i];
    /* Skipped and error results keep their own reason. */
    if (!c->nrequires || gate_open(c, pr) ||
        (r->status != STATUS_PASSED && r->status != STATUS_FAILED))
        return;
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_addstr(&sb, "skipped: it counts only for a program that also does its normal job, "
                       "and none of these passed: ");
    for (size_t k = 0; k < c->nrequires; k++)
        strbuf_addf(&sb, "%s%s", k ? ", " : "", c->requires_any[k]);
    strbuf_addstr(&sb, " (fix those first)");
    free(r->expected);
    free(r->actual);
    free(r->hint);
    r->expected = r->hint = NULL;
    r->actual = strbuf_detach(&sb);
    r->status = STATUS_SKIPPED;
    r->score = 0;
    if (gate_not_counted(c, pr)) {
        free(r->actual);
        r->actual = xstrdup(RESULT_NOT_COUNTED "it counts only with a check this machine cannot run");
        r->max_score = 0;
    }
}

void check_apply_requirements(const struct spec *s, struct program_result *pr)
{
    for (size_t i = 0; i < s->nchecks && i < pr->nchecks; i++)
        check_apply_requirement(s, pr, i);
}
