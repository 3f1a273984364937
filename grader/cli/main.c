/* main: the sockgrade command line. Verbs: check, list, selftest, batch, merge, validate; their
 * options are parsed by the one table in options.c. Only this file exits. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "batch/batch.h"
#include "grade/build.h"
#include "grade/cache.h"
#include "grade/discover.h"
#include "grade/grade.h"
#include "options.h"
#include "watch.h"
#include "report/report.h"
#include "util/util.h"

#ifndef SOCKGRADE_VERSION
#define SOCKGRADE_VERSION "dev"
#endif
#ifndef SOCKGRADE_DATADIR
#define SOCKGRADE_DATADIR "/usr/local/share/sockgrade"
#endif

static const char usage_main[] =
    "usage: sockgrade <verb> [options]\n\n"
    "verbs:\n"
    "  check [options] PATH...   build and grade the lecture programs found in PATH\n"
    "  list                      the assignments sockgrade knows\n"
    "  selftest                  grade the reference programs; fails unless all get full marks\n"
    "  batch [options] --out DIR SUBMISSION...\n"
    "                            grade a class (one folder per student) into reports and a gradebook\n"
    "  merge [--out DIR] DIR...  join the output folders of several batch runs into one gradebook\n"
    "  validate [DIR]            check every spec in DIR (default: the assignments graded with)\n\n"
    "Run 'sockgrade <verb> --help' for a verb's options.\n";

static const char usage_check[] =
    "usage: sockgrade check [--format text|json|gradescope|junit|classroom|html] [--seed N] [-o FILE]\n"
    "                       [--sandbox auto|namespaces|none] [-j N] [--programs LIST]\n"
    "                       [--new-seed] [--no-cache] [--cache-dir DIR] PATH...\n"
    "       sockgrade check --watch [options] [PATH]\n\n"
    "PATH is a folder (searched a few levels deep) or .c files. Every lecture program found\n"
    "by file name is built and graded. With one PATH, a program that did not change since the\n"
    "last check of that folder is not graded again: its kept result is reused (the report says\n"
    "so), and the folder keeps its seed from run to run.\n\n"
    "  --format F   report format (default text)\n"
    "  --seed N     replay the environment of an earlier run (the report gives its seed); the\n"
    "               folder keeps it from now on\n"
    "  --new-seed   a new random seed, kept for the folder from now on\n"
    "  --no-cache   grade every program again; the folder's kept results are removed and\n"
    "               none are kept from this run\n"
    "  --cache-dir D  keep results and the seed under D (default $XDG_CACHE_HOME/sockgrade,\n"
    "               else ~/.cache/sockgrade)\n"
    "  --watch      grade, then wait for a program's file to be saved and grade that program\n"
    "               again, printing each result as it comes (Ctrl-C ends it; PATH default .)\n"
    "  -o FILE      write the report to FILE (atomically) instead of stdout\n"
    "  --sandbox M  isolation mode (default auto)\n"
    "  -j N         runners at once (default: twice the cores)\n"
    "  --programs L only these lecture programs (commas or spaces between): the others are\n"
    "               neither graded nor missing\n\n"
    "exit status: 0 every check passed, 1 some check failed, 2 usage or internal error\n";

static const char usage_list[] = "usage: sockgrade list\n\nPrints the assignments sockgrade knows, one per line.\n";
static const char usage_selftest[] =
    "usage: sockgrade selftest [--seed N] [-j N]\n\n"
    "Grades the bundled reference programs against every spec; exit status 0 only when every\n"
    "program gets full marks.\n";

static const char usage_batch[] =
    "usage: sockgrade batch [-j N] [--force] [--shard K/N] [--seed N] [--sandbox MODE]\n"
    "                       [--programs LIST] --out DIR SUBMISSION...\n\n"
    "Each SUBMISSION is one student's folder; the student is the folder's name. Writes\n"
    "DIR/<student>.json (the native report) for each and DIR/gradebook.csv (one row per\n"
    "student: a column per program, total, max, status), every file atomically. A re-run\n"
    "grades only students whose files, the specs or the grader changed.\n\n"
    "  --out DIR    output folder (created if missing)\n"
    "  -j N         students graded at once, each with two check runners (default: four\n"
    "               times the cores: a buggy submission mostly waits on its timeouts)\n"
    "  --force      grade every student again, changed or not\n"
    "  --shard K/N  grade only slice K of N (students sorted by name, every N-th); give every\n"
    "               slice the same SUBMISSION list and --seed, then 'sockgrade merge'\n"
    "  --seed N     the environment of every student (default: DIR's earlier seed, else random;\n"
    "               another seed than DIR's is refused without --force)\n"
    "  --programs L only these lecture programs (as for check)\n"
    "  --sandbox M  isolation mode (default auto)\n\n"
    "A progress bar is drawn on stderr when it is a terminal.\n"
    "exit status: 0 every student has a report, 2 usage error or a grader error for some student\n";

static const char usage_merge[] =
    "usage: sockgrade merge [--out DIR] [--programs LIST] DIR...\n\n"
    "Joins the reports of several 'sockgrade batch' output folders (e.g. the shards of a CI\n"
    "matrix) into DIR (default: the first folder given): copies the reports and rewrites\n"
    "DIR/gradebook.csv from every report there. When a student is in several folders, the\n"
    "last folder's report is kept. A folder batch did not write is refused. --programs keeps\n"
    "only those programs' columns.\n";

static const char usage_validate[] =
    "usage: sockgrade validate [DIR]\n\n"
    "Loads every DIR/<program>/spec.json (default: the assignments this sockgrade grades with)\n"
    "and prints each problem with its file and JSON path. check, batch and merge refuse to\n"
    "start on a broken spec. exit status: 0 every spec is valid, 1 some spec is broken, 2 DIR\n"
    "cannot be read.\n";

/* The one place the program ends on an error: a usage error or a fault before grading began
 * (a broken spec, no sandbox). A fault during grading is written into the report instead. */
