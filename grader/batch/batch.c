/* batch: the class run. The batch process runs one worker per student (several at once) in
 * the process pool (util/pool.c); a worker grades its student with grade_run, which runs that
 * student's check runners in a pool of its own, and writes the report. The batch process only
 * starts workers, learns of their ends, has one that overruns its bound killed, records an
 * error report for a worker that died, and rewrites the gradebook after every student. */
#include "batch.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "grade/discover.h"
#include "grade/grade.h"
#include "gradebook.h"
#include "batch_progress.h"
#include "dashboard.h"
#include "outdir.h"
#include "result/result_json.h"
#include "report/report.h"
#include "util/pool.h"
#include "util/util.h"
#include "util/workdir.h"

struct student {
    char *name;
    const char *path;
    uint64_t fp;
    bool fp_ok;           /* false: could not hash; graded every time, never skipped */
    struct pool_job job;  /* its worker */
    char *tmp;            /* the worker's TMPDIR, removed when it ends, however it ends */
};

struct batch {
    const struct batch_options *o;
    struct student *all;  /* every submission, sorted by name */
    size_t nall;
    size_t *todo;         /* indexes into all: the slice's students to grade */
    size_t ntodo, next, done, skipped, errors, slice;
    struct gradebook gb;
    struct grade_options go; /* how each student is graded: the options, with the seed resolved */
    int64_t bound_ms;     /* a worker's wall-time bound: only a grader bug reaches it */
    int64_t t0;
    struct pool pool;     /* the workers, each the leader of a process group */
    int sigfd;            /* the stopping signals, read from a signalfd */
    char *tmproot;        /* holds the workers' TMPDIRs */
    int interrupted;      /* the signal that stopped the batch, or 0 */
    bool full;            /* the output folder's file system is full: stopped */
    int lockfd;           /* holds DIR/.lock (outdir.c) */
    sigset_t oldmask;
};

static char *report_path(const struct batch *b, const char *name)
{
    return xasprintf("%s/%s.json", b->o->out, name);
}

static char *fp_path(const struct batch *b, const char *name)
{
    return xasprintf("%s/.%s.fingerprint", b->o->out, name);
}

static int student_cmp(const void *a, const void *b)
{
    return strcmp(((const struct student *)a)->name, ((const struct student *)b)->name);
}

/* Every submission must be a folder, with a name that can be a report's file name, and no
 * two alike: students are their folder names. */
static int load_students(struct batch *b, const char *const *subs, size_t n, char *err, size_t errlen)
{
    struct stat st;
    b->all = xcalloc(n, sizeof *b->all);
    b->nall = n;
    for (size_t i = 0; i < n; i++) {
        b->all[i].path = subs[i];
        b->all[i].name = batch_student_name(subs[i]);
        if (stat(subs[i], &st) < 0 || !S_ISDIR(st.st_mode))
            return util_err(err, errlen, "%s: not a folder (each SUBMISSION is one student's folder)", subs[i]);
        if (!b->all[i].name[0] || b->all[i].name[0] == '.')
            return util_err(err, errlen, "%s: a student's folder name must not be empty or begin with '.'", subs[i]);
    }
    qsort(b->all, n, sizeof *b->all, student_cmp);
    for (size_t i = 1; i < n; i++)
        if (strcmp(b->all[i - 1].name, b->all[i].name) == 0)
            return util_err(err, errlen, "two submissions are named %s: %s and %s", b->all[i].name,
                            b->all[i - 1].path, b->all[i].path);
    return 0;
}

/* Without --seed, a re-run reuses the folder's seed: a new one would change every student's
 * environment, hence every fingerprint, and regrade the whole class. Another --seed than the
 * folder's is refused without --force: it would mix two environments in one gradebook. */
static int resolve_seed(struct batch *b, char *err, size_t errlen)
{
    char *path = xasprintf("%s/.seed", b->o->out), buf[32];
    char *text = util_read_file(path, NULL, NULL, 0), *end;
    bool known = false;
    unsigned long long v = 0;
    if (text) {
        errno = 0;
        v = strtoull(text, &end, 10);
        known = !errno && end != text && (*end == '\n' || !*end);
        free(text);
    }
    if (known && !b->o->seed_given)
        b->go.seed = v;
    if (known && b->o->seed_given && v != b->o->grade.seed && !b->o->force) {
        free(path);
        return util_err(err, errlen, "%s was graded with seed %llu: --seed %llu would grade "
                        "students in another environment beside those graded before; give "
                        "--seed %llu, another --out, or --force to regrade everyone",
                        b->o->out, v, (unsigned long long)b->o->grade.seed, v);
    }
    snprintf(buf, sizeof buf, "%llu\n", (unsigned long long)b->go.seed);
    int rc = util_write_file_atomic(path, buf, strlen(buf), err, errlen);
    free(path);
    return rc;
}

