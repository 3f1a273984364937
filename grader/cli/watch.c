/* watch: grade, then re-grade each program when its file is saved (watch.h). Nothing here
 * sleeps: one poll() waits for inotify's events or a stopping signal, and the grading of a
 * saved program tells each result through grade_progress the moment it has it. */
#include "watch.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grade/discover.h"
#include "report/report.h"
#include "util/util.h"

#define WATCH_DEPTH 4 /* folders below PATH, as deep as discovery looks for a program */
/* A save, in place (close after writing) or by rename (an editor's temporary file moved over
 * the old one), a new file, and a new folder to watch too. */
#define WATCH_EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE)

struct watch {
    const char *root;          /* PATH: a folder, or a file (its folder is watched) */
    const char *only;          /* PATH's file name when PATH is a file, else NULL */
    const struct grade_options *go;
    bool color;
    int ifd, sigfd;
    struct { int wd; char *dir; } *dirs;
    size_t ndirs;
    char **programs;           /* the lecture programs (with a spec) */
    size_t nprograms;
    char *todo;                /* programs to grade again, "a,b" (grade_options.programs) */
    int64_t saved_at;          /* when the first save of todo was seen */
    size_t told_checks;
};

/* Text from a submission (compiler output quotes its source) as a terminal may show it: C0
 * controls but tab and line end, DEL, C1 controls and bidi overrides spelled out, invalid
 * UTF-8 as U+FFFD; each line after the first indented. */
static void watch_safe(struct strbuf *sb, const char *s, const char *indent)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t bad, len = util_utf8_decode(s + i, n - i, &cp, &bad);
        if (len == 0) {
            strbuf_addstr(sb, "\xEF\xBF\xBD");
            i += bad ? bad : 1;
            continue;
        }
        if (cp == '\n')
            strbuf_addf(sb, "\n%s", i + 1 < n ? indent : "");
        else if ((cp < 0x20 && cp != '\t') || cp == 0x7F)
            strbuf_addf(sb, "\\x%02x", (unsigned)cp);
        else if ((cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
                 (cp >= 0x2066 && cp <= 0x2069))
            strbuf_addf(sb, "\\u%04X", (unsigned)cp);
        else
            strbuf_add(sb, s + i, len);
        i += len;
    }
}

static void watch_print(struct strbuf *sb)
{
    fputs(sb->data ? sb->data : "", stdout);
    fflush(stdout); /* a line is shown the moment it is known, also through a pipe */
    strbuf_release(sb);
}

static void watch_color(const struct watch *w, struct strbuf *sb, const char *color, const char *s)
{
    strbuf_addf(sb, "%s%s%s", w->color ? color : "", s, w->color ? "\033[0m" : "");
}

static void watch_build(void *ctx, const struct program_result *p)
{
    struct watch *w = ctx;
    const struct build_result *b = &p->build;
    struct strbuf sb;
    strbuf_init(&sb);
    watch_safe(&sb, p->name, "");
    strbuf_addstr(&sb, " (");
    watch_safe(&sb, p->source ? p->source : "", "");
    strbuf_addstr(&sb, ")  ");
    watch_color(w, &sb, b->status == BUILD_OK ? "\033[32m" : "\033[31m",
                b->status == BUILD_OK ? "build ok" : b->status == BUILD_FAILED ? "build failed" : "build error");
    if (p->reused)
        strbuf_addstr(&sb, "  (unchanged: the kept result)\n");
    else
        strbuf_addf(&sb, "  (%.2f s)\n", (double)b->duration_ms / 1000);
    if (b->status != BUILD_OK) {
        strbuf_addstr(&sb, "    $ ");
        watch_safe(&sb, b->command ? b->command : "", "      ");
        strbuf_addstr(&sb, "\n    ");
        watch_safe(&sb, b->diagnostics && *b->diagnostics ? b->diagnostics : "(no compiler output)", "    ");
        strbuf_addstr(&sb, "\n");
    }
    watch_print(&sb);
}

