/* build: compiles one lecture program in the sandbox with fixed flags, keeping the compiler's
 * words. The one binary serves the ordinary checks and the memcheck checks alike. Like
 * checks, it runs in a runner process of its own (sandbox_enter changes it). */
#ifndef SOCKGRADE_BUILD_H
#define SOCKGRADE_BUILD_H

#include <stdbool.h>

#include "result/result.h"
#include "sandbox/sandbox.h"

struct build_request {
    const char *source;     /* host path of the .c file */
    const char *program;    /* lecture program name: the binary's name */
    const char *outdir;     /* host folder that receives the binary */
    const char *workdir;    /* a private, empty folder for the sandbox */
    enum sandbox_mode mode;
};

void build_execute(const struct build_request *req, struct build_result *out);

/* Once, before grading (runners inherit the answer): is Valgrind installed. note gets what an
 * instructor should hear once ("" when nothing); -1 when there is no compiler at all. */
int build_probe_tools(char *note, size_t len);
/* false when Valgrind is missing: memcheck checks are then skipped and not counted. */
bool build_have_valgrind(void);
/* The compiler and Valgrind this grader builds and checks with, as one line that changes when
 * either is upgraded (their files' identity) or Valgrind comes or goes: a kept result is
 * only reused with the same tools (grade/cache.h). Caller frees. */
char *build_tools_identity(void);

#endif
