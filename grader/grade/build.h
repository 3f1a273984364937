/* build: compiles one lecture program in the sandbox with fixed flags, keeping the compiler's
 * words. Like checks, it runs in a runner process of its own (sandbox_enter changes it). */
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
    bool valgrind_copy;     /* build <program>.vg for memcheck checks instead of <program> */
};

void build_execute(const struct build_request *req, struct build_result *out);

/* Once, before grading (runners inherit the answer): does the compiler take
 * -ftrivial-auto-var-init=zero (else the build zeroes main's stack another way), and is
 * Valgrind installed. note gets what an instructor should hear once ("" when nothing); -1 when
 * there is no compiler at all. */
int build_probe_tools(char *note, size_t len);
/* The same, keeping the compiler's answer in the file memo (with the compiler's identity, so a
 * new compiler is asked again): a re-check need not run the compiler to know. */
int build_probe_tools_kept(const char *memo, char *note, size_t len);
/* false when Valgrind is missing: memcheck checks are then skipped and not counted. */
bool build_have_valgrind(void);
/* The compiler and Valgrind this grader builds and checks with, as one line that changes when
 * either is upgraded (their files' identity) or the probe's answers change: a kept result is
 * only reused with the same tools (grade/cache.h). Caller frees. */
char *build_tools_identity(void);

#endif
