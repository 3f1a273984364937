/* discover: programs by file name, near misses by a normalised edit distance. */
#include "discover.h"

#include <ctype.h>
#include <stdbool.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec/spec.h"
#include "util/util.h"

#define MAX_DEPTH 4      /* folders searched below a PATH */
#define LOOK_DEPTH 12    /* below MAX_DEPTH, only to say that a program's file lies too deep */

static void normalise(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (; *s && n + 1 < cap; s++)
        if (isalnum((unsigned char)*s))
            out[n++] = (char)tolower((unsigned char)*s);
    out[n] = '\0';
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];
    if (la >= 63 || lb >= 63)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (lb + 1) * sizeof *prev);
    }
    return prev[lb];
}

/* Near: the same name but for case and punctuation (get_hostbyaddr), one typo, or the name
 * extended (tcp_echo_client). Two changes are too many: udp_echocli is not tcp_echocli. */
static bool near_name(const char *norm, const char *pnorm)
{
    size_t ln = strlen(norm), lp = strlen(pnorm), common = ln < lp ? ln : lp;
    if (edit_distance(norm, pnorm) <= 1)
        return true;
    return common >= 8 && strncmp(norm, pnorm, common) == 0;
}

static void set_problem(struct discovery *d, char *why)
{
    if (d->problem)
        free(why);
    else
        d->problem = why;
}

static void consider(const char *path, int depth, char *const *programs, size_t np,
                     struct discovery *d)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    size_t len = strlen(base);
    if (len < 3 || strcmp(base + len - 2, ".c") != 0)
        return;
    char *stem = xstrndup(base, len - 2), norm[128], pnorm[128];
    normalise(stem, norm, sizeof norm);
    for (size_t i = 0; i < np; i++) {
        if (strcmp(stem, programs[i]) == 0) {
            if (depth > MAX_DEPTH) {
                set_problem(d, xasprintf("%s is more than %d folders deep, below where sockgrade "
                                         "looks: move it up", path, MAX_DEPTH));
                goto done;
            }
            for (size_t k = 0; k < d->nfound; k++)
                if (strcmp(d->found[k].program, programs[i]) == 0) {
                    set_problem(d, xasprintf("two files for %s: %s and %s; keep one",
                                             programs[i], d->found[k].path, path));
                    goto done;
                }
            d->found = xrealloc(d->found, (d->nfound + 1) * sizeof *d->found);
            d->found[d->nfound++] = (struct found_source){ .program = xstrdup(programs[i]),
                                                           .path = xstrdup(path) };
            goto done;
        }
    }
    if (depth > MAX_DEPTH) /* looked at only for a program's own name */
        goto done;
    for (size_t i = 0; i < np; i++) {
        normalise(programs[i], pnorm, sizeof pnorm);
        if (near_name(norm, pnorm)) {
            d->near_files = xrealloc(d->near_files, (d->nnear + 1) * sizeof *d->near_files);
            d->near_programs = xrealloc(d->near_programs, (d->nnear + 1) * sizeof *d->near_programs);
            d->near_files[d->nnear] = xstrdup(path);
            d->near_programs[d->nnear++] = xstrdup(programs[i]);
            break;
        }
    }
done:
    free(stem);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists a folder's entries sorted, so discovery does not depend on directory order. */
static char **list_dir(const char *dir, size_t *n)
{
    DIR *dp = opendir(dir);
    char **names = NULL;
    *n = 0;
    if (!dp)
        return NULL;
    for (struct dirent *de; (de = readdir(dp));) {
        if (de->d_name[0] == '.')
            continue;
        names = xrealloc(names, (*n + 1) * sizeof *names);
        names[(*n)++] = xstrdup(de->d_name);
    }
    closedir(dp);
    if (*n)
        qsort(names, *n, sizeof *names, cmp_str);
    return names;
}

static void scan(const char *dir, int depth, char *const *programs, size_t np, struct discovery *d)
{
    size_t n;
    char **names = list_dir(dir, &n);
    for (size_t pass = 0; pass < 2; pass++) /* files first, then folders */
        for (size_t i = 0; i < n; i++) {
            char *path = xasprintf("%s/%s", dir, names[i]);
            struct stat st;
            /* lstat: a link inside a submission (solutions -> ../../reference) is never
             * followed, or a student could hand in someone else's files. */
            if (lstat(path, &st) == 0) {
                if (pass == 0 && S_ISREG(st.st_mode))
                    consider(path, depth, programs, np, d);
                else if (pass == 1 && S_ISDIR(st.st_mode) && depth < LOOK_DEPTH)
                    scan(path, depth + 1, programs, np, d);
            }
            free(path);
        }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static size_t program_index(const char *program, char *const *programs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(programs[i], program) == 0)
            return i;
    return n;
}

/* Reports list programs in the order of the programs list (the lecture's), not the order
 * the files happened to be found in. Insertion sort: thirteen entries at most. */
