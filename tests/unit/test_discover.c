/* Tests of discover: lecture programs are found in a submission folder by exact file name;
 * near misses are listed, not graded; links are never followed; a file too deep or two files
 * for one program stop the submission with both named. Each test builds its own folder. */
#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grade/discover.h"
#include "util/util.h"

static char root[PATH_MAX];
static struct discovery D;
static char *const programs[] = { (char *)"get_host_byaddr", (char *)"tcp_echocli",
                                  (char *)"tcp_echoserv" };
#define NPROGRAMS (sizeof programs / sizeof programs[0])

static void folder_make(void)
{
    char tmpl[] = "/tmp/sockgrade-discover-XXXXXX";
    cr_assert_not_null(mkdtemp(tmpl));
    cr_assert_not_null(realpath(tmpl, root)); /* discover names files by their real path */
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void folder_remove(void)
{
    discovery_free(&D);
    nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Creates root/rel and the folders above it. */
static void file_make(const char *rel)
{
    char *path = xasprintf("%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        cr_assert(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s", path);
        *p = '/';
    }
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs("int main(void) { return 0; }\n", f);
    fclose(f);
    free(path);
}

static int run_discover(const char *rel, char *err)
{
    char *path = rel ? xasprintf("%s/%s", root, rel) : xstrdup(root);
    const char *paths[] = { path };
    int rc = discover(paths, 1, programs, NPROGRAMS, &D, err, UTIL_ERRLEN);
    free(path);
    return rc;
}

TestSuite(discover, .init = folder_make, .fini = folder_remove);

Test(discover, exact_names_anywhere_within_reach)
{
    char err[UTIL_ERRLEN];
    file_make("tcp_echocli.c");
    file_make("server/tcp_echoserv.c");
    file_make("notes.txt");
    cr_assert_eq(run_discover(NULL, err), 0, "%s", err);
    cr_assert_eq(D.nfound, 2);
    cr_assert_str_eq(D.found[0].program, "tcp_echocli");
    cr_assert_str_eq(D.found[0].relpath, "tcp_echocli.c");
    cr_assert_str_eq(D.found[1].program, "tcp_echoserv");
    cr_assert_str_eq(D.found[1].relpath, "server/tcp_echoserv.c");
    char *abs = xasprintf("%s/server/tcp_echoserv.c", root);
    cr_assert_str_eq(D.found[1].path, abs);
    free(abs);
    cr_assert_eq(D.nnear, 0);
}

Test(discover, one_file_given_by_path)
{
    char err[UTIL_ERRLEN];
    file_make("hw/tcp_echocli.c");
    cr_assert_eq(run_discover("hw/tcp_echocli.c", err), 0, "%s", err);
    cr_assert_eq(D.nfound, 1);
    cr_assert_str_eq(D.found[0].relpath, "tcp_echocli.c");
}

Test(discover, near_misses_are_listed_not_graded)
{
    char err[UTIL_ERRLEN];
    file_make("get_hostbyaddr.c");   /* punctuation */
    file_make("Tcp_EchoCli.c");      /* case */
    file_make("tcp_echo_server.c");  /* the name extended */
    file_make("udp_echocli.c");      /* two changes: another program, not a typo */
    cr_assert_eq(run_discover(NULL, err), 0, "%s", err);
    cr_assert_eq(D.nfound, 0);
    cr_assert_eq(D.nnear, 3);
    const char *files[] = { "Tcp_EchoCli.c", "get_hostbyaddr.c", "tcp_echo_server.c" };
    const char *near[] = { "tcp_echocli", "get_host_byaddr", "tcp_echoserv" };
    for (size_t i = 0; i < 3; i++) {
        char *path = xasprintf("%s/%s", root, files[i]);
        cr_assert_str_eq(D.near_files[i], path);
        cr_assert_str_eq(D.near_programs[i], near[i]);
        free(path);
    }
}

Test(discover, links_are_never_followed)
{
    char err[UTIL_ERRLEN];
    file_make("elsewhere/tcp_echocli.c");
    file_make("elsewhere/deep/tcp_echoserv.c");
    file_make("sub/readme.txt");
    char *file_link = xasprintf("%s/sub/tcp_echocli.c", root);
    char *dir_link = xasprintf("%s/sub/solutions", root);
    char *target = xasprintf("%s/elsewhere", root);
    char *file_target = xasprintf("%s/elsewhere/tcp_echocli.c", root);
    cr_assert_eq(symlink(file_target, file_link), 0);
    cr_assert_eq(symlink(target, dir_link), 0);
    cr_assert_eq(run_discover("sub", err), 0, "%s", err);
    cr_assert_eq(D.nfound, 0, "found %s", D.nfound ? D.found[0].path : "");
    cr_assert_eq(D.nnear, 0);
    free(file_link);
    free(dir_link);
    free(target);
    free(file_target);
}

Test(discover, four_folders_deep_is_found)
{
    char err[UTIL_ERRLEN];
    file_make("a/b/c/d/tcp_echocli.c");
    cr_assert_eq(run_discover(NULL, err), 0, "%s", err);
    cr_assert_eq(D.nfound, 1);
    cr_assert_str_eq(D.found[0].relpath, "a/b/c/d/tcp_echocli.c");
}

Test(discover, five_folders_deep_stops_the_submission)
{
    char err[UTIL_ERRLEN];
    file_make("a/b/c/d/e/tcp_echocli.c");
    file_make("a/b/c/d/e/tcp_echo_server.c"); /* too deep to be a near miss either */
    cr_assert_eq(run_discover(NULL, err), -1);
    char *want = xasprintf("%s/a/b/c/d/e/tcp_echocli.c is more than 4 folders deep, below where "
                           "sockgrade looks: move it up", root);
    cr_assert_str_eq(err, want);
    free(want);
    cr_assert_eq(D.nfound, 0);
}

Test(discover, two_files_for_one_program)
{
    char err[UTIL_ERRLEN];
    file_make("tcp_echocli.c");
    file_make("old/tcp_echocli.c");
    cr_assert_eq(run_discover(NULL, err), -1);
    char *want = xasprintf("two files for tcp_echocli: %s/tcp_echocli.c and "
                           "%s/old/tcp_echocli.c; keep one", root, root);
    cr_assert_str_eq(err, want);
    free(want);
}

Test(discover, hidden_files_are_not_looked_at)
{
    char err[UTIL_ERRLEN];
    file_make(".tcp_echocli.c");
    file_make(".git/tcp_echoserv.c");
    cr_assert_eq(run_discover(NULL, err), 0, "%s", err);
    cr_assert_eq(D.nfound, 0);
    cr_assert_eq(D.nnear, 0);
}

Test(discover, a_path_that_is_not_there)
{
    char err[UTIL_ERRLEN];
    cr_assert_eq(run_discover("missing", err), -1);
    char *want = xasprintf("%s/missing: No such file or directory", root);
    cr_assert_str_eq(err, want);
    free(want);
}

/* An assignments folder: one spec per program folder. */
static void spec_make(const char *folder, const char *program)
{
    char *rel = xasprintf("%s/spec.json", folder);
    file_make(rel);
    char *path = xasprintf("%s/%s", root, rel);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "{\"schema\": \"sockgrade-spec/1\", \"program\": \"%s\", \"title\": \"t\", "
               "\"checks\": [{\"id\": \"c\", \"description\": \"d\", \"kind\": \"run\", "
               "\"expect\": [{\"what\": \"ends\"}]}]}", program);
    fclose(f);
    free(path);
    free(rel);
}

Test(discover, programs_are_the_folders_with_a_spec)
{
    char err[UTIL_ERRLEN];
    char **names;
    size_t n;
    spec_make("tcp_echoserv", "tcp_echoserv");
    spec_make("byte_order", "byte_order");
    file_make("drafts/notes.txt");
    cr_assert_eq(discover_programs(root, &names, &n, err, sizeof err), 0, "%s", err);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(names[0], "byte_order");
    cr_assert_str_eq(names[1], "tcp_echoserv");
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

Test(discover, validate_names_every_broken_folder)
{
    char err[UTIL_ERRLEN];
    char *report;
    spec_make("byte_order", "byte_order");
    spec_make("ascii_ip", "ascii_ipv4");
    file_make("drafts/notes.txt");
    cr_assert_eq(discover_validate(root, &report, err, sizeof err), 2, "%s", report);
    char *want = xasprintf("%s/ascii_ip/spec.json: $.program: \"ascii_ipv4\", but the folder is "
                           "ascii_ip\n%s/drafts: a folder without spec.json\n", root, root);
    cr_assert_str_eq(report, want);
    free(want);
    free(report);
}