static void watch_check(void *ctx, const struct program_result *p, size_t i)
{
    struct watch *w = ctx;
    const struct check_result *c = &p->checks[i];
    static const char *const marks[] = { "\xE2\x9C\x93", "\xE2\x9C\x97", "-", "!" };
    static const char *const colors[] = { "\033[32m", "\033[31m", "\033[33m", "\033[31m" };
    struct strbuf sb;
    w->told_checks++;
    if (p->build.status != BUILD_OK) /* the build's verdict said it: every check is skipped */
        return;
    strbuf_init(&sb);
    strbuf_addstr(&sb, "  ");
    watch_color(w, &sb, colors[c->status], marks[c->status]);
    strbuf_addstr(&sb, " ");
    watch_safe(&sb, c->id, "");
    strbuf_addf(&sb, "  (%g/%g)%s\n", c->score, c->max_score,
                c->level == LEVEL_ROBUSTNESS ? "  (robustness)" : "");
    if (c->status != STATUS_PASSED) {
        char *msg = report_check_message(c, true, 0);
        strbuf_addstr(&sb, "      ");
        watch_safe(&sb, msg, "      ");
        free(msg);
    }
    watch_print(&sb);
}

/* Watches dir and the folders below it that discovery would search; links are not followed,
 * as discovery does not follow them. */
static void watch_add(struct watch *w, const char *dir, int depth)
{
    int wd = inotify_add_watch(w->ifd, dir, WATCH_EVENTS | IN_ONLYDIR | IN_DONT_FOLLOW);
    if (wd < 0)
        return;
    w->dirs = xrealloc(w->dirs, (w->ndirs + 1) * sizeof *w->dirs);
    w->dirs[w->ndirs].wd = wd;
    w->dirs[w->ndirs++].dir = xstrdup(dir);
    if (depth >= WATCH_DEPTH || w->only)
        return;
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        if (e->d_name[0] == '.') /* discovery skips hidden entries too */
            continue;
        char *sub = xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
            watch_add(w, sub, depth + 1);
        free(sub);
    }
    if (d)
        closedir(d);
}

/* A folder's depth below the root, for a folder made while watching. */
static int watch_depth(const struct watch *w, const char *dir)
{
    int depth = 0;
    for (const char *p = dir + strlen(w->dirs[0].dir); *p; p++)
        depth += *p == '/';
    return depth;
}

static void watch_want(struct watch *w, const char *program)
{
    if (!grade_program_listed(w->go->programs, program) ||
        (w->todo && grade_program_listed(w->todo, program)))
        return;
    char *todo = w->todo ? xasprintf("%s,%s", w->todo, program) : xstrdup(program);
    free(w->todo);
    w->todo = todo;
    if (!w->saved_at)
        w->saved_at = util_now_ms();
}

/* A header changed: every program found in its folder includes it, perhaps. */
static void watch_header(struct watch *w, const char *dir)
{
    struct discovery d;
    char err[UTIL_ERRLEN];
    if (discover(&w->root, 1, w->programs, w->nprograms, &d, err, sizeof err) < 0)
        return;
    for (size_t i = 0; i < d.nfound; i++) {
        const char *slash = strrchr(d.found[i].path, '/');
        size_t len = slash ? (size_t)(slash - d.found[i].path) : 0;
        if (strlen(dir) == len && strncmp(d.found[i].path, dir, len) == 0)
            watch_want(w, d.found[i].program);
    }
    discovery_free(&d);
}

