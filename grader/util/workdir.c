/* workdir: making and removing the grader's scratch folders. */
#include "workdir.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

char *util_workdir_make(const char *prefix, char *err, size_t errlen)
{
    const char *tmp = getenv("TMPDIR");
    const char *parent = tmp && *tmp ? tmp : "/tmp";
    char *dir = xasprintf("%s/%s.XXXXXX", parent, prefix);
    if (mkdtemp(dir))
        return dir;
    util_err(err, errlen, "cannot create a work folder in %s: %s", parent, strerror(errno));
    free(dir);
    return NULL;
}

/* An entry that cannot be removed is left: the folder it is in then stays too, which costs
 * only space in $TMPDIR, never the grading. */
static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

void util_tree_remove(const char *path)
{
    if (path)
        nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
