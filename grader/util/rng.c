/* rng: splitmix64, chosen for being tiny, fast and good enough for test inputs. */
#include "rng.h"

void rng_init(struct rng *r, uint64_t seed)
{
    r->state = seed;
}

void rng_derive(struct rng *r, uint64_t seed, const char *name)
{
    /* FNV-1a over the name, mixed with the seed: stable across runs and platforms. */
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    r->state = seed ^ h;
    (void)rng_next(r);
}

uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

uint64_t rng_range(struct rng *r, uint64_t lo, uint64_t hi)
{
    if (hi <= lo)
        return lo;
    uint64_t span = hi - lo + 1;
    return span ? lo + rng_next(r) % span : rng_next(r);
}

void rng_bytes(struct rng *r, void *buf, size_t len)
{
    unsigned char *p = buf;
    for (size_t i = 0; i < len; i++)
        p[i] = (unsigned char)(rng_next(r) >> 56);
}

void rng_word(struct rng *r, char *buf, size_t len)
{
    static const char alphabet[] = "abcdefghijkmnopqrstuvwxyz23456789";
    /* The first character is a letter: an all-digit word would read as a number. */
    for (size_t i = 0; i < len; i++)
        buf[i] = alphabet[rng_next(r) % (i == 0 ? 25 : sizeof alphabet - 1)];
    buf[len] = '\0';
}