static _Noreturn __attribute__((format(printf, 1, 2))) void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    util_vmessage("sockgrade: ", fmt, ap);
    va_end(ap);
    exit(2);
}

/* A usage error of verb: "sockgrade <verb>: <problem> (see ...)" and exit status 2. The
 * problem quotes what was typed, so it goes through util_vmessage's escaping too. */
static _Noreturn void usage_error(const char *verb, const char *problem)
{
    char head[64];
    snprintf(head, sizeof head, "sockgrade %s: ", verb);
    util_message(head, "%s (see 'sockgrade %s --help')", problem, verb);
    exit(2);
}

struct cli {
    struct cli_args a;   /* the verb's options as given */
    enum report_format format;
    uint64_t seed;       /* --seed, else random */
    enum sandbox_mode mode;
    bool mode_auto;      /* --sandbox auto: namespaces if the probe succeeds, else none */
    char *data;          /* folder holding assignments/ and reference/ */
    bool require_all;    /* selftest: every known program present, full marks */
    struct cache *cache; /* check with one PATH: the folder's kept results and seed, or NULL */
};

/* Proves the chosen isolation works here before grading anything; auto falls back to none
 * and says so (the report's "sandbox" field says so too). */
static void choose_sandbox(struct cli *c)
{
    char err[2048];
    if (c->mode == SANDBOX_NONE && !c->mode_auto)
        return;
    if (sandbox_probe(SANDBOX_NAMESPACES, c->require_all, err, sizeof err) == 0) {
        c->mode = SANDBOX_NAMESPACES;
        return;
    }
    if (!c->mode_auto)
        die("the namespace sandbox does not work here: %s", err);
    warn("the namespace sandbox does not work here, grading with --sandbox none "
         "(weaker isolation: %s; checks that need namespaces are skipped): %s",
         sandbox_isolation(SANDBOX_NONE), err);
    c->mode = SANDBOX_NONE;
}

/* Once per run, before any student: the compiler and Valgrind. What is missing is said here,
 * once; the checks it affects are then skipped and not counted, never an error each. */
