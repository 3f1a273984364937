/* grade_trace: where a run's time goes, for `make bench` and anyone profiling (grade_int.h).
 * Off unless SOCKGRADE_TRACE names a file; appended to, so a batch's students share one. */
#include <stdlib.h>

#include "grade_int.h"
#include "util/util.h"

void trace_open(struct grading *g)
{
    const char *path = getenv("SOCKGRADE_TRACE");
    g->trace = path && *path ? fopen(path, "ae") : NULL;
    if (g->trace)
        setvbuf(g->trace, NULL, _IOLBF, 0); /* whole lines, readable while the run goes on */
}

void trace_task(struct grading *g, const struct task *t, const struct pool_job *job)
{
    if (!g->trace)
        return;
    const struct spec *sp = g->specs[t->prog];
    const char *kind = t->is_build ? "build"
                                   : sp->checks[t->check].memcheck ? "memcheck" : "check";
    /* Monotonic clock times, so a caller can set them against its own (make bench: how long
     * after the build ended its line was on screen). */
    fprintf(g->trace, "%lld %lld %lld %s %s %s\n", (long long)job->started,
            (long long)util_now_ms(), (long long)job->cpu_us / 1000, kind, sp->program,
            t->is_build ? "-" : sp->checks[t->check].id);
}

void trace_close(struct grading *g)
{
    if (g->trace)
        fclose(g->trace);
    g->trace = NULL;
}
