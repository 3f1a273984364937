/* fuzz_env: the services/hosts templating. The environment (its /etc/hosts, /etc/services and
 * variables) is made once from a fixed seed; each input is a template as a spec would hold
 * it, expanded and asked whether it needs the fixture files. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check/env.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct env e;
    static int made;
    char err[UTIL_ERRLEN];
    if (!made) {
        env_make(&e, 42, "tcp_echocli");
        env_set(&e, "obs.echo.port", "7", 1);
        made = 1;
    }
    char *tmpl = xstrndup((const char *)data, size);
    size_t len = 0;
    char *s = env_expand(&e, tmpl, &len, err, sizeof err);
    if (s && memchr(s, '\0', len) == NULL && strlen(s) != len)
        abort();
    free(s);
    (void)env_uses_fixture(&e, tmpl);
    free(tmpl);
    return 0;
}