static void choose_tools(void)
{
    static bool done;
    char note[512];
    if (done)
        return;
    done = true;
    int rc = build_probe_tools(note, sizeof note);
    if (rc < 0)
        die("%s", note);
    if (note[0])
        warn("%s", note);
}

/* Before grading anything: a broken spec stops the run with its error (it would otherwise
 * grade a program named "" or turn every student's row into an error), and so does a
 * --programs name that has no spec. */
static void refuse_bad_specs(const char *assignments, const char *programs)
{
    char err[UTIL_ERRLEN], *report, **names;
    size_t n;
    int bad = discover_validate(assignments, &report, err, sizeof err);
    if (bad < 0)
        die("%s", err);
    if (bad > 0)
        die("%d broken spec%s, nothing graded ('sockgrade validate' checks them):\n%s", bad,
            bad == 1 ? "" : "s", report);
    free(report);
    if (!programs)
        return;
    if (discover_programs(assignments, &names, &n, err, sizeof err) < 0)
        die("%s", err);
    for (const char *p = programs; *p;) {
        size_t len = strcspn(p, ", "), k = 0;
        while (k < n && (strlen(names[k]) != len || strncmp(names[k], p, len) != 0))
            k++;
        if (len && k == n)
            die("--programs: no lecture program '%.*s' ('sockgrade list' names them)", (int)len, p);
        p += len;
        p += strspn(p, ", ");
    }
    for (size_t k = 0; k < n; k++)
        free(names[k]);
    free(names);
}

/* The data folder: $SOCKGRADE_DATA, else beside the binary (build/sockgrade -> .), else the
 * installed share folder. */
static char *find_data(void)
{
    const char *env = getenv("SOCKGRADE_DATA");
    if (env && *env)
        return xstrdup(env);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *parent = xasprintf("%s/..", dirname(exe));
        char *probe = xasprintf("%s/assignments", parent);
        int ok = access(probe, R_OK) == 0;
        free(probe);
        if (ok)
            return parent;
        free(parent);
    }
    return xstrdup(SOCKGRADE_DATADIR);
}

static uint64_t random_seed(void)
{
    uint64_t s = 0;
    if (getrandom(&s, sizeof s, 0) != sizeof s)
        s = (uint64_t)util_now_ms();
    return s % 1000000000000ULL; /* short enough to type back with --seed */
}

static void usage_exit(const char *text, int status)
{
    fputs(text, status ? stderr : stdout);
    exit(status);
}

/* The verb's options, parsed by the one table: a usage error ends here with the option and
 * its problem named, --help with the verb's usage. Returns the first operand's index. */
static int parse_or_exit(enum cli_verb verb, int argc, char **argv, const char *usage, struct cli *c)
{
    char err[UTIL_ERRLEN];
    if (cli_parse(verb, argc, argv, &c->a, err, sizeof err) < 0)
        usage_error(argv[0], err);
    if (c->a.help)
        usage_exit(usage, 0);
    int sandbox = cli_given(&c->a, OPT_SANDBOX) ? c->a.sandbox : CLI_SANDBOX_AUTO;
    c->format = cli_given(&c->a, OPT_FORMAT) ? (enum report_format)c->a.format : FORMAT_TEXT;
    if (cli_given(&c->a, OPT_SEED))
        c->seed = c->a.seed;
    c->mode_auto = sandbox == CLI_SANDBOX_AUTO;
    c->mode = sandbox == CLI_SANDBOX_NONE ? SANDBOX_NONE : SANDBOX_NAMESPACES;
    return c->a.first;
}

