/* rng: the generator's random streams. Kernel i of a run draws from its own
 * stream seeded by splitmix64(seed, i), so it never depends on batching,
 * job count or any other kernel. xoshiro256** is fast and well studied. */
#ifndef JS_RNG_H
#define JS_RNG_H

#include <stdint.h>

typedef struct rng {
	uint64_t s[4];
} rng;

static inline uint64_t rng_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Seeds the stream of item `index` of a run with `seed`; `salt` separates
 * independent uses of the same (seed, index), e.g. category choice vs body. */
static inline void rng_init(rng *r, uint64_t seed, uint64_t index, uint64_t salt)
{
	uint64_t x = seed ^ 0x6a09e667f3bcc909ULL;
	x = rng_splitmix64(&x) ^ index;
	x = rng_splitmix64(&x) ^ salt;
	for (int i = 0; i < 4; i++)
		r->s[i] = rng_splitmix64(&x);
}

static inline uint64_t rng_rotl(uint64_t v, int k) { return (v << k) | (v >> (64 - k)); }

static inline uint64_t rng_next(rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rng_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rng_rotl(s[3], 45);
	return result;
}

/* Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; the tiny bias
 * for huge n is irrelevant to program generation). */
static inline uint32_t rng_below(rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform integer in [lo, hi]. */
static inline int rng_range(rng *r, int lo, int hi)
{
	return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

/* Uniform double in [0, 1). */
static inline double rng_unit(rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

/* True with probability p. */
static inline int rng_chance(rng *r, double p) { return rng_unit(r) < p; }

#endif
