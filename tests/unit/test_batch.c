/* Tests of the batch's pure parts: the fingerprint (changes with a source, the spec of a
 * program handed in, the salt; not with a timestamp or another program's spec), --shard parsing and slicing, CSV quoting, the gradebook built from
 * native JSON reports, and merge. Grading itself is covered by tests/e2e/test_workflows.sh. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch/batch.h"
#include "batch/gradebook.h"
#include "report/report.h"
#include "result/result_json.h"
#include "util/util.h"

/* ---- fixtures --------------------------------------------------------------------------- */

static char root[64];

static void put(const char *rel, const char *text)
{
    char *path = xasprintf("%s/%s", root, rel), err[UTIL_ERRLEN];
    char *slash = strrchr(path, '/');
    *slash = '\0';
    char *cmd = xasprintf("mkdir -p '%s'", path);
    cr_assert_eq(system(cmd), 0);
    *slash = '/';
    cr_assert_eq(util_write_file_atomic(path, text, strlen(text), err, sizeof err), 0, "%s", err);
    free(cmd);
    free(path);
}

static char *at(const char *rel)
{
    return xasprintf("%s/%s", root, rel);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

static void setup_tree(void)
{
    snprintf(root, sizeof root, "/tmp/test_batch.XXXXXX");
    cr_assert_not_null(mkdtemp(root));
    put("class/kim/tcp_echocli.c", "int main(void) { return 0; }\n");
    put("class/kim/sub/notes.txt", "notes\n");
    put("assign/tcp_echocli/spec.json", "{\"program\": \"tcp_echocli\"}\n");
    put("assign/tcp_echoserv/spec.json", "{\"program\": \"tcp_echoserv\"}\n");
}

static void teardown_tree(void)
{
    nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static uint64_t fp_of(const char *student, const char *salt)
{
    char *dir = at(student), *assign = at("assign"), err[UTIL_ERRLEN];
    uint64_t h = 0;
    cr_assert_eq(batch_fingerprint(dir, assign, salt, &h, err, sizeof err), 0, "%s", err);
    free(dir);
    free(assign);
    return h;
}

/* ---- fingerprint ------------------------------------------------------------------------ */

TestSuite(fingerprint, .init = setup_tree, .fini = teardown_tree);

Test(fingerprint, stable_and_blind_to_timestamps)
{
    uint64_t a = fp_of("class/kim", "v1");
    char *src = at("class/kim/tcp_echocli.c");
    cr_assert_eq(utimensat(AT_FDCWD, src, NULL, 0), 0);
    cr_assert_eq(fp_of("class/kim", "v1"), a, "touching a file is no change");
    free(src);
}

Test(fingerprint, changes_with_a_source)
{
    uint64_t a = fp_of("class/kim", "v1");
    put("class/kim/tcp_echocli.c", "int main(void) { return 1; }\n");
    cr_assert_neq(fp_of("class/kim", "v1"), a);
}

Test(fingerprint, changes_with_a_file_in_a_subfolder_added_or_renamed)
{
    uint64_t a = fp_of("class/kim", "v1");
    put("class/kim/sub/more.c", "x");
    uint64_t b = fp_of("class/kim", "v1");
    cr_assert_neq(b, a);
    char *from = at("class/kim/sub/more.c"), *to = at("class/kim/sub/mora.c");
    cr_assert_eq(rename(from, to), 0);
    cr_assert_neq(fp_of("class/kim", "v1"), b, "same bytes under another name is a change");
    free(from);
    free(to);
}

Test(fingerprint, changes_with_the_spec_of_a_program_handed_in)
{
    uint64_t a = fp_of("class/kim", "v1");
    put("assign/tcp_echocli/spec.json", "{\"program\": \"tcp_echocli\", \"title\": \"x\"}\n");
    cr_assert_neq(fp_of("class/kim", "v1"), a);
}

Test(fingerprint, blind_to_the_spec_of_a_program_not_handed_in)
{
    uint64_t a = fp_of("class/kim", "v1");
    put("assign/tcp_echoserv/spec.json", "{\"program\": \"tcp_echoserv\", \"title\": \"x\"}\n");
    cr_assert_eq(fp_of("class/kim", "v1"), a, "kim has no tcp_echoserv.c: fixing its spec is cheap");
    put("class/kim/deeper/tcp_echoserv.c", "int main(void) { return 0; }\n");
    uint64_t b = fp_of("class/kim", "v1");
    put("assign/tcp_echoserv/spec.json", "{\"program\": \"tcp_echoserv\", \"title\": \"y\"}\n");
    cr_assert_neq(fp_of("class/kim", "v1"), b, "now kim has it");
}

Test(fingerprint, changes_with_a_new_assignment)
{
    uint64_t a = fp_of("class/kim", "v1");
    put("assign/udp_echocli/spec.json", "{}\n");
    cr_assert_neq(fp_of("class/kim", "v1"), a, "the report's missing programs changed");
}

Test(fingerprint, changes_with_the_salt_only)
{
    cr_assert_neq(fp_of("class/kim", "v1"), fp_of("class/kim", "v2"));
    put("elsewhere/unrelated.c", "x");
    put("assign/tcp_echocli/README.md", "a statement is not a spec\n");
    cr_assert_eq(fp_of("class/kim", "v1"), fp_of("class/kim", "v1"));
}

Test(fingerprint, fields_cannot_run_together)
{
    put("class/a/ab", "c");
    put("class/b/a", "bc");
    cr_assert_neq(fp_of("class/a", "s"), fp_of("class/b", "s"));
}

Test(fingerprint, a_fifo_is_not_opened, .timeout = 5)
{
    char *fifo = at("class/kim/pipe");
    cr_assert_eq(mkfifo(fifo, 0644), 0);
    fp_of("class/kim", "v1"); /* would block forever on open() */
    free(fifo);
}

Test(fingerprint, missing_folder_is_an_error)
{
    char *dir = at("class/nobody"), *assign = at("assign"), err[UTIL_ERRLEN];
    uint64_t h;
    cr_assert_eq(batch_fingerprint(dir, assign, "s", &h, err, sizeof err), -1);
    cr_assert(strstr(err, "nobody"), "%s", err);
    free(dir);
    free(assign);
}

Test(fingerprint, salt_names_the_grader)
{
    char *s = batch_salt("0.1.0", 42, "namespaces");
    cr_assert(strstr(s, "0.1.0") && strstr(s, "seed 42") && strstr(s, "namespaces"), "%s", s);
    char *t = batch_salt("0.1.0", 43, "namespaces");
    cr_assert_str_neq(s, t);
    free(s);
    free(t);
}

/* ---- shards and names ------------------------------------------------------------------- */

struct shard_case {
    char text[16];   /* an array, not a pointer: Criterion copies parameters into another process */
    int rc;
    unsigned k, n;
};

ParameterizedTestParameters(shard, parse)
{
    static struct shard_case cases[] = {
        { "1/1", 0, 1, 1 },  { "2/3", 0, 2, 3 },  { "3/3", 0, 3, 3 },  { "0/3", -1, 0, 0 },
        { "4/3", -1, 0, 0 }, { "1/0", -1, 0, 0 }, { "-1/3", -1, 0, 0 }, { " 1/3", -1, 0, 0 },
        { "1/3x", -1, 0, 0 }, { "1", -1, 0, 0 },  { "/3", -1, 0, 0 },  { "+1/3", -1, 0, 0 },
        { "", -1, 0, 0 },    { "1//3", -1, 0, 0 },
    };
    return cr_make_param_array(struct shard_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct shard_case *c, shard, parse)
{
    unsigned k = 0, n = 0;
    cr_assert_eq(batch_parse_shard(c->text, &k, &n), c->rc, "'%s'", c->text);
    if (c->rc == 0)
        cr_assert(k == c->k && n == c->n, "'%s' gave %u/%u", c->text, k, n);
}

Test(shard, slices_partition_the_class)
{
    for (unsigned n = 1; n <= 7; n++)
        for (size_t i = 0; i < 50; i++) {
            unsigned owners = 0;
            for (unsigned k = 1; k <= n; k++)
                owners += batch_in_shard(i, k, n);
            cr_assert_eq(owners, 1, "student %zu is in %u slices of %u", i, owners, n);
        }
    cr_assert(batch_in_shard(0, 1, 2) && batch_in_shard(1, 2, 2) && batch_in_shard(2, 1, 2));
    cr_assert(batch_in_shard(5, 0, 0), "no --shard: everyone");
}

Test(shard, student_name_is_the_folder_name)
{
    const char *cases[][2] = { { "class/kim", "kim" }, { "class/kim/", "kim" }, { "kim//", "kim" },
                               { "/a/b/이민수", "이민수" }, { "kim", "kim" } };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *name = batch_student_name(cases[i][0]);
        cr_assert_str_eq(name, cases[i][1], "%s", cases[i][0]);
        free(name);
    }
}

/* ---- CSV -------------------------------------------------------------------------------- */

Test(csv, rfc4180_quoting)
{
    const char *cases[][2] = {
        { "kim", "kim" },           { "", "" },
        { "a,b", "\"a,b\"" },       { "say \"hi\"", "\"say \"\"hi\"\"\"" },
        { "two\nlines", "\"two\nlines\"" }, { "cr\r", "\"cr\r\"" },
        { " padded", "\" padded\"" }, { "이민수", "이민수" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct strbuf sb;
        strbuf_init(&sb);
        gradebook_csv_field(&sb, cases[i][0]);
        cr_assert_str_eq(sb.data ? sb.data : "", cases[i][1], "field %zu", i);
        strbuf_release(&sb);
    }
}

/* A run with the given programs: name, score, max; a NULL name ends the list. */
static struct run_result *run_with(uint64_t seed, const char *const *names, const double *scores,
                                   const double *maxes, const char *missing)
{
    struct run_result *r = xcalloc(1, sizeof *r);
    r->seed = seed;
    r->grader_version = xstrdup("0.1.0");
    r->sandbox = xstrdup("namespaces");
    while (names[r->nprograms])
        r->nprograms++;
    r->programs = xcalloc(r->nprograms + 1, sizeof *r->programs);
    for (size_t i = 0; i < r->nprograms; i++) {
        r->programs[i].name = xstrdup(names[i]);
        r->programs[i].checks = xcalloc(1, sizeof *r->programs[i].checks);
        r->programs[i].nchecks = 1;
        r->programs[i].checks[0].id = xstrdup("c");
        r->programs[i].checks[0].score = scores[i];
        r->programs[i].checks[0].max_score = maxes[i];
        r->programs[i].checks[0].status = scores[i] == maxes[i] ? STATUS_PASSED : STATUS_FAILED;
    }
    r->missing = xcalloc(1, sizeof *r->missing);
    if (missing)
        r->missing[r->nmissing++] = xstrdup(missing);
    result_total(r);
    return r;
}

static void save(const char *rel, struct run_result *r)
{
    char *json = result_json_write(r);
    put(rel, json);
    free(json);
    result_run_free(r);
    free(r);
}

static char *read_at(const char *rel)
{
    char *path = at(rel), err[UTIL_ERRLEN];
    char *text = util_read_file(path, NULL, err, sizeof err);
    cr_assert_not_null(text, "%s", err);
    free(path);
    return text;
}

static const char *const both[] = { "tcp_echocli", "tcp_echoserv", NULL };
static const char *const cli[] = { "tcp_echocli", NULL };

TestSuite(gradebook, .init = setup_tree, .fini = teardown_tree);

Test(gradebook, rows_from_json_reports)
{
    save("out/lee.json", run_with(7, both, (double[]){ 6, 0.5 }, (double[]){ 6, 4 }, NULL));
    save("out/kim.json", run_with(7, cli, (double[]){ 0.1 + 0.2 }, (double[]){ 6 }, "tcp_echoserv"));
    save("out/=cmd.json", run_with(7, cli, (double[]){ 6 }, (double[]){ 6 }, "tcp_echoserv"));
    put("out/.kim.fingerprint", "0123\n");
    put("out/notes.txt", "not a report\n");
    put("out/broken.json", "{\"schema\": \"sockgrade-report/99\"}");
    struct gradebook gb;
    char *dir = at("out"), err[UTIL_ERRLEN];
    gradebook_init(&gb);
    cr_assert_eq(gradebook_load_dir(&gb, dir, err, sizeof err), 3, "broken.json is left out");
    char *csv = gradebook_csv(&gb);
    cr_assert_str_eq(csv, "student,tcp_echocli,tcp_echoserv,total,max,status,advisories\r\n"
                          "'=cmd,6,,6,10,lost_points,0\r\n"
                          "kim,0.3,,0.3,10,lost_points,0\r\n"
                          "lee,6,0.5,6.5,10,lost_points,0\r\n");
    cr_assert_str_eq(gradebook_find(&gb, "lee")->status, "failed");
    cr_assert_null(gradebook_find(&gb, "broken"));
    free(csv);
    gradebook_free(&gb);
    free(dir);
}

Test(gradebook, a_grader_error_is_a_row_with_status_error)
{
    struct run_result r;
    memset(&r, 0, sizeof r);
    r.error = xstrdup("the worker grading this student was killed by signal 9");
    struct gradebook gb;
    gradebook_init(&gb);
    gradebook_put(&gb, "park", &r);
    char *csv = gradebook_csv(&gb);
    cr_assert_str_eq(csv, "student,total,max,status,advisories\r\npark,0,0,error,0\r\n");
    struct run_result *ok = run_with(1, cli, (double[]){ 6 }, (double[]){ 6 }, NULL);
    gradebook_put(&gb, "park", ok); /* a regrade replaces the row */
    cr_assert_eq(gb.nrows, 1);
    cr_assert_str_eq(gb.rows[0].status, "passed");
    result_run_free(ok);
    free(ok);
    result_run_free(&r);
    free(csv);
    gradebook_free(&gb);
}

Test(gradebook, written_atomically_and_read_by_merge)
{
    save("s1/kim.json", run_with(5, cli, (double[]){ 6 }, (double[]){ 6 }, "tcp_echoserv"));
    save("s2/lee.json", run_with(5, both, (double[]){ 6, 4 }, (double[]){ 6, 4 }, NULL));
    save("s2/kim.json", run_with(5, cli, (double[]){ 2 }, (double[]){ 6 }, "tcp_echoserv"));
    put("s2/.lee.fingerprint", "00000000000000ff\n");
    put("s1/.seed", "5\n");
    char *s1 = at("s1"), *s2 = at("s2"), *out = at("all"), err[UTIL_ERRLEN];
    const char *dirs[] = { s1, s2 };
    cr_assert_eq(batch_merge(dirs, 2, out, NULL, NULL, err, sizeof err), 0, "%s", err);
    char *csv = read_at("all/gradebook.csv");
    cr_assert_str_eq(csv, "student,tcp_echocli,tcp_echoserv,total,max,status,advisories\r\n"
                          "kim,2,,2,10,lost_points,0\r\n"   /* the later folder's report wins */
                          "lee,6,4,10,10,full_marks,0\r\n");
    char *fp = read_at("all/.lee.fingerprint"), *seed = read_at("all/.seed");
    cr_assert_str_eq(fp, "00000000000000ff\n");
    cr_assert_str_eq(seed, "5\n");
    cr_assert_eq(batch_merge(dirs, 1, s1, NULL, NULL, err, sizeof err), 0, "%s", err);
    char *alone = read_at("s1/gradebook.csv");
    cr_assert_str_eq(alone, "student,tcp_echocli,tcp_echoserv,total,max,status,advisories\r\n"
                            "kim,6,,6,6,full_marks,0\r\n", "merging one folder rebuilds its gradebook");
    free(alone);
    free(fp);
    free(seed);
    free(csv);
    free(s1);
    free(s2);
    free(out);
}

Test(gradebook, merge_refuses_a_folder_batch_did_not_write)
{
    put("notes/readme.txt", "not a batch folder\n");
    char *notes = at("notes"), *out = at("out3"), err[UTIL_ERRLEN];
    const char *dirs[] = { notes };
    cr_assert_eq(batch_merge(dirs, 1, out, NULL, NULL, err, sizeof err), -1);
    cr_assert(strstr(err, "is not a folder written by 'sockgrade batch'"), "%s", err);
    free(notes);
    free(out);
}

Test(gradebook, robustness_failures_are_advisories_and_cost_no_full_marks)
{
    struct run_result *r = run_with(1, cli, (double[]){ 6 }, (double[]){ 6 }, NULL);
    r->programs[0].checks = xrealloc(r->programs[0].checks, (r->programs[0].nchecks + 1) * sizeof *r->programs[0].checks);
    struct check_result *c = &r->programs[0].checks[r->programs[0].nchecks++];
    memset(c, 0, sizeof *c);
    c->id = xstrdup("exit_status");
    c->level = LEVEL_ROBUSTNESS;
    c->status = STATUS_FAILED;
    struct gradebook gb;
    gradebook_init(&gb);
    gradebook_put(&gb, "kim", r);
    char *csv = gradebook_csv(&gb);
    cr_assert_str_eq(csv, "student,tcp_echocli,total,max,status,advisories\r\nkim,6,6,6,full_marks,1\r\n");
    free(csv);
    gradebook_free(&gb);
    result_run_free(r);
    free(r);
}

Test(gradebook, merge_of_a_missing_folder_fails)
{
    char *nowhere = at("nowhere"), *out = at("out2"), err[UTIL_ERRLEN];
    const char *dirs[] = { nowhere };
    cr_assert_eq(batch_merge(dirs, 1, out, NULL, NULL, err, sizeof err), -1);
    cr_assert(strstr(err, "nowhere"), "%s", err);
    free(nowhere);
    free(out);
}