static int emit(const struct run_result *r, const struct cli *c)
{
    /* Students see the text, Gradescope and JUnit reports: hidden checks keep their details
     * there. The native JSON is the instructor's record and keeps everything. */
    struct report_options ro = { .student_view = c->format != FORMAT_JSON };
    const char *nc = getenv("NO_COLOR");
    const char *output = c->a.output;
    struct winsize ws;
    bool tty = !output && isatty(STDOUT_FILENO);
    ro.color = c->format == FORMAT_TEXT && tty && !(nc && *nc);
    if (tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
        ro.width = ws.ws_col; /* narrower than 40 columns: keep 80 and let the terminal cope */
    char *doc = report_render(r, c->format, &ro);
    char err[UTIL_ERRLEN];
    int rc = 0;
    if (output) {
        if (util_write_file_atomic(output, doc, strlen(doc), err, sizeof err) < 0) {
            warn("%s", err);
            rc = -1;
        }
    } else {
        fputs(doc, stdout);
        fflush(stdout);
    }
    free(doc);
    return rc;
}

/* What grading needs before it starts, said once (a bad spec, a sandbox that does not work
 * here, a missing compiler end the program here); go->assignments is the caller's to free. */
static void grading_options(struct cli *c, struct grade_options *go)
{
    char *assignments = xasprintf("%s/assignments", c->data);
    choose_sandbox(c);
    choose_tools();
    refuse_bad_specs(assignments, c->a.programs);
    *go = (struct grade_options){ c->seed, c->mode, c->a.jobs, assignments, c->a.programs,
                                  SOCKGRADE_VERSION, c->a.no_cache ? NULL : c->cache, NULL };
}

static int grade_and_report(const char *const *paths, size_t n, struct cli *c)
{
    struct run_result r;
    struct grade_options go;
    grading_options(c, &go);
    char *assignments = (char *)go.assignments;
    grade_run(paths, n, &go, &r);
    if (r.error)
        warn("%s", r.error);
    int status = emit(&r, c) < 0 ? 2 : result_exit_status(&r);
    if (c->require_all && status == 0 && (r.nmissing || r.score < r.max_score))
        status = 1;
    result_run_free(&r);
    free(assignments);
    return status;
}

/* One folder checked again and again keeps its seed and results (grade/cache.h). Several
 * PATHs are not one folder: they are graded as before, with --seed or a random seed. */
static void open_cache(struct cli *c, const char *path)
{
    char err[UTIL_ERRLEN];
    char *root = c->a.cache_dir ? xstrdup(c->a.cache_dir) : cache_default_root();
    if (!root) /* no HOME and no XDG_CACHE_HOME: nothing is kept, nothing is said */
        return;
    c->cache = cache_open(root, path, err, sizeof err);
    free(root);
    if (!c->cache) {
        warn("nothing is kept between runs: %s", err);
        return;
    }
    if (c->a.no_cache)
        cache_forget_results(c->cache);
}

/* The folder's seed, unless --seed or --new-seed replaces it (c->seed is then already the
 * given or a random one): runs of one folder stay comparable. */
static void choose_seed(struct cli *c)
{
    char err[UTIL_ERRLEN];
    uint64_t kept;
    if (!c->cache)
        return;
    if (!cli_given(&c->a, OPT_SEED) && !c->a.new_seed && cache_seed_get(c->cache, &kept) == 0) {
        c->seed = kept;
        return;
    }
    if (cache_seed_put(c->cache, c->seed, err, sizeof err) < 0)
        warn("the folder's seed is not kept: %s", err);
}

/* --watch: one folder (default .), read by a person at a terminal, as text. */
static int cmd_watch(char **paths, int n, struct cli *c)
{
    char err[UTIL_ERRLEN];
    struct grade_options go;
    if (n > 1 || cli_given(&c->a, OPT_OUTPUT) || (cli_given(&c->a, OPT_FORMAT) && c->format != FORMAT_TEXT))
        usage_error("check", "--watch takes one PATH and writes text to the terminal (no -o, no --format)");
    const char *path = n == 1 ? paths[0] : ".";
    open_cache(c, path);
    choose_seed(c);
    grading_options(c, &go);
    const char *nc = getenv("NO_COLOR");
    int rc = watch_run(path, &go, isatty(STDOUT_FILENO) && !(nc && *nc), err, sizeof err);
    if (rc < 0)
        warn("%s", err);
    free((char *)go.assignments);
    return rc < 0 ? 2 : 0;
}

static int cmd_check(int argc, char **argv, struct cli *c)
{
    int first = parse_or_exit(VERB_CHECK, argc, argv, usage_check, c);
    if (cli_given(&c->a, OPT_SEED) && c->a.new_seed)
        usage_error("check", "--seed and --new-seed say different things; give one");
    if (first >= argc && !c->a.watch) {
        fputs("sockgrade check: no PATH given\n\n", stderr);
        usage_exit(usage_check, 2);
    }
    for (int i = first; i < argc; i++) /* a typo is the caller's, said in one line */
        if (access(argv[i], F_OK) < 0) {
            fprintf(stderr, "sockgrade check: %s: %s\n", argv[i], strerror(errno));
            return 2;
        }
    if (c->a.watch)
        return cmd_watch(argv + first, argc - first, c);
    if (argc - first == 1) {
        open_cache(c, argv[first]);
        choose_seed(c);
    }
    int status = grade_and_report((const char *const *)argv + first, (size_t)(argc - first), c);
    cache_close(c->cache);
    return status;
}

static int cmd_list(int argc, char **argv, struct cli *c)
{
    if (parse_or_exit(VERB_LIST, argc, argv, usage_list, c) < argc)
        usage_exit(usage_list, 2);
    char *assignments = xasprintf("%s/assignments", c->data), err[UTIL_ERRLEN], **names;
    size_t n;
    if (discover_programs(assignments, &names, &n, err, sizeof err) < 0)
        die("%s", err);
    for (size_t i = 0; i < n; i++) {
        char *path = xasprintf("%s/%s/spec.json", assignments, names[i]);
        struct spec *s = spec_load(path, err, sizeof err);
        if (!s)
            die("%s", err);
        printf("%-16s %2zu checks  %5.1f points  %s\n", names[i], s->nchecks, spec_max_score(s), s->title);
        spec_free(s);
        free(path);
        free(names[i]);
    }
    free(names);
    free(assignments);
    return 0;
}

/* Grades reference/ and demands full marks with every check passed, robustness included. */
static int cmd_selftest(int argc, char **argv, struct cli *c)
{
    if (parse_or_exit(VERB_SELFTEST, argc, argv, usage_selftest, c) < argc)
        usage_exit(usage_selftest, 2);
    char *ref = xasprintf("%s/reference", c->data);
    const char *paths[] = { ref };
    if (access(ref, R_OK) < 0)
        die("selftest grades the reference programs, and %s has none (%s): this copy of the "
            "grader was installed without them (the Gradescope zip leaves them out)", c->data, strerror(errno));
    c->format = FORMAT_TEXT;
    c->require_all = true;
    int status = grade_and_report(paths, 1, c);
    if (sandbox_probe_note()[0])
        fprintf(stderr, "selftest: memory: %s\n", sandbox_probe_note());
    fprintf(stderr, "selftest: %s\n", status == 0 ? "every reference program passed every check"
                                                  : "FAILED: a reference program lost a check");
    free(ref);
    return status;
}

static int cmd_validate(int argc, char **argv, struct cli *c)
{
    int first = parse_or_exit(VERB_VALIDATE, argc, argv, usage_validate, c);
    if (first < argc - 1)
        usage_exit(usage_validate, 2);
    char *dir = first < argc ? xstrdup(argv[first]) : xasprintf("%s/assignments", c->data);
    char err[UTIL_ERRLEN], *report;
    int bad = discover_validate(dir, &report, err, sizeof err);
    if (bad < 0)
        die("%s", err);
    fputs(report, stderr);
    printf("%s: %s\n", dir, bad ? "broken specs, see above" : "every spec is valid");
    free(report);
    free(dir);
    return bad ? 1 : 0;
}

/* Students at once: four per core, two check runners each. Measured on 2 cores with 80
 * students (docs/instructors.md): a buggy submission mostly waits on its checks' timeouts, so
 * more students at once pay off until the CPU is busy (4 at once: 55 s, 8: 32 s, 16: 29 s),
 * while a class of correct ones is CPU-bound and barely cares (8 at once is as fast as 4). */
static int cmd_batch(int argc, char **argv, struct cli *c)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int first = parse_or_exit(VERB_BATCH, argc, argv, usage_batch, c);
    const struct cli_args *a = &c->a;
    if (first >= argc || !a->out) {
        fputs("sockgrade batch: --out DIR and at least one SUBMISSION are needed\n\n", stderr);
        usage_exit(usage_batch, 2);
    }
    if (a->shard[1] && !cli_given(a, OPT_SEED)) {
        fputs("sockgrade batch: --shard needs --seed, so that every slice grades in the same "
              "environment\n\n", stderr);
        usage_exit(usage_batch, 2);
    }
    char *assignments = xasprintf("%s/assignments", c->data), err[UTIL_ERRLEN];
    refuse_bad_specs(assignments, a->programs);
    choose_sandbox(c); /* once for the class: every student is graded in the same mode */
    choose_tools();
    struct batch_options o = {
        .out = a->out,
        .grade = { .seed = c->seed, .mode = c->mode, .jobs = 2, .assignments = assignments,
                   .programs = a->programs, .version = SOCKGRADE_VERSION },
        .seed_given = cli_given(a, OPT_SEED),
        .jobs = cli_given(a, OPT_JOBS) ? a->jobs : cores > 0 ? 4 * (int)cores : 4,
        .force = a->force,
        .shard_k = a->shard[0],
        .shard_n = a->shard[1],
        .progress = isatty(STDERR_FILENO),
    };
    int rc = batch_run((const char *const *)argv + first, (size_t)(argc - first), &o, err, sizeof err);
    if (rc < 0)
        fprintf(stderr, "sockgrade: %s\n", err);
    free(assignments);
    return rc == 0 ? 0 : 2;
}