static void watch_event(struct watch *w, const struct inotify_event *e)
{
    const char *dir = NULL;
    for (size_t i = 0; i < w->ndirs && !dir; i++)
        dir = w->dirs[i].wd == e->wd ? w->dirs[i].dir : NULL;
    if (!dir || !e->len || e->name[0] == '.')
        return;
    size_t len = strlen(e->name);
    if (e->mask & IN_ISDIR) {
        char *sub = xasprintf("%s/%s", dir, e->name);
        if (!w->only && watch_depth(w, sub) <= WATCH_DEPTH)
            watch_add(w, sub, watch_depth(w, sub));
        free(sub);
        return;
    }
    /* A new file is saved when it is closed after writing, not when it appears. */
    if (!(e->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) || (w->only && strcmp(e->name, w->only) != 0))
        return;
    if (len > 2 && strcmp(e->name + len - 2, ".h") == 0) {
        watch_header(w, dir);
        return;
    }
    for (size_t i = 0; len > 2 && strcmp(e->name + len - 2, ".c") == 0 && i < w->nprograms; i++)
        if (strlen(w->programs[i]) == len - 2 && strncmp(e->name, w->programs[i], len - 2) == 0)
            watch_want(w, w->programs[i]);
}

/* Every event queued now; the events of one save come together. */
static int watch_read(struct watch *w, char *err, size_t errlen)
{
    char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t n = read(w->ifd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return 0;
        if (n <= 0)
            return util_err(err, errlen, "inotify: %s", n < 0 ? strerror(errno) : "closed");
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *e = (const void *)p;
            watch_event(w, e);
            p += sizeof *e + e->len;
        }
    }
}

static bool watch_stopped(const struct watch *w)
{
    struct pollfd pf = { w->sigfd, POLLIN, 0 };
    return poll(&pf, 1, 0) == 1;
}

static void watch_summary(const struct watch *w, const struct run_result *r)
{
    struct strbuf sb;
    strbuf_init(&sb);
    for (size_t i = 0; i < r->nprograms; i++) {
        const struct program_result *p = &r->programs[i];
        size_t count[4] = { 0 };
        for (size_t k = 0; k < p->nchecks; k++)
            count[p->checks[k].status]++;
        watch_safe(&sb, p->name, "");
        strbuf_addf(&sb, "  %g/%g — %zu passed, %zu failed, %zu skipped%s  (%.2f s after the save)\n",
                    p->score, p->max_score, count[STATUS_PASSED], count[STATUS_FAILED] + count[STATUS_ERROR],
                    count[STATUS_SKIPPED], count[STATUS_ERROR] ? " (grader errors among them)" : "",
                    (double)(util_now_ms() - w->saved_at) / 1000);
    }
    if (r->error) {
        strbuf_addstr(&sb, "sockgrade: ");
        watch_safe(&sb, r->error, "");
        strbuf_addstr(&sb, "\n");
    }
    watch_print(&sb);
}

/* The saved programs, graded again; each result is printed as it comes. */
static void watch_regrade(struct watch *w)
{
    struct grade_options go = *w->go;
    struct grade_progress pg = { watch_build, watch_check, w, w->sigfd };
    struct run_result r;
    struct strbuf sb;
    go.programs = w->todo;
    go.progress = &pg;
    strbuf_init(&sb);
    strbuf_addstr(&sb, "\n");
    watch_color(w, &sb, "\033[2m", "saved: checking ");
    watch_safe(&sb, w->todo, "");
    strbuf_addstr(&sb, "\n");
    watch_print(&sb);
    grade_run(&w->root, 1, &go, &r);
    if (!watch_stopped(w))
        watch_summary(w, &r);
    result_run_free(&r);
    free(w->todo);
    w->todo = NULL;
    w->saved_at = 0;
}

/* The whole folder, as `sockgrade check` prints it. */
static void watch_first(struct watch *w)
{
    struct grade_options go = *w->go;
    struct grade_progress pg = { NULL, NULL, NULL, w->sigfd };
    struct report_options ro = { .color = w->color, .student_view = true };
    struct run_result r;
    go.progress = &pg;
    grade_run(&w->root, 1, &go, &r);
    if (!watch_stopped(w)) {
        char *doc = report_render(&r, FORMAT_TEXT, &ro);
        fputs(doc, stdout);
        free(doc);
    }
    result_run_free(&r);
}

