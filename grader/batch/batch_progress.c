/* batch_progress: the batch's one-line progress display on stderr (see batch_progress.h). */
#include "batch_progress.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "result/result.h"
#include "util/util.h"

/* A folder name fit for the terminal: control characters (C0, DEL, C1) and bidirectional
 * overrides become '?', so a name cannot smuggle escape sequences; at most cols columns,
 * counting a non-ASCII character as two (wide enough for Hangul). */
static void progress_name(char *dst, size_t dstlen, const char *name, size_t cols)
{
    char *t = result_utf8_repair(name);
    const char *p = t, *end = t + strlen(t);
    size_t used = 0, o = 0;
    while (p < end && o + 5 < dstlen) {
        uint32_t cp = '?';
        size_t bad, len = util_utf8_decode(p, (size_t)(end - p), &cp, &bad);
        if (!len)
            len = bad ? bad : 1;
        size_t w = cp < 0x80 ? 1 : 2;
        if (used + w > cols)
            break;
        bool unsafe = cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x202a && cp <= 0x202e) ||
                      (cp >= 0x2066 && cp <= 0x2069);
        if (unsafe) {
            dst[o++] = '?';
        } else {
            memcpy(dst + o, p, len);
            o += len;
        }
        used += w;
        p += len;
    }
    dst[o] = '\0';
    free(t);
}

static size_t terminal_width(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 80;
}

/* One line redrawn in place: count, rate, time left, and the student graded longest. */
void batch_progress_draw(size_t done, size_t ntodo, int64_t t0, const char *current, size_t others)
{
    char bar[21], left[32] = "?:??", line[1024], name[256];
    int64_t elapsed = util_now_ms() - t0;
    double rate = elapsed > 0 ? (double)done * 1000.0 / (double)elapsed : 0;
    size_t fill = ntodo ? done * 20 / ntodo : 20;
    for (size_t i = 0; i < 20; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[20] = '\0';
    if (done >= ntodo)
        snprintf(left, sizeof left, "0:00");
    else if (done && rate > 0) {
        long secs = (long)((double)(ntodo - done) / rate + 0.5);
        snprintf(left, sizeof left, "%ld:%02ld", secs / 60, secs % 60);
    }
    int n = snprintf(line, sizeof line, "[%s] %zu/%zu  %.2f/s  %s left", bar, done, ntodo,
                     rate, left);
    size_t width = terminal_width(), shown = (size_t)n;
    if (current && shown + 16 < width) {
        char more[32] = "";
        if (others)
            snprintf(more, sizeof more, " (+%zu)", others);
        progress_name(name, sizeof name, current, width - shown - 4 - strlen(more));
        snprintf(line + n, sizeof line - (size_t)n, "  %s%s", name, more);
    }
    fprintf(stderr, "\r\033[K%s", line);
    fflush(stderr);
}

void batch_progress_clear(void)
{
    fputs("\r\033[K", stderr);
    fflush(stderr);
}
