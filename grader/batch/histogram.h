/* histogram: a distribution of scores as the class dashboard shows it (dashboard.c): the
 * counts per bin, mean and median, and the inline SVG that draws them. Bins are half-open,
 * [lo, lo + width), except the last, which also holds the maximum: one bin per point when the
 * maximum is a whole number up to 20, else bins of a round width (1, 2, 5 times a power of
 * ten) that make at most 12 bars. */
#ifndef SOCKGRADE_HISTOGRAM_H
#define SOCKGRADE_HISTOGRAM_H

#include <stdbool.h>
#include <stddef.h>

#include "util/util.h"

struct histogram {
    size_t n;          /* values counted: the sum of count[] */
    size_t nbins;
    double width;      /* points per bin (bin i starts at i * width) */
    double max;        /* the scale's maximum, from the caller */
    size_t *count;
    double mean, median;
};

/* Counts the n values v (each clamped into 0..max) into h; n may be 0. */
void histogram_make(struct histogram *h, const double *v, size_t n, double max);
void histogram_free(struct histogram *h);
/* An <svg> of the bars (each a <rect class="bar" data-count=...>), dashed and dotted lines at
 * the mean and the median, and an accessible name from label; id makes its element ids
 * unique in the page; narrow draws it for a small figure. */
void histogram_svg(struct strbuf *sb, const struct histogram *h, const char *id, const char *label,
                   bool narrow);
/* The same counts as a table, for a screen reader and for a reader who wants the numbers. */
void histogram_table(struct strbuf *sb, const struct histogram *h, const char *label);

#endif