static int cmd_merge(int argc, char **argv, struct cli *c)
{
    int first = parse_or_exit(VERB_MERGE, argc, argv, usage_merge, c);
    char err[UTIL_ERRLEN];
    if (first >= argc) {
        fputs("sockgrade merge: no DIR given\n\n", stderr);
        usage_exit(usage_merge, 2);
    }
    char *assignments = xasprintf("%s/assignments", c->data);
    refuse_bad_specs(assignments, c->a.programs);
    int rc = batch_merge((const char *const *)argv + first, (size_t)(argc - first),
                         c->a.out ? c->a.out : argv[first], assignments, c->a.programs, err,
                         sizeof err);
    free(assignments);
    if (rc < 0) {
        fprintf(stderr, "sockgrade: %s\n", err);
        return 2;
    }
    return 0;
}

int main(int argc, char **argv)
{
    size_t area = 0;
    for (int i = 0; i < argc; i++)
        area = (size_t)(argv[i] + strlen(argv[i]) + 1 - argv[0]);
    struct cli c = { .format = FORMAT_TEXT, .mode = SANDBOX_NAMESPACES, .mode_auto = true };
    if (argc < 2)
        usage_exit(usage_main, 2);
    const char *verb = argv[1];
    if (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0 || strcmp(verb, "help") == 0)
        usage_exit(usage_main, 0);
    if (strcmp(verb, "--version") == 0) {
        printf("sockgrade %s\n", SOCKGRADE_VERSION);
        return 0;
    }
    c.seed = random_seed();
    c.data = find_data();
    sandbox_protect_grader(c.data, argv[0], area);
    int status = 2; /* usage_exit() does not return; clang cannot tell */
    if (strcmp(verb, "check") == 0)
        status = cmd_check(argc - 1, argv + 1, &c);
    else if (strcmp(verb, "list") == 0)
        status = cmd_list(argc - 1, argv + 1, &c);
    else if (strcmp(verb, "selftest") == 0)
        status = cmd_selftest(argc - 1, argv + 1, &c);
    else if (strcmp(verb, "batch") == 0)
        status = cmd_batch(argc - 1, argv + 1, &c);
    else if (strcmp(verb, "merge") == 0)
        status = cmd_merge(argc - 1, argv + 1, &c);
    else if (strcmp(verb, "validate") == 0)
        status = cmd_validate(argc - 1, argv + 1, &c);
    else {
        fprintf(stderr, "sockgrade: unknown verb '%s'\n\n", verb);
        usage_exit(usage_main, 2);
    }
    free(c.data);
    return status;
}
