/* grade_found: what discovery found, as the report says it (near misses, missing programs and
 * what each would have been worth), and the --programs list. */
#include <stdlib.h>
#include <string.h>

#include "discover.h"
#include "grade_int.h"
#include "util/util.h"

void note_discovery(struct run_result *r, const struct discovery *d, char **programs, size_t np)
{
    r->near_misses = xcalloc(d->nnear ? d->nnear : 1, sizeof *r->near_misses);
    for (size_t i = 0; i < d->nnear; i++) {
        const char *base = strrchr(d->near_files[i], '/');
        r->near_misses[i].file = xstrdup(base ? base + 1 : d->near_files[i]);
        r->near_misses[i].program = xstrdup(d->near_programs[i]);
    }
    r->nnear_misses = d->nnear;
    r->missing = xcalloc(np ? np : 1, sizeof *r->missing);
    for (size_t i = 0; i < np; i++) {
        bool found = false;
        for (size_t k = 0; k < d->nfound; k++)
            found |= strcmp(d->found[k].program, programs[i]) == 0;
        if (!found)
            r->missing[r->nmissing++] = xstrdup(programs[i]);
    }
}

/* What each missing program would have been worth: a format that posts a grade (classroom)
 * counts it as lost rather than letting the maximum shrink when a file is deleted. Every
 * spec's points count, also those of checks this machine could not run. */
int note_missing_points(struct run_result *r, const char *assignments)
{
    char err[UTIL_ERRLEN];
    r->missing_max = xcalloc(r->nmissing ? r->nmissing : 1, sizeof *r->missing_max);
    for (size_t i = 0; i < r->nmissing; i++) {
        char *path = xasprintf("%s/%s/spec.json", assignments, r->missing[i]);
        struct spec *sp = spec_load(path, err, sizeof err);
        free(path);
        if (!sp) {
            r->error = xstrdup(err);
            return -1;
        }
        r->missing_max[i] = spec_max_score(sp);
        spec_free(sp);
    }
    return 0;
}

bool grade_program_listed(const char *list, const char *program)
{
    size_t n = strlen(program);
    if (!list || !*list)
        return true;
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ", ");
        if (len == n && strncmp(p, program, n) == 0)
            return true;
        p += len;
        p += strspn(p, ", ");
    }
    return false;
}

/* --programs: an assignment of a few programs neither grades nor misses the others. */
void keep_listed(const char *list, char **programs, size_t *np)
{
    size_t k = 0;
    for (size_t i = 0; i < *np; i++) {
        if (grade_program_listed(list, programs[i]))
            programs[k++] = programs[i];
        else
            free(programs[i]);
    }
    *np = k;
}
