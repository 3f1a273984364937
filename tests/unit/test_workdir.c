/* Tests of the work-folder helpers (util/workdir.c) that grade.c, batch.c and the sandbox
 * probe share: a folder under $TMPDIR, else /tmp, an error naming where, and a tree removed
 * without following a symbolic link out of it. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"
#include "util/workdir.h"

static char base[64];

static void setup(void)
{
    snprintf(base, sizeof base, "/tmp/test_workdir.XXXXXX");
    cr_assert_not_null(mkdtemp(base));
}

static void teardown(void)
{
    util_tree_remove(base);
}

TestSuite(workdir, .init = setup, .fini = teardown);

static void touch(const char *path)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs("x\n", f);
    fclose(f);
}

Test(workdir, made_under_tmpdir_private_to_the_grader)
{
    char err[UTIL_ERRLEN], *prefix = xasprintf("%s/sockgrade.", base);
    struct stat st;
    setenv("TMPDIR", base, 1);
    char *dir = util_workdir_make("sockgrade", err, sizeof err);
    cr_assert_not_null(dir, "%s", err);
    cr_assert_eq(strncmp(dir, prefix, strlen(prefix)), 0, "%s", dir);
    cr_assert_eq(stat(dir, &st), 0);
    cr_assert(S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700, "mode %o", st.st_mode & 0777);
    free(dir);
    free(prefix);
}

Test(workdir, without_tmpdir_under_tmp)
{
    char err[UTIL_ERRLEN];
    setenv("TMPDIR", "", 1);
    char *dir = util_workdir_make("sockgrade-test", err, sizeof err);
    cr_assert_not_null(dir, "%s", err);
    cr_assert_eq(strncmp(dir, "/tmp/sockgrade-test.", 20), 0, "%s", dir);
    util_tree_remove(dir);
    cr_assert_eq(access(dir, F_OK), -1);
    free(dir);
}

Test(workdir, an_error_names_the_folder)
{
    char err[UTIL_ERRLEN], *missing = xasprintf("%s/no/such", base);
    setenv("TMPDIR", missing, 1);
    cr_assert_null(util_workdir_make("sockgrade", err, sizeof err));
    cr_assert_not_null(strstr(err, "cannot create a work folder in "), "%s", err);
    cr_assert_not_null(strstr(err, missing), "%s", err);
    free(missing);
}

Test(workdir, a_tree_is_removed_but_not_what_a_link_points_to)
{
    char *tree = xasprintf("%s/tree", base), *keep = xasprintf("%s/keep", base);
    char *deep = xasprintf("%s/a/b", tree), *file = xasprintf("%s/a/b/f", tree);
    char *kept = xasprintf("%s/precious", keep), *link = xasprintf("%s/a/link", tree);
    char *cmd = xasprintf("mkdir -p '%s' '%s'", deep, keep);
    cr_assert_eq(system(cmd), 0);
    touch(file);
    touch(kept);
    cr_assert_eq(symlink(keep, link), 0);
    util_tree_remove(tree);
    cr_assert_eq(access(tree, F_OK), -1);
    cr_assert_eq(access(kept, F_OK), 0, "the link's target survives");
    free(tree), free(keep), free(deep), free(file), free(kept), free(link), free(cmd);
}
