/* proctree: the processes below one process, read from /proc, so the grader can observe
 * what a server left behind (children still running, zombies nobody reaped). */
#ifndef SOCKGRADE_PROCTREE_H
#define SOCKGRADE_PROCTREE_H

#include <stddef.h>
#include <sys/types.h>

/* Counts the descendants of root that are at least min_depth levels below it (root's
 * children are at depth 1): those still alive and those that are zombies. Returns 0, or -1
 * when /proc cannot be read. */
int proctree_count(pid_t root, int min_depth, size_t *live, size_t *zombies);

#endif
