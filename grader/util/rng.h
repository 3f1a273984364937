/* rng: a small seeded generator (splitmix64) so every varied input is replayable from the
 * report's seed. Sub-seeds are derived from names, so adding a check does not shift the
 * values another check sees. */
#ifndef SOCKGRADE_RNG_H
#define SOCKGRADE_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
    uint64_t state;
};

void rng_init(struct rng *r, uint64_t seed);
/* Seeds r from (seed, name): the same pair always gives the same stream. */
void rng_derive(struct rng *r, uint64_t seed, const char *name);
uint64_t rng_next(struct rng *r);
/* A uniform integer in [lo, hi]. */
uint64_t rng_range(struct rng *r, uint64_t lo, uint64_t hi);
void rng_bytes(struct rng *r, void *buf, size_t len);
/* lowercase letters and digits, NUL-terminated, len characters */
void rng_word(struct rng *r, char *buf, size_t len);

#endif
