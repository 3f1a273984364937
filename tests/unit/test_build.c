/* Tests of build: a lecture program is compiled in the sandbox with the fixed flags; the
 * command shown to the student, the compiler's words (capped), a failed build and the Valgrind
 * copy. Each build runs in a child process, since entering the sandbox changes a process for
 * good. */
#include <criterion/criterion.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "grade/build.h"
#include "util/util.h"

static char root[PATH_MAX];

/* What a build in the child reported. */
static struct built {
    int status;
    char *command;
    char *diagnostics;
} B;

static void folders_make(void)
{
    char tmpl[] = "/tmp/sockgrade-build-XXXXXX";
    cr_assert_not_null(mkdtemp(tmpl));
    cr_assert_not_null(realpath(tmpl, root));
    const char *sub[] = { "src", "out", "work" };
    for (size_t i = 0; i < 3; i++) {
        char *p = xasprintf("%s/%s", root, sub[i]);
        cr_assert_eq(mkdir(p, 0755), 0);
        free(p);
    }
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void folders_remove(void)
{
    free(B.command);
    free(B.diagnostics);
    nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void source_write(const char *name, const char *text)
{
    char *path = xasprintf("%s/src/%s", root, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
    free(path);
}

static bool out_exists(const char *name)
{
    char *path = xasprintf("%s/out/%s", root, name);
    bool there = access(path, X_OK) == 0;
    free(path);
    return there;
}

/* Builds src/p.c in a child; its result comes back on a pipe as status, command, diagnostics. */
static void build(bool valgrind_copy)
{
    int p[2];
    cr_assert_eq(pipe(p), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        char *src = xasprintf("%s/src/p.c", root), *out = xasprintf("%s/out", root);
        char *work = xasprintf("%s/work", root);
        struct build_request req = { .source = src, .program = "p", .outdir = out,
                                     .workdir = work, .mode = SANDBOX_NAMESPACES,
                                     .valgrind_copy = valgrind_copy };
        struct build_result b;
        build_execute(&req, &b);
        int st = (int)b.status;
        (void)!write(p[1], &st, sizeof st);
        (void)!write(p[1], b.command, strlen(b.command) + 1);
        (void)!write(p[1], b.diagnostics, strlen(b.diagnostics) + 1);
        _exit(0);
    }
    close(p[1]);
    struct strbuf sb;
    strbuf_init(&sb);
    util_read_all(p[0], &sb, 1 << 20);
    close(p[0]);
    int wst;
    cr_assert_eq(waitpid(pid, &wst, 0), pid);
    cr_assert(sb.len > sizeof B.status, "the child reported nothing");
    memcpy(&B.status, sb.data, sizeof B.status);
    B.command = xstrdup(sb.data + sizeof B.status);
    B.diagnostics = xstrdup(sb.data + sizeof B.status + strlen(B.command) + 1);
    strbuf_release(&sb);
}

TestSuite(build, .init = folders_make, .fini = folders_remove, .timeout = 60);

Test(build, a_correct_program)
{
    source_write("p.c", "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n");
    build(false);
    cr_assert_eq(B.status, BUILD_OK, "%s", B.diagnostics);
    cr_assert_str_eq(B.command, "gcc -std=gnu11 -O0 -Wall -Wextra -ftrivial-auto-var-init=zero "
                                "-I/src -o /out/p /src/p.c -lm");
    cr_assert_str_eq(B.diagnostics, "");
    cr_assert(out_exists("p"));
}

Test(build, warnings_are_kept_and_do_not_fail)
{
    source_write("p.c", "int main(void) { int unused; return 0; }\n");
    build(false);
    cr_assert_eq(B.status, BUILD_OK, "%s", B.diagnostics);
    cr_assert_not_null(strstr(B.diagnostics, "/src/p.c:1:22: warning: unused variable"),
                       "%s", B.diagnostics);
}

Test(build, a_header_beside_the_source)
{
    source_write("unp.h", "#define MAXLINE 127\n");
    source_write("p.c", "#include \"unp.h\"\nint main(void) { return MAXLINE - 127; }\n");
    build(false);
    cr_assert_eq(B.status, BUILD_OK, "%s", B.diagnostics);
}

Test(build, a_failed_build_says_why)
{
    source_write("p.c", "int main(void) { return x; }\n");
    build(false);
    cr_assert_eq(B.status, BUILD_FAILED);
    cr_assert_not_null(strstr(B.diagnostics, "/src/p.c:1:25: error: ‘x’ undeclared"),
                       "%s", B.diagnostics);
    cr_assert_not(out_exists("p"));
}

Test(build, the_compilers_words_are_capped)
{
    /* Every line is an error of its own: far more words than a report holds. */
    struct strbuf src;
    strbuf_init(&src);
    strbuf_addstr(&src, "int main(void)\n{\n");
    for (int i = 0; i < 400; i++)
        strbuf_addf(&src, "    undeclared_%d = %d;\n", i, i);
    strbuf_addstr(&src, "}\n");
    source_write("p.c", src.data);
    strbuf_release(&src);
    build(false);
    cr_assert_eq(B.status, BUILD_FAILED);
    const char *more = strstr(B.diagnostics, "…[");
    cr_assert_not_null(more, "not capped: %zu bytes", strlen(B.diagnostics));
    cr_assert_leq((size_t)(more - B.diagnostics), (size_t)RESULT_TEXT_CAP * 4);
    cr_assert_not_null(strstr(more, " bytes more]"), "%s", more);
    const char *first = "/src/p.c: In function ‘main’:\n";
    cr_assert(strncmp(B.diagnostics, first, strlen(first)) == 0, "%s", B.diagnostics);
}

Test(build, the_valgrind_copy)
{
    source_write("p.c", "int main(void) { return 0; }\n");
    build(true);
    cr_assert_eq(B.status, BUILD_OK, "%s", B.diagnostics);
    cr_assert_str_eq(B.command, "gcc -std=gnu11 -O0 -Wall -Wextra -g -I/src -o /out/p.vg "
                                "/src/p.c -lm");
    cr_assert(out_exists("p.vg"));
    cr_assert_not(out_exists("p"));
}

Test(build, the_tools_are_probed)
{
    char note[256];
    cr_assert_eq(build_probe_tools(note, sizeof note), 0, "%s", note);
    cr_assert_eq(build_have_valgrind(), access("/usr/bin/valgrind", X_OK) == 0);
    cr_assert_str_eq(note, build_have_valgrind() ? ""
                                                 : "/usr/bin/valgrind is not installed: the "
                                                   "memcheck checks are skipped and not counted "
                                                   "(install valgrind to run them)");
}
