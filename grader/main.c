/* main: the sockgrade command line. Verbs: check, list, selftest. Only this file exits. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "discover.h"
#include "grade.h"
#include "report.h"
#include "util.h"

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
    "  selftest                  grade the reference programs; fails unless all get full marks\n\n"
    "Run 'sockgrade <verb> --help' for a verb's options.\n";

static const char usage_check[] =
    "usage: sockgrade check [--format text|json|gradescope|junit] [--seed N] [-o FILE]\n"
    "                       [--sandbox auto|namespaces|none] [-j N] PATH...\n\n"
    "PATH is a folder (searched a few levels deep) or .c files. Every lecture program found\n"
    "by file name is built and graded.\n\n"
    "  --format F   report format (default text)\n"
    "  --seed N     replay the environment of an earlier run (the report gives its seed)\n"
    "  -o FILE      write the report to FILE (atomically) instead of stdout\n"
    "  --sandbox M  isolation mode (default auto)\n"
    "  -j N         runners at once (default: twice the cores)\n\n"
    "exit status: 0 every check passed, 1 some check failed, 2 usage or internal error\n";

static const char usage_list[] = "usage: sockgrade list\n\nPrints the assignments sockgrade knows, one per line.\n";
static const char usage_selftest[] =
    "usage: sockgrade selftest [--seed N] [-j N]\n\n"
    "Grades the bundled reference programs against every spec; exit status 0 only when every\n"
    "program gets full marks.\n";

struct cli {
    enum report_format format;
    uint64_t seed;
    const char *output;
    enum sandbox_mode mode;
    int jobs;
    char *data;          /* folder holding assignments/ and reference/ */
    bool require_all;    /* selftest: every known program present, full marks */
    bool mode_auto;      /* --sandbox auto: namespaces if the probe succeeds, else none */
};

/* Proves the chosen isolation works here before grading anything; auto falls back to none
 * and says so (the report's "sandbox" field says so too). */
static void choose_sandbox(struct cli *c)
{
    char err[2048];
    if (c->mode == SANDBOX_NONE && !c->mode_auto)
        return;
    if (sandbox_probe(SANDBOX_NAMESPACES, err, sizeof err) == 0) {
        c->mode = SANDBOX_NAMESPACES;
        return;
    }
    if (!c->mode_auto)
        die("the namespace sandbox does not work here: %s", err);
    warn("the namespace sandbox does not work here, grading with --sandbox none "
         "(weaker isolation; checks that need namespaces are skipped): %s", err);
    c->mode = SANDBOX_NONE;
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

static int parse_options(int argc, char **argv, struct cli *c, const char *usage)
{
    static const struct option opts[] = {
        { "format", required_argument, 0, 'f' }, { "seed", required_argument, 0, 's' },
        { "output", required_argument, 0, 'o' }, { "sandbox", required_argument, 0, 'S' },
        { "jobs", required_argument, 0, 'j' },   { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "f:s:o:j:h", opts, NULL)) != -1) {
        char *end;
        switch (ch) {
        case 'f':
            if (report_format_parse(optarg, &c->format) < 0)
                die("unknown format '%s' (text, json, gradescope, junit)", optarg);
            break;
        case 's':
            errno = 0;
            c->seed = strtoull(optarg, &end, 10);
            if (errno || *end || !*optarg)
                die("--seed takes a non-negative integer, not '%s'", optarg);
            break;
        case 'o':
            c->output = optarg;
            break;
        case 'S':
            if (strcmp(optarg, "auto") == 0)
                c->mode_auto = true;
            else if (strcmp(optarg, "namespaces") == 0)
                c->mode = SANDBOX_NAMESPACES, c->mode_auto = false;
            else if (strcmp(optarg, "none") == 0)
                c->mode = SANDBOX_NONE, c->mode_auto = false;
            else
                die("--sandbox takes auto, namespaces or none, not '%s'", optarg);
            break;
        case 'j':
            c->jobs = atoi(optarg);
            if (c->jobs < 1)
                die("-j takes a positive number, not '%s'", optarg);
            break;
        case 'h':
            usage_exit(usage, 0);
            break;
        default:
            usage_exit(usage, 2);
        }
    }
    return optind;
}

static int emit(const struct run_result *r, const struct cli *c)
{
    /* Students see the text, Gradescope and JUnit reports: hidden checks keep their details
     * there. The native JSON is the instructor's record and keeps everything. */
    struct report_options ro = { false, c->format != FORMAT_JSON };
    const char *nc = getenv("NO_COLOR");
    ro.color = c->format == FORMAT_TEXT && !c->output && isatty(STDOUT_FILENO) && !(nc && *nc);
    char *doc = report_render(r, c->format, &ro);
    char err[UTIL_ERRLEN];
    int rc = 0;
    if (c->output) {
        if (util_write_file_atomic(c->output, doc, strlen(doc), err, sizeof err) < 0) {
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

static int grade_and_report(const char *const *paths, size_t n, struct cli *c)
{
    struct run_result r;
    memset(&r, 0, sizeof r);
    char *assignments = xasprintf("%s/assignments", c->data);
    choose_sandbox(c);
    struct grade_options go = { c->seed, c->mode, c->jobs, assignments };
    r.grader_version = xstrdup(SOCKGRADE_VERSION);
    r.submission = xstrdup(n == 1 ? paths[0] : "(several paths)");
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

static int cmd_check(int argc, char **argv, struct cli *c)
{
    int first = parse_options(argc, argv, c, usage_check);
    if (first >= argc) {
        fputs("sockgrade check: no PATH given\n\n", stderr);
        usage_exit(usage_check, 2);
    }
    return grade_and_report((const char *const *)argv + first, (size_t)(argc - first), c);
}

static int cmd_list(int argc, char **argv, struct cli *c)
{
    if (parse_options(argc, argv, c, usage_list) < argc)
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
    if (parse_options(argc, argv, c, usage_selftest) < argc)
        usage_exit(usage_selftest, 2);
    char *ref = xasprintf("%s/reference", c->data);
    const char *paths[] = { ref };
    c->format = FORMAT_TEXT;
    c->require_all = true;
    int status = grade_and_report(paths, 1, c);
    fprintf(stderr, "selftest: %s\n", status == 0 ? "every reference program passed every check"
                                                  : "FAILED: a reference program lost a check");
    free(ref);
    return status;
}

int main(int argc, char **argv)
{
    struct cli c = { FORMAT_TEXT, 0, NULL, SANDBOX_NAMESPACES, 0, NULL, false, true };
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
    int status;
    if (strcmp(verb, "check") == 0)
        status = cmd_check(argc - 1, argv + 1, &c);
    else if (strcmp(verb, "list") == 0)
        status = cmd_list(argc - 1, argv + 1, &c);
    else if (strcmp(verb, "selftest") == 0)
        status = cmd_selftest(argc - 1, argv + 1, &c);
    else {
        fprintf(stderr, "sockgrade: unknown verb '%s'\n\n", verb);
        usage_exit(usage_main, 2);
    }
    free(c.data);
    return status;
}