static void sort_found(struct discovery *d, char *const *programs, size_t n)
{
    for (size_t i = 1; i < d->nfound; i++) {
        struct found_source f = d->found[i];
        size_t at = program_index(f.program, programs, n), k = i;
        for (; k > 0 && program_index(d->found[k - 1].program, programs, n) > at; k--)
            d->found[k] = d->found[k - 1];
        d->found[k] = f;
    }
}

int discover(const char *const *paths, size_t npaths, char *const *programs, size_t nprograms,
             struct discovery *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < npaths; i++) {
        struct stat st;
        char *abs = realpath(paths[i], NULL);
        if (!abs || stat(abs, &st) < 0) {
            free(abs);
            discovery_free(out);
            return util_err(err, errlen, "%s: %s", paths[i], strerror(errno));
        }
        size_t before = out->nfound, skip = strlen(abs) + 1;
        if (S_ISDIR(st.st_mode))
            scan(abs, 0, programs, nprograms, out);
        else
            consider(abs, 0, programs, nprograms, out);
        for (size_t k = before; k < out->nfound; k++) {
            const char *p = out->found[k].path, *base = strrchr(p, '/');
            out->found[k].relpath = xstrdup(S_ISDIR(st.st_mode) && strlen(p) > skip ? p + skip
                                                                                      : base ? base + 1 : p);
        }
        free(abs);
    }
    sort_found(out, programs, nprograms);
    if (out->problem) {
        util_err(err, errlen, "%s", out->problem);
        discovery_free(out);
        return -1;
    }
    return 0;
}

void discovery_free(struct discovery *d)
{
    for (size_t i = 0; i < d->nfound; i++) {
        free(d->found[i].program);
        free(d->found[i].path);
        free(d->found[i].relpath);
    }
    free(d->problem);
    for (size_t i = 0; i < d->nnear; i++) {
        free(d->near_files[i]);
        free(d->near_programs[i]);
    }
    free(d->found);
    free(d->near_files);
    free(d->near_programs);
    memset(d, 0, sizeof *d);
}

int discover_validate(const char *assignments, char **report, char *err, size_t errlen)
{
    size_t count;
    char **all = list_dir(assignments, &count);
    struct strbuf sb;
    int bad = 0;
    *report = NULL;
    if (!all)
        return util_err(err, errlen, "%s: %s", assignments, strerror(errno));
    strbuf_init(&sb);
    strbuf_add(&sb, "", 0);
    for (size_t i = 0; i < count; i++) {
        char *path = xasprintf("%s/%s/spec.json", assignments, all[i]), why[UTIL_ERRLEN];
        struct stat st;
        struct spec *s = NULL;
        if (stat(path, &st) < 0) {
            char *dir = xasprintf("%s/%s", assignments, all[i]);
            if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
                strbuf_addf(&sb, "%s: a folder without spec.json\n", dir), bad++;
            free(dir);
        } else if (!(s = spec_load(path, why, sizeof why))) {
            strbuf_addf(&sb, "%s\n", why);
            bad++;
        } else if (strcmp(s->program, all[i]) != 0) {
            strbuf_addf(&sb, "%s: $.program: \"%s\", but the folder is %s\n", path, s->program, all[i]);
            bad++;
        }
        spec_free(s);
        free(path);
        free(all[i]);
    }
    free(all);
    *report = strbuf_detach(&sb);
    return bad;
}

struct program_place {
    char *name;
    int order; /* the spec's place in the lecture; INT_MAX when it gives none or does not load */
};

static int cmp_place(const void *a, const void *b)
{
    const struct program_place *x = a, *y = b;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* A spec that does not load still lists its program (grading then reports why), last. */
static int lecture_place(const char *spec_path)
{
    char why[UTIL_ERRLEN];
    struct spec *s = spec_load(spec_path, why, sizeof why);
    int order = s && s->order > 0 ? s->order : INT_MAX;
    spec_free(s);
    return order;
}

int discover_programs(const char *assignments, char ***names, size_t *n, char *err, size_t errlen)
{
    size_t count;
    char **all = list_dir(assignments, &count);
    struct program_place *places = xcalloc(count + 1, sizeof *places);
    *names = NULL;
    *n = 0;
    if (!all) {
        free(places);
        return util_err(err, errlen, "%s: %s", assignments, strerror(errno));
    }
    for (size_t i = 0; i < count; i++) {
        char *spec = xasprintf("%s/%s/spec.json", assignments, all[i]);
        if (access(spec, R_OK) == 0)
            places[(*n)++] = (struct program_place){ .name = all[i], .order = lecture_place(spec) };
        else
            free(all[i]);
        free(spec);
    }
    qsort(places, *n, sizeof *places, cmp_place);
    *names = xcalloc(*n + 1, sizeof **names);
    for (size_t i = 0; i < *n; i++)
        (*names)[i] = places[i].name;
    free(places);
    free(all);
    return 0;
}