/* The serial worst case of grade_run (each task overrunning to its kill), plus a minute:
 * a worker still running after that is stuck in the grader, not in a submission. */
static int64_t worker_bound_ms(const char *assignments)
{
    char **names, err[UTIL_ERRLEN];
    size_t n;
    int64_t total = 60000;
    if (discover_programs(assignments, &names, &n, err, sizeof err) < 0)
        return total;
    for (size_t i = 0; i < n; i++) {
        char *path = xasprintf("%s/%s/spec.json", assignments, names[i]);
        struct spec *s = spec_load(path, err, sizeof err);
        total += 40000; /* the build's bound and its grace */
        for (size_t c = 0; s && c < s->nchecks; c++)
            total += s->checks[c].timeout_ms + 10000;
        spec_free(s);
        free(path);
        free(names[i]);
    }
    free(names);
    return total;
}

/* Decides which students of the slice need grading: a changed fingerprint, a missing or
 * unreadable report, a report of a grader error, or --force. */
static void plan(struct batch *b, const char *salt)
{
    char err[UTIL_ERRLEN];
    b->todo = xcalloc(b->nall, sizeof *b->todo);
    for (size_t i = 0; i < b->nall; i++) {
        struct student *s = &b->all[i];
        if (!batch_in_shard(i, b->o->shard_k, b->o->shard_n))
            continue;
        b->slice++;
        s->fp_ok = batch_fingerprint(s->path, b->go.assignments, salt, &s->fp, err, sizeof err) == 0;
        if (!s->fp_ok)
            warn("%s: cannot fingerprint (%s): graded every time", s->name, err);
        const struct gradebook_row *row = gradebook_find(&b->gb, s->name);
        char *fpath = fp_path(b, s->name), want[20];
        char *have = util_read_file(fpath, NULL, NULL, 0);
        snprintf(want, sizeof want, "%016llx\n", (unsigned long long)s->fp);
        bool same = s->fp_ok && have && strcmp(have, want) == 0;
        if (!b->o->force && same && row && strcmp(row->status, "error") != 0)
            b->skipped++;
        else
            b->todo[b->ntodo++] = i;
        free(have);
        free(fpath);
    }
}

/* The report first, then the fingerprint: a worker killed in between leaves a report that
 * the next run regrades, never a fingerprint vouching for a report that is not there. */
static int write_report(const struct batch *b, const struct student *s, const struct run_result *r,
                        char *err, size_t errlen)
{
    char *json = result_json_write(r), *jpath = report_path(b, s->name);
    char *fpath = fp_path(b, s->name), fp[20];
    int rc = util_write_file_atomic(jpath, json, strlen(json), err, errlen);
    snprintf(fp, sizeof fp, "%016llx\n", (unsigned long long)s->fp);
    if (rc == 0 && s->fp_ok && !r->error)
        rc = util_write_file_atomic(fpath, fp, strlen(fp), err, errlen);
    else
        unlink(fpath);
    free(json);
    free(jpath);
    free(fpath);
    return rc;
}

/* grade_run makes its work folder in $TMPDIR and removes it when it returns; a worker killed
 * before that would leave it behind, so each worker gets a TMPDIR the batch removes. */
static void remove_tree(char **path)
{
    util_tree_remove(*path);
    free(*path);
    *path = NULL;
}

/* In the worker: its pipe says nothing; it closes when the worker ends. */
static void worker_main(void *batch, void *student, int fd)
{
    const struct batch *b = batch;
    const struct student *s = student;
    struct run_result r;
    char err[UTIL_ERRLEN];
    (void)fd;
    sigprocmask(SIG_SETMASK, &b->oldmask, NULL); /* submissions must not inherit blocked signals */
    close(b->sigfd);
    setenv("TMPDIR", s->tmp, 1);
    const char *paths[] = { s->path };
    grade_run(paths, 1, &b->go, &r);
    int rc = write_report(b, s, &r, err, sizeof err);
    if (rc < 0)
        warn("%s", err);
    _exit(rc == 0 ? 0 : outdir_full(errno) ? OUTDIR_FULL_EXIT : 3);
}

/* The report of a student whose worker failed: the grader's fault, recorded as such. */
static void record_failure(struct batch *b, struct student *s, const char *why)
{
    struct run_result r;
    char err[UTIL_ERRLEN];
    grade_failed(s->path, &b->go, why, &r);
    if (b->o->progress)
        batch_progress_clear();
    warn("%s: %s", s->name, why);
    if (write_report(b, s, &r, err, sizeof err) < 0)
        warn("%s", err);
    gradebook_put(&b->gb, s->name, &r);
    result_run_free(&r);
}

