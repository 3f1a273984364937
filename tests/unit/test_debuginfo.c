/* Tests of debuginfo: the loader's debug file it names is the one binutils names, and the
 * sandbox shows only that file under /usr/lib/debug while Valgrind still starts there. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sandbox/debuginfo.h"

/* The loader's build id as readelf prints it: an oracle independent of our ELF walking. The
 * loader is the one /bin/sh names (not /proc/self/exe, which is Valgrind's own under memcheck). */
static void readelf_loader_id(char *id, size_t len)
{
    const char *cmd =
        "interp=$(readelf -l /bin/sh | sed -n 's/.*interpreter: \\(.*\\)]/\\1/p'); "
        "readelf -n \"$interp\" | sed -n 's/.*Build ID: *//p'";
    FILE *f = popen(cmd, "r");
    cr_assert_not_null(f);
    cr_assert_not_null(fgets(id, (int)len, f), "readelf printed no build id");
    id[strcspn(id, "\n")] = '\0';
    pclose(f);
}

Test(debuginfo, names_the_loaders_build_id_file)
{
    char path[512], id[256], want[600];
    cr_assert_eq(debuginfo_loader_file(path, sizeof path), 0,
                 "no loader debug file (Valgrind on Debian depends on libc6-dbg)");
    readelf_loader_id(id, sizeof id);
    cr_assert_geq(strlen(id), 8);
    snprintf(want, sizeof want, "/usr/lib/debug/.build-id/%.2s/%s.debug", id, id + 2);
    cr_assert_str_eq(path, want);
    cr_assert_eq(access(path, R_OK), 0);
}

Test(debuginfo, too_small_a_buffer_is_an_error)
{
    char path[16];
    cr_assert_eq(debuginfo_loader_file(path, sizeof path), -1);
}
