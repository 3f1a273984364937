/* util: writing a report file. A path that is no regular file is written in place: as root, a
 * rename over `-o /dev/null` once replaced the machine's /dev/null with a regular file. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

Test(util_write_file_atomic, a_fifo_is_written_in_place_not_replaced)
{
    char dir[] = "/tmp/sockgrade-util.XXXXXX", err[UTIL_ERRLEN] = "";
    cr_assert_not_null(mkdtemp(dir));
    char *fifo = xasprintf("%s/out", dir);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    int rd = open(fifo, O_RDONLY | O_NONBLOCK); /* a reader, so the writer does not block */
    cr_assert_geq(rd, 0);
    cr_assert_eq(util_write_file_atomic(fifo, "report\n", 7, err, sizeof err), 0, "%s", err);
    struct stat st;
    cr_assert_eq(lstat(fifo, &st), 0);
    cr_assert(S_ISFIFO(st.st_mode), "the FIFO was replaced by a file");
    char buf[16] = "";
    cr_assert_eq(read(rd, buf, sizeof buf - 1), 7);
    cr_assert_str_eq(buf, "report\n");
    close(rd);
    unlink(fifo);
    rmdir(dir);
    free(fifo);
}

Test(util_write_file_atomic, a_folder_is_refused)
{
    char dir[] = "/tmp/sockgrade-util.XXXXXX", err[UTIL_ERRLEN] = "";
    cr_assert_not_null(mkdtemp(dir));
    cr_assert_eq(util_write_file_atomic(dir, "x", 1, err, sizeof err), -1);
    cr_assert(strstr(err, "is a folder"), "%s", err);
    rmdir(dir);
}

Test(util_write_file_atomic, a_regular_file_is_replaced_whole)
{
    char dir[] = "/tmp/sockgrade-util.XXXXXX", err[UTIL_ERRLEN] = "";
    cr_assert_not_null(mkdtemp(dir));
    char *path = xasprintf("%s/r.json", dir);
    cr_assert_eq(util_write_file_atomic(path, "a long first version\n", 21, err, sizeof err), 0);
    cr_assert_eq(util_write_file_atomic(path, "v2\n", 3, err, sizeof err), 0);
    size_t len = 0;
    char *back = util_read_file(path, &len, err, sizeof err);
    cr_assert_str_eq(back, "v2\n");
    free(back);
    unlink(path);
    rmdir(dir);
    free(path);
}

Test(util_mkdirs, makes_each_missing_folder_with_its_mode)
{
    char dir[] = "/tmp/sockgrade-util.XXXXXX", err[UTIL_ERRLEN] = "";
    cr_assert_not_null(mkdtemp(dir));
    char *deep = xasprintf("%s/a/b/c", dir), *mid = xasprintf("%s/a/b", dir);
    cr_assert_eq(util_mkdirs(deep, 0700, err, sizeof err), 0, "%s", err);
    cr_assert_eq(util_mkdirs(deep, 0700, err, sizeof err), 0, "%s", err); /* already there */
    struct stat st;
    cr_assert_eq(stat(mid, &st), 0);
    cr_assert(S_ISDIR(st.st_mode));
    cr_assert_eq(st.st_mode & 0777, 0700);
    cr_assert_eq(stat(deep, &st), 0);
    rmdir(deep);
    rmdir(mid);
    free(mid);
    mid = xasprintf("%s/a", dir);
    rmdir(mid);
    rmdir(dir);
    free(mid);
    free(deep);
}

Test(util_mkdirs, a_file_in_the_way_is_named)
{
    char dir[] = "/tmp/sockgrade-util.XXXXXX", err[UTIL_ERRLEN] = "";
    cr_assert_not_null(mkdtemp(dir));
    char *file = xasprintf("%s/f", dir), *below = xasprintf("%s/f/g", dir);
    cr_assert_eq(util_write_file_atomic(file, "x", 1, err, sizeof err), 0);
    cr_assert_eq(util_mkdirs(below, 0755, err, sizeof err), -1);
    char *want = xasprintf("cannot create %s: ", below);
    cr_assert(strncmp(err, want, strlen(want)) == 0, "%s", err);
    unlink(file);
    rmdir(dir);
    free(want);
    free(file);
    free(below);
}

Test(util_rusage_us, user_and_system_time_together)
{
    struct rusage ru = { .ru_utime = { 2, 250000 }, .ru_stime = { 1, 999999 } };
    cr_assert_eq(util_rusage_us(&ru), 4249999);
}
