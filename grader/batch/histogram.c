/* histogram: bins, mean, median and their drawing. The numbers are computed here once, and
 * the SVG carries them in data- attributes, so a test can add up the bars it sees. */
#include "histogram.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/html.h"

/* The drawing's own units; the page scales it to its width. A program's small figure gets
 * a narrower drawing, so its text is not scaled down to nothing. */
#define HIST_WIDE 640.0
#define HIST_NARROW 360.0
#define HIST_H 200.0
#define HIST_LEFT 16.0
#define HIST_RIGHT 16.0
#define HIST_TOP 22.0
#define HIST_BOTTOM 30.0

static int histogram_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static bool histogram_whole(double v)
{
    double d = v - (double)(long)(v + 0.5);
    return d > -1e-9 && d < 1e-9;
}

/* One bar per point for a small whole maximum; otherwise the smallest round width that
 * keeps the bars at 12 or fewer. */
static double histogram_width(double max)
{
    if (max <= 0)
        return 1;
    if (max <= 20 && histogram_whole(max))
        return 1;
    for (int e = -3;; e++) {
        static const double steps[] = { 1, 2, 2.5, 5 };
        double p = 1; /* 10^e, by whole multiplications so that 5 is exactly 5 */
        for (int k = 0; k < (e < 0 ? -e : e); k++)
            p *= 10;
        p = e < 0 ? 1 / p : p;
        for (size_t i = 0; i < 4; i++)
            if (max / (steps[i] * p) < 12)
                return steps[i] * p;
    }
}

void histogram_make(struct histogram *h, const double *v, size_t n, double max)
{
    memset(h, 0, sizeof *h);
    h->max = max > 0 ? max : 0;
    h->width = histogram_width(h->max);
    h->nbins = (size_t)(h->max / h->width + 1e-9) + 1; /* non-negative: the cast floors */
    h->count = xcalloc(h->nbins, sizeof *h->count);
    h->n = n;
    if (!n)
        return;
    double *sorted = xmalloc(n * sizeof *sorted), sum = 0;
    for (size_t i = 0; i < n; i++) {
        double x = v[i] < 0 ? 0 : v[i] > h->max ? h->max : v[i];
        size_t b = (size_t)(x / h->width + 1e-9);
        h->count[b < h->nbins ? b : h->nbins - 1]++;
        sorted[i] = x;
        sum += x;
    }
    qsort(sorted, n, sizeof *sorted, histogram_cmp);
    h->mean = sum / (double)n;
    h->median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    free(sorted);
}

void histogram_free(struct histogram *h)
{
    free(h->count);
    memset(h, 0, sizeof *h);
}

/* The x of a score: the axis runs from 0 to the end of the last bin. */
static double histogram_x(const struct histogram *h, double w, double score)
{
    double span = (double)h->nbins * h->width;
    return HIST_LEFT + score / span * (w - HIST_LEFT - HIST_RIGHT);
}

/* "3 to under 4" points; the last bin also holds the maximum ("10", "50 to 57"). */
static void histogram_range(char *buf, size_t len, const struct histogram *h, size_t i)
{
    double lo = (double)i * h->width;
    if (i + 1 < h->nbins)
        snprintf(buf, len, "%g to under %g", lo, lo + h->width);
    else if (lo >= h->max)
        snprintf(buf, len, "%g", lo);
    else
        snprintf(buf, len, "%g to %g", lo, h->max);
}

static void histogram_bar(struct strbuf *sb, const struct histogram *h, double w, size_t i, size_t top)
{
    double plot = HIST_H - HIST_TOP - HIST_BOTTOM;
    double lo = (double)i * h->width, hi = lo + h->width;
    double x0 = histogram_x(h, w, lo), x1 = histogram_x(h, w, hi);
    double bh = top ? plot * (double)h->count[i] / (double)top : 0;
    double y = HIST_TOP + plot - bh;
    char range[64];
    histogram_range(range, sizeof range, h, i);
    strbuf_addf(sb, "<rect class=\"bar\" data-count=\"%zu\" data-lo=\"%g\" x=\"%.1f\" y=\"%.1f\" "
                "width=\"%.1f\" height=\"%.1f\"><title>%zu with %s points</title></rect>\n",
                h->count[i], lo, x0 + 1, y, x1 - x0 - 2, bh, h->count[i], range);
    if (h->count[i])
        strbuf_addf(sb, "<text class=\"count\" x=\"%.1f\" y=\"%.1f\">%zu</text>\n",
                    (x0 + x1) / 2, y - 4, h->count[i]);
    /* Labels at the bins' left edges; with many thin bins, every other one. */
    if (h->nbins <= (w < HIST_WIDE ? 8 : 12) || i % 2 == 0)
        strbuf_addf(sb, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\">%g</text>\n", x0,
                    HIST_H - HIST_BOTTOM + 16, lo);
}

static void histogram_line(struct strbuf *sb, const struct histogram *h, double w, const char *cls,
                           double v)
{
    double x = histogram_x(h, w, v);
    strbuf_addf(sb, "<line class=\"%s\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>\n", cls,
                x, x, HIST_TOP - 8, HIST_H - HIST_BOTTOM);
}

void histogram_svg(struct strbuf *sb, const struct histogram *h, const char *id, const char *label,
                   bool narrow)
{
    double w = narrow ? HIST_NARROW : HIST_WIDE;
    size_t top = 0;
    for (size_t i = 0; i < h->nbins; i++)
        top = h->count[i] > top ? h->count[i] : top;
    strbuf_addf(sb, "<svg class=\"hist %s\" viewBox=\"0 0 %g %g\" role=\"img\" aria-labelledby=\"%s-t\" "
                "data-n=\"%zu\">\n<title id=\"%s-t\">", narrow ? "hist-narrow" : "hist-wide", w, HIST_H,
                id, h->n, id);
    html_escape(sb, label, HTML_INLINE);
    strbuf_addf(sb, ": %zu students, mean %.3g, median %.3g</title>\n", h->n, h->mean, h->median);
    strbuf_addf(sb, "<line class=\"axis\" x1=\"%g\" x2=\"%g\" y1=\"%g\" y2=\"%g\"/>\n", HIST_LEFT,
                w - HIST_RIGHT, HIST_H - HIST_BOTTOM, HIST_H - HIST_BOTTOM);
    for (size_t i = 0; i < h->nbins; i++)
        histogram_bar(sb, h, w, i, top);
    if (h->n) {
        histogram_line(sb, h, w, "mean", h->mean);
        histogram_line(sb, h, w, "median", h->median);
    }
    strbuf_addstr(sb, "</svg>\n");
}

void histogram_table(struct strbuf *sb, const struct histogram *h, const char *label)
{
    strbuf_addstr(sb, "<details class=\"noprint\"><summary>the numbers</summary>\n<table>\n<caption>");
    html_escape(sb, label, HTML_INLINE);
    strbuf_addstr(sb, "</caption>\n<thead><tr><th scope=\"col\">points</th>"
                  "<th scope=\"col\" class=\"num\">students</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < h->nbins; i++) {
        char range[64];
        histogram_range(range, sizeof range, h, i);
        strbuf_addf(sb, "<tr><th scope=\"row\">%s</th><td class=\"num\">%zu</td></tr>\n", range,
                    h->count[i]);
    }
    strbuf_addstr(sb, "</tbody>\n</table>\n</details>\n");
}