/* A student is done (why: what went wrong in the grader, or ""): the gradebook is written
 * now, so a batch killed later still has this student's row. */
static void student_done(struct batch *b, struct student *s, const char *why)
{
    char err[UTIL_ERRLEN];
    remove_tree(&s->tmp);
    b->done++;
    if (why[0])
        record_failure(b, s, why);
    const struct gradebook_row *row = gradebook_find(&b->gb, s->name);
    if (!row || strcmp(row->status, "error") == 0)
        b->errors++;
    char *csv = xasprintf("%s/gradebook.csv", b->o->out);
    if (gradebook_write(&b->gb, csv, err, sizeof err) < 0 ||
        dashboard_write(&b->gb, b->o->out, err, sizeof err) < 0) {
        b->full = b->full || outdir_full(errno);
        warn("%s", err);
    }
    free(csv);
}

static void worker_start(struct batch *b, struct student *s)
{
    char err[UTIL_ERRLEN], why[UTIL_ERRLEN + 64];
    s->tmp = xasprintf("%s/%s", b->tmproot, s->name);
    s->job.arg = s;
    if (mkdir(s->tmp, 0700) < 0 && errno != EEXIST)
        snprintf(why, sizeof why, "cannot create %s: %s", s->tmp, strerror(errno));
    else if (pool_start(&b->pool, &s->job, b->bound_ms, worker_main, b, err, sizeof err) < 0)
        snprintf(why, sizeof why, "cannot start a worker: %s", err);
    else
        return;
    student_done(b, s, why);
}

static void worker_done(void *batch, struct pool_job *job)
{
    struct batch *b = batch;
    struct student *s = job->arg;
    int status = job->status;
    char err[UTIL_ERRLEN], why[UTIL_ERRLEN + 64];
    char *jpath = report_path(b, s->name);
    strbuf_release(&job->out);
    if (job->overran)
        snprintf(why, sizeof why, "the worker grading this student overran its bound of %lld s "
                 "and was killed (a grader fault)", (long long)(b->bound_ms / 1000));
    else if (WIFSIGNALED(status))
        snprintf(why, sizeof why, "the worker grading this student was killed by signal %d",
                 WTERMSIG(status));
    else if (WEXITSTATUS(status) == OUTDIR_FULL_EXIT) {
        b->full = true; /* no error report: it could not be written either */
        why[0] = '\0';
    } else if (WEXITSTATUS(status) != 0)
        snprintf(why, sizeof why, "the worker grading this student failed (exit status %d)",
                 WEXITSTATUS(status));
    else if (gradebook_load_report(&b->gb, s->name, jpath, err, sizeof err) < 0)
        snprintf(why, sizeof why, "the worker's report cannot be read back: %s", err);
    else
        why[0] = '\0';
    free(jpath);
    student_done(b, s, why);
}

static void class_progress(const struct batch *b)
{
    /* The pool keeps its jobs in the order they started: the first is the oldest. */
    const struct student *oldest = b->pool.nrunning ? b->pool.running[0]->arg : NULL;
    if (!b->o->progress)
        return;
    batch_progress_draw(b->done, b->ntodo, b->t0, oldest ? oldest->name : NULL,
                        b->pool.nrunning ? b->pool.nrunning - 1 : 0);
}

/* Interrupted: the workers' reports in progress are given up (each student's earlier report
 * and fingerprint stay as they were, so the next run grades them again). */
static void class_abort(struct batch *b)
{
    pool_stop(&b->pool);
    for (size_t i = 0; i < b->ntodo; i++)
        remove_tree(&b->all[b->todo[i]].tmp);
}

/* The signal that stopped the batch, read from its signalfd (0 when there was none). */
static int stop_signal(int sigfd)
{
    struct signalfd_siginfo si;
    ssize_t n = read(sigfd, &si, sizeof si);
    return n == (ssize_t)sizeof si ? (int)si.ssi_signo : 0;
}

static void class_run(struct batch *b)
{
    size_t jobs = b->o->jobs > 0 ? (size_t)b->o->jobs : 1;
    while ((b->next < b->ntodo || b->pool.nrunning) && !b->interrupted && !b->full) {
        while (b->pool.nrunning < jobs && b->next < b->ntodo)
            worker_start(b, &b->all[b->todo[b->next++]]);
        class_progress(b);
        /* A worker ended, time passed (the progress bar's second), or a stop. */
        if (b->pool.nrunning && pool_wait(&b->pool, b->o->progress ? 1000 : 60000, worker_done, b))
            b->interrupted = stop_signal(b->sigfd);
    }
    if (b->interrupted || b->full)
        class_abort(b);
    else
        class_progress(b);
    if (b->o->progress)
        batch_progress_clear();
}

