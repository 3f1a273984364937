/* Tests of build: a lecture program is compiled in the sandbox with the fixed flags; the
 * command shown to the student, the compiler's words (capped), a failed build, and the one
 * binary serving both kinds of check: main's locals start at zero when it runs, yet Memcheck
 * still sees them uninitialised and names their lines. Each build runs in a child process,
 * since entering the sandbox changes a process for good. */
#include <criterion/criterion.h>
#include <fcntl.h>
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
static void build(void)
{
    int p[2];
    cr_assert_eq(pipe(p), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        char *src = xasprintf("%s/src/p.c", root), *out = xasprintf("%s/out", root);
        char *work = xasprintf("%s/work", root);
        struct build_request req = { .source = src, .program = "p", .outdir = out,
                                     .workdir = work, .mode = SANDBOX_NAMESPACES };
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
    build();
    cr_assert_eq(B.status, BUILD_OK, "%s", B.diagnostics);
    cr_assert_str_eq(B.command, "gcc -std=gnu11 -O0 -Wall -Wextra -g -include "
                                "/out/.sockgrade_zero_stack.h -Wl,--wrap=main -I/src -o /out/p "
                                "/src/p.c -lm");
    cr_assert_str_eq(B.diagnostics, "");
    cr_assert(out_exists("p"));
}

Test(build, warnings_are_kept_and_do_not_fail)
{
    source_write("p.c", "int main(void) { int unused; return 0; }\n");
    build();
    cr_assert_eq(B.status, BUILD_OK, "%s", B.diagnostics);
    cr_assert_not_null(strstr(B.diagnostics, "/src/p.c:1:22: warning: unused variable"),
                       "%s", B.diagnostics);
}

Test(build, a_header_beside_the_source)
{
    source_write("unp.h", "#define MAXLINE 127\n");
    source_write("p.c", "#include \"unp.h\"\nint main(void) { return MAXLINE - 127; }\n");
    build();
    cr_assert_eq(B.status, BUILD_OK, "%s", B.diagnostics);
}

Test(build, a_failed_build_says_why)
{
    source_write("p.c", "int main(void) { return x; }\n");
    build();
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
    build();
    cr_assert_eq(B.status, BUILD_FAILED);
    const char *more = strstr(B.diagnostics, "…[");
    cr_assert_not_null(more, "not capped: %zu bytes", strlen(B.diagnostics));
    cr_assert_leq((size_t)(more - B.diagnostics), (size_t)RESULT_TEXT_CAP * 4);
    cr_assert_not_null(strstr(more, " bytes more]"), "%s", more);
    const char *first = "/src/p.c: In function ‘main’:\n";
    cr_assert(strncmp(B.diagnostics, first, strlen(first)) == 0, "%s", B.diagnostics);
}

/* Runs the built binary (our own test program, outside any sandbox) with argv[0] replaced by
 * prefix's words when given (valgrind); its exit status, or -1. */
static int run_built(const char *const *prefix)
{
    char *bin = xasprintf("%s/out/p", root);
    const char *argv[16];
    size_t n = 0;
    for (; prefix && prefix[n]; n++)
        argv[n] = prefix[n];
    argv[n++] = bin;
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    free(bin);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* main's locals never set, as the textbook's addrlen. libc's start-up runs below where main's
 * frame will be and leaves its data there: on Debian 12 a plain -g build finds non-zero bytes
 * from 0.7 to 5.3 KiB below main's first local, a constructor run before main still from 0.7
 * to 3 KiB (it cannot clear its callers' frames); entered through the wrapper, none. */
static const char uninitialised_main[] =
    "int main(void)\n"
    "{\n"
    "    char probe[16384];\n"
    "    for (unsigned i = 0; i < sizeof probe; i++)\n"
    "        if (probe[i])\n"
    "            return 1;\n"
    "    return 0;\n"
    "}\n";

Test(build, mains_locals_start_at_zero)
{
    source_write("p.c", uninitialised_main);
    build();
    cr_assert_eq(B.status, BUILD_OK, "%s", B.diagnostics);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(run_built(NULL), 0, "main's locals held stack garbage");
}

Test(build, memcheck_still_sees_them_uninitialised)
{
    if (access("/usr/bin/valgrind", X_OK) < 0)
        cr_skip_test("Valgrind is not installed");
    source_write("p.c", uninitialised_main);
    build();
    cr_assert_eq(B.status, BUILD_OK, "%s", B.diagnostics);
    const char *const vg[] = { "/usr/bin/valgrind", "-q", "--error-exitcode=99", NULL };
    cr_assert_eq(run_built(vg), 99, "Memcheck saw the zeroed bytes as defined");
}

Test(build, a_program_without_main_is_told_so)
{
    source_write("p.c", "int mian(void) { return 0; }\n");
    build();
    cr_assert_eq(B.status, BUILD_FAILED);
    cr_assert_not_null(strstr(B.diagnostics, "undefined reference to `main'"), "%s",
                       B.diagnostics);
}

Test(build, the_binary_names_its_lines)
{
    source_write("p.c", "int main(void) { return 0; }\n");
    build();
    cr_assert_eq(B.status, BUILD_OK, "%s", B.diagnostics);
    char *bin = xasprintf("%s/out/p", root);
    size_t len = 0;
    char *elf = util_read_file_max(bin, 16 << 20, &len, NULL, 0);
    cr_assert_not_null(elf);
    cr_assert_not_null(memmem(elf, len, ".debug_line", 11), "no line table for Memcheck");
    free(elf);
    free(bin);
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
