/* batch_merge: joins the output folders of several batch runs (the shards of a CI matrix or
 * of a cluster's array jobs) into one. The reports and their fingerprints are copied into the
 * target, so it becomes an ordinary batch folder (a later `batch --out` there skips everyone
 * already graded), and its gradebook is rebuilt from every report it then holds. */
#include "batch.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dashboard.h"
#include "gradebook.h"
#include "util/util.h"

struct merge_entry {
    char *student;
    size_t dir;           /* the last folder holding the student's report */
};

struct merge {
    const char *const *dirs;
    size_t ndirs;
    const char *out;
    struct merge_entry *v;
    size_t n;
};

static bool same_folder(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void merge_note(struct merge *m, const char *student, size_t dir)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->v[i].student, student) == 0) {
            warn("%s is in %s and in %s: the report of %s is kept", student, m->dirs[m->v[i].dir],
                 m->dirs[dir], m->dirs[dir]);
            m->v[i].dir = dir;
            return;
        }
    m->v = xrealloc(m->v, (m->n + 1) * sizeof *m->v);
    m->v[m->n++] = (struct merge_entry){ .student = xstrdup(student), .dir = dir };
}

/* Lists a folder's reports: every <student>.json not beginning with '.'. */
static int merge_scan(struct merge *m, size_t dir, char *err, size_t errlen)
{
    DIR *d = opendir(m->dirs[dir]);
    struct dirent *e;
    bool batch = false; /* a batch folder has its .seed, and reports once a student is graded */
    if (!d)
        return util_err(err, errlen, "%s: %s", m->dirs[dir], strerror(errno));
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        batch |= strcmp(e->d_name, ".seed") == 0;
        if (e->d_name[0] == '.' || len <= 5 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        char *student = xstrndup(e->d_name, len - 5);
        merge_note(m, student, dir);
        free(student);
        batch = true;
    }
    closedir(d);
    if (!batch)
        return util_err(err, errlen, "%s is not a folder written by 'sockgrade batch' (no .seed, "
                        "no report): nothing to merge", m->dirs[dir]);
    return 0;
}

static int copy_file(const char *from, const char *to, char *err, size_t errlen)
{
    size_t len;
    char *data = util_read_file(from, &len, err, errlen);
    if (!data)
        return -1;
    int rc = util_write_file_atomic(to, data, len, err, errlen);
    free(data);
    return rc;
}

/* Copies one student's report and fingerprint, only when the report reads back: a damaged
 * file must not replace a good one. */
static int merge_copy(const struct merge *m, const struct merge_entry *e, char *err, size_t errlen)
{
    const char *dir = m->dirs[e->dir];
    char *from = xasprintf("%s/%s.json", dir, e->student), *to = xasprintf("%s/%s.json", m->out, e->student);
    char *fp_from = xasprintf("%s/.%s.fingerprint", dir, e->student);
    char *fp_to = xasprintf("%s/.%s.fingerprint", m->out, e->student), why[UTIL_ERRLEN];
    struct gradebook probe;
    int rc = 0;
    gradebook_init(&probe);
    if (gradebook_load_report(&probe, e->student, from, why, sizeof why) < 0) {
        warn("not merged: %s", why);
        goto out;
    }
    unlink(fp_to); /* never a fingerprint vouching for the report being replaced */
    rc = copy_file(from, to, err, errlen);
    if (rc == 0 && access(fp_from, F_OK) == 0)
        rc = copy_file(fp_from, fp_to, err, errlen);
out:
    gradebook_free(&probe);
    free(from);
    free(to);
    free(fp_from);
    free(fp_to);
    return rc;
}

/* The target keeps its own seed; without one it takes the first folder's, so a batch run
 * there later reuses the environment the reports were graded in. */
static void merge_seed(const struct merge *m)
{
    char *to = xasprintf("%s/.seed", m->out), err[UTIL_ERRLEN];
    for (size_t i = 0; i < m->ndirs && access(to, F_OK) != 0; i++) {
        char *from = xasprintf("%s/.seed", m->dirs[i]);
        if (access(from, F_OK) == 0 && copy_file(from, to, err, sizeof err) < 0)
            warn("%s", err);
        free(from);
    }
    free(to);
}

static void merge_check_seeds(const struct gradebook *gb)
{
    for (size_t i = 1; i < gb->nrows; i++)
        if (gb->rows[i].seed != gb->rows[0].seed) {
            warn("the reports were graded with different seeds (%s: %llu, %s: %llu): not every "
                 "student met the same environment", gb->rows[0].student,
                 (unsigned long long)gb->rows[0].seed, gb->rows[i].student,
                 (unsigned long long)gb->rows[i].seed);
            return;
        }
}

int batch_merge(const char *const *dirs, size_t ndirs, const char *out, const char *assignments,
                const char *programs, char *err, size_t errlen)
{
    struct merge m = { .dirs = dirs, .ndirs = ndirs, .out = out };
    struct gradebook gb;
    char *csv = xasprintf("%s/gradebook.csv", out);
    int rc = -1;
    gradebook_init(&gb);
    gb.assignments = assignments;
    gb.programs = programs;
    if (mkdir(out, 0755) < 0 && errno != EEXIST) {
        util_err(err, errlen, "cannot create %s: %s", out, strerror(errno));
        goto out;
    }
    for (size_t i = 0; i < ndirs; i++)
        if (merge_scan(&m, i, err, errlen) < 0)
            goto out;
    for (size_t i = 0; i < m.n; i++)
        if (!same_folder(dirs[m.v[i].dir], out) && merge_copy(&m, &m.v[i], err, errlen) < 0)
            goto out;
    merge_seed(&m);
    if (gradebook_load_dir(&gb, out, err, errlen) < 0 || gradebook_write(&gb, csv, err, errlen) < 0 ||
        dashboard_write(&gb, out, err, errlen) < 0)
        goto out;
    merge_check_seeds(&gb);
    rc = 0;
out:
    for (size_t i = 0; i < m.n; i++)
        free(m.v[i].student);
    free(m.v);
    gradebook_free(&gb);
    free(csv);
    return rc;
}