/* Ctrl-C is read from a signalfd, so a grading in progress is stopped and cleaned up (its
 * runners unblock these signals again for the programs they run). */
static int watch_setup(struct watch *w, sigset_t *old, char *err, size_t errlen)
{
    sigset_t set;
    struct stat st;
    char *dir = xstrdup(w->root), *slash;
    int rc = -1;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    /* A shell starts a background job with SIGINT ignored, and an ignored signal never reaches
     * a signalfd: Ctrl-C (or a script's kill -INT) must end a watch however it was started. */
    signal(SIGINT, SIG_DFL);
    sigprocmask(SIG_BLOCK, &set, old);
    w->sigfd = signalfd(-1, &set, SFD_CLOEXEC);
    w->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->sigfd < 0 || w->ifd < 0) {
        util_err(err, errlen, "cannot watch: %s", strerror(errno));
        goto out;
    }
    if (stat(w->root, &st) == 0 && !S_ISDIR(st.st_mode)) { /* a file: its folder, that file only */
        slash = strrchr(dir, '/');
        w->only = slash ? w->root + (slash - dir) + 1 : w->root;
        if (slash)
            *slash = '\0';
        else
            strcpy(dir, ".");
    }
    watch_add(w, dir, 0);
    if (w->ndirs == 0) {
        util_err(err, errlen, "cannot watch %s: %s", dir, strerror(errno));
        goto out;
    }
    rc = discover_programs(w->go->assignments, &w->programs, &w->nprograms, err, errlen);
out:
    free(dir);
    return rc;
}

static void watch_free(struct watch *w, const sigset_t *old)
{
    struct signalfd_siginfo si;
    /* The signal that ended the watch is taken here, so it does not strike once unblocked:
     * the watch ends in order, with status 0. */
    if (w->sigfd >= 0 && watch_stopped(w) && read(w->sigfd, &si, sizeof si) == (ssize_t)sizeof si)
        fputs("\nwatch ended\n", stdout);
    for (size_t i = 0; i < w->ndirs; i++)
        free(w->dirs[i].dir);
    free(w->dirs);
    for (size_t i = 0; i < w->nprograms; i++)
        free(w->programs[i]);
    free(w->programs);
    free(w->todo);
    if (w->ifd >= 0)
        close(w->ifd);
    if (w->sigfd >= 0)
        close(w->sigfd);
    sigprocmask(SIG_SETMASK, old, NULL);
}

static void watch_waiting(const struct watch *w)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_addstr(&sb, "\n");
    watch_color(w, &sb, "\033[2m", "watching ");
    watch_safe(&sb, w->root, "");
    watch_color(w, &sb, "\033[2m", ": save a program's file to check it again (Ctrl-C ends)\n");
    watch_print(&sb);
}

int watch_run(const char *path, const struct grade_options *go, bool color, char *err,
              size_t errlen)
{
    struct watch w = { .root = path, .go = go, .color = color, .ifd = -1, .sigfd = -1 };
    sigset_t old;
    int rc = watch_setup(&w, &old, err, errlen);
    if (rc == 0)
        watch_first(&w);
    bool graded = rc == 0;
    while (rc == 0 && !watch_stopped(&w)) {
        if (graded)
            watch_waiting(&w);
        graded = false;
        struct pollfd pf[2] = { { w.ifd, POLLIN, 0 }, { w.sigfd, POLLIN, 0 } };
        while (poll(pf, 2, -1) < 0)
            if (errno != EINTR) {
                rc = util_err(err, errlen, "poll: %s", strerror(errno));
                break;
            }
        if (rc == 0 && !(pf[1].revents & POLLIN))
            rc = watch_read(&w, err, errlen);
        while (rc == 0 && w.todo && !watch_stopped(&w)) {
            watch_regrade(&w);
            graded = true;
            rc = watch_read(&w, err, errlen); /* saved again meanwhile: that program next */
        }
    }
    watch_free(&w, &old);
    return rc;
}