/* An interruption is taken from a signalfd rather than a handler, so the batch can clean up;
 * the workers unblock these signals again. */
static int watch_signals(struct batch *b, char *err, size_t errlen)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, &b->oldmask);
    b->sigfd = signalfd(-1, &set, SFD_CLOEXEC);
    if (b->sigfd >= 0)
        return 0;
    util_err(err, errlen, "cannot watch for signals: signalfd: %s", strerror(errno));
    sigprocmask(SIG_SETMASK, &b->oldmask, NULL);
    return -1;
}

static void batch_free(struct batch *b)
{
    for (size_t i = 0; i < b->nall; i++) {
        free(b->all[i].name);
        free(b->all[i].tmp);
    }
    free(b->all);
    free(b->todo);
    gradebook_free(&b->gb);
    pool_free(&b->pool);
    if (b->sigfd >= 0)
        close(b->sigfd);
    if (b->tmproot)
        rmdir(b->tmproot);
    outdir_unlock(&b->lockfd);
    free(b->tmproot);
}

static void summary(const struct batch *b)
{
    fprintf(stderr, "sockgrade batch: %zu students", b->slice);
    if (b->o->shard_n)
        fprintf(stderr, " (shard %u/%u of %zu)", b->o->shard_k, b->o->shard_n, b->nall);
    fprintf(stderr, ": %zu graded, %zu unchanged, %zu grader errors in %.1f s; seed %llu; %s/gradebook.csv\n",
            b->done, b->skipped, b->errors, (double)(util_now_ms() - b->t0) / 1000.0,
            (unsigned long long)b->go.seed, b->o->out);
}

static int make_tmproot(struct batch *b, char *err, size_t errlen)
{
    b->tmproot = util_workdir_make("sockgrade-batch", err, errlen);
    return b->tmproot ? 0 : -1;
}

int batch_run(const char *const *subs, size_t nsubs, const struct batch_options *o,
              char *err, size_t errlen)
{
    struct batch b = { .o = o, .t0 = util_now_ms(), .sigfd = -1, .lockfd = -1 };
    char *salt = NULL, *csv = xasprintf("%s/gradebook.csv", o->out);
    int rc = -1;
    pool_init(&b.pool, true, -1);
    gradebook_init(&b.gb);
    b.go = o->grade;
    b.gb.assignments = o->grade.assignments;
    b.gb.programs = o->grade.programs;
    if (load_students(&b, subs, nsubs, err, errlen) < 0 || util_mkdirs(o->out, 0755, err, errlen) < 0 ||
        outdir_lock(o->out, &b.lockfd, err, errlen) < 0 ||
        resolve_seed(&b, err, errlen) < 0 || gradebook_load_dir(&b.gb, o->out, err, errlen) < 0 ||
        make_tmproot(&b, err, errlen) < 0)
        goto out;
    outdir_record(b.lockfd, b.tmproot);
    /* Another --programs grades other programs: the fingerprints change with it. */
    char *mode_key = xasprintf("%s%s%s", sandbox_mode_name(b.go.mode), b.go.programs ? " programs=" : "",
                               b.go.programs ? b.go.programs : "");
    salt = batch_salt(b.go.version, b.go.seed, mode_key);
    free(mode_key);
    plan(&b, salt);
    b.bound_ms = worker_bound_ms(b.go.assignments);
    if (watch_signals(&b, err, errlen) < 0)
        goto out;
    b.pool.stop_fd = b.sigfd;
    class_run(&b);
    sigprocmask(SIG_SETMASK, &b.oldmask, NULL);
    if ((gradebook_write(&b.gb, csv, err, errlen) < 0 ||
         dashboard_write(&b.gb, o->out, err, errlen) < 0) && !b.full)
        goto out;
    summary(&b);
    if (b.full) {
        util_err(err, errlen, "%s: the disk is full (the file is named above): stopped; every "
                 "report written before is intact; free space and the same command finishes "
                 "the batch", o->out);
        goto out;
    }
    if (b.interrupted) {
        util_err(err, errlen, "interrupted by signal %d: the reports in progress were not written; "
                 "the same command finishes the batch", b.interrupted);
        goto out;
    }
    rc = b.errors ? 1 : 0;
out:
    free(salt);
    free(csv);
    batch_free(&b);
    return rc;
}
