/* watch: `sockgrade check --watch [PATH]`. Grades the folder once and prints the report, then
 * waits (inotify) for a lecture program's file to be saved, in place or by rename as many
 * editors do, and grades that program again, printing each result the moment it is known: the
 * build's verdict (with the compiler's words when it fails), then each check as it finishes, the
 * memcheck checks last. Ctrl-C (SIGINT, also SIGTERM or SIGHUP) ends it. */
#ifndef SOCKGRADE_WATCH_H
#define SOCKGRADE_WATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "grade/grade.h"

/* Runs until a stopping signal: 0, or -1 with err when watching cannot start or go on. */
int watch_run(const char *path, const struct grade_options *go, bool color, char *err,
              size_t errlen);

#endif
