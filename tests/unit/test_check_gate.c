/* Tests of check_gate: an error-path check counts only when the program also does its normal
 * job (requires_any). Results are made up; no program runs. */
#include <criterion/criterion.h>
#include <string.h>

#include "check/check.h"
#include "util/util.h"

static const char spec_json[] =
    "{\"schema\": \"sockgrade-spec/1\", \"program\": \"p\", \"title\": \"t\", \"checks\": ["
    "{\"id\": \"normal\", \"description\": \"d\", \"kind\": \"run\", \"expect\": [{\"what\": \"ends\"}]},"
    "{\"id\": \"other\", \"description\": \"d\", \"kind\": \"run\", \"expect\": [{\"what\": \"ends\"}]},"
    "{\"id\": \"error_path\", \"description\": \"d\", \"kind\": \"run\", \"points\": 2,"
    " \"requires_any\": [\"normal\", \"other\"], \"expect\": [{\"what\": \"ends\"}]}]}";

struct gate_fixture {
    struct spec *spec;
    struct program_result pr;
};

static void gate_setup(struct gate_fixture *f, enum check_status normal, enum check_status other,
                       enum check_status error_path)
{
    char err[UTIL_ERRLEN];
    f->spec = spec_parse("spec.json", spec_json, err, sizeof err);
    cr_assert_not_null(f->spec, "%s", err);
    memset(&f->pr, 0, sizeof f->pr);
    f->pr.nchecks = f->spec->nchecks;
    f->pr.checks = xcalloc(f->pr.nchecks, sizeof *f->pr.checks);
    enum check_status st[] = { normal, other, error_path };
    for (size_t i = 0; i < f->pr.nchecks; i++) {
        check_result_init(&f->pr.checks[i], &f->spec->checks[i]);
        f->pr.checks[i].status = st[i];
        f->pr.checks[i].score = st[i] == STATUS_PASSED ? f->spec->checks[i].points : 0;
        f->pr.checks[i].actual = xstrdup("what the program did");
        f->pr.checks[i].hint = xstrdup("a hint");
    }
}

static void gate_teardown(struct gate_fixture *f)
{
    for (size_t i = 0; i < f->pr.nchecks; i++)
        result_check_free(&f->pr.checks[i]);
    free(f->pr.checks);
    spec_free(f->spec);
}

Test(check_gate, error_path_of_a_program_that_does_nothing_right_is_skipped)
{
    struct gate_fixture f;
    gate_setup(&f, STATUS_FAILED, STATUS_FAILED, STATUS_PASSED);
    check_apply_requirements(f.spec, &f.pr);
    const struct check_result *c = &f.pr.checks[2];
    cr_assert_eq(c->status, STATUS_SKIPPED);
    cr_assert_eq(c->score, 0, "a stub earns nothing");
    cr_assert_null(c->hint);
    cr_assert(strstr(c->actual, "normal, other"), "the reason names the checks: %s", c->actual);
    cr_assert_str_eq(result_skip_reason(c), c->actual + strlen("skipped: "));
    gate_teardown(&f);
}

Test(check_gate, one_normal_check_passed_opens_the_gate)
{
    struct gate_fixture f;
    gate_setup(&f, STATUS_FAILED, STATUS_PASSED, STATUS_PASSED);
    check_apply_requirements(f.spec, &f.pr);
    cr_assert_eq(f.pr.checks[2].status, STATUS_PASSED);
    cr_assert_eq(f.pr.checks[2].score, 2);
    gate_teardown(&f);
}

Test(check_gate, a_failed_error_path_is_skipped_too_and_an_error_stays_an_error)
{
    struct gate_fixture f;
    gate_setup(&f, STATUS_FAILED, STATUS_SKIPPED, STATUS_FAILED);
    check_apply_requirements(f.spec, &f.pr);
    cr_assert_eq(f.pr.checks[2].status, STATUS_SKIPPED, "a skipped requirement is not a pass");
    gate_teardown(&f);
    gate_setup(&f, STATUS_FAILED, STATUS_FAILED, STATUS_ERROR);
    check_apply_requirements(f.spec, &f.pr);
    cr_assert_eq(f.pr.checks[2].status, STATUS_ERROR, "a grader fault is never hidden");
    gate_teardown(&f);
}
