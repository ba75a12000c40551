/* crypto.c - thin layer over libsodium. */
#include "core/crypto.h"
#include "core/err.h"
#include <pthread.h>
#include <sched.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Static_assert(PW_HASH_MAX >= crypto_pwhash_STRBYTES, "PW_HASH_MAX too small");

int crypto_init(void)
{
	return sodium_init() < 0 ? CLR_ESYS : 0;
}

int pw_hash(const char *password, char out[PW_HASH_MAX])
{
	if (crypto_pwhash_str_alg(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				  crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return CLR_ESYS;
	return 0;
}

int pw_verify(const char *hash, const char *password)
{
	if (!hash || !password)
		return 0;
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void pw_dummy_verify(const char *password)
{
	static char dummy[PW_HASH_MAX];
	static int ready;
	if (!ready) { /* benign race: both writers compute a valid hash */
		pw_hash("clr-dummy-password", dummy);
		ready = 1;
	}
	(void)pw_verify(dummy, password);
}

void token_new(char out[TOKEN_LEN + 1])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, TOKEN_LEN + 1, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
}

void token_hash(const char *token, char out[TOKEN_HASH_LEN + 1])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(out, TOKEN_HASH_LEN + 1, h, sizeof h);
}

int token_hash_sent(const char *token, char out[TOKEN_HASH_LEN + 1])
{
	if (!token || strlen(token) != TOKEN_LEN)
		return CLR_ENOTFOUND;
	token_hash(token, out);
	return 0;
}

int secure_eq(const char *a, const char *b)
{
	if (!a || !b)
		return 0;
	size_t n = strlen(a);
	if (n != strlen(b) || n == 0)
		return 0;
	return sodium_memcmp(a, b, n) == 0;
}

/* ------------------------------------------------------------ generated passwords */

static const char pw_alphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

struct pw_pool {
	int n, nthreads;
	char (*pw)[PW_GEN_LEN + 1];
	char (*hash)[PW_HASH_MAX];
	atomic_int next;   /* next password to hash */
	atomic_int *ready; /* 1 done, -1 failed */
	atomic_int stop;
	pthread_t th[8];
};

/* Hashes the next unclaimed password; 0 when none is left. */
static int hash_one(struct pw_pool *p)
{
	int i = atomic_fetch_add(&p->next, 1);
	if (i >= p->n || atomic_load(&p->stop))
		return 0;
	int rc = crypto_pwhash_str_alg(p->hash[i], p->pw[i], PW_GEN_LEN, crypto_pwhash_argon2id_OPSLIMIT_MIN,
				       crypto_pwhash_argon2id_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13);
	atomic_store(&p->ready[i], rc == 0 ? 1 : -1);
	return 1;
}

static void *hash_main(void *arg)
{
	while (hash_one(arg))
		;
	return NULL;
}

struct pw_pool *pw_pool_start(int n)
{
	struct pw_pool *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->n = n > 0 ? n : 0;
	p->pw = calloc((size_t)p->n + 1, sizeof *p->pw);
	p->hash = calloc((size_t)p->n + 1, sizeof *p->hash);
	p->ready = calloc((size_t)p->n + 1, sizeof *p->ready);
	if (!p->pw || !p->hash || !p->ready) {
		pw_pool_free(p);
		return NULL;
	}
	for (int i = 0; i < p->n; i++) {
		unsigned char rnd[PW_GEN_LEN * 2];
		randombytes_buf(rnd, sizeof rnd);
		for (int k = 0; k < PW_GEN_LEN; k++) /* 55 symbols: bias < 0.4 % per character */
			p->pw[i][k] = pw_alphabet[((unsigned)rnd[2 * k] << 8 | rnd[2 * k + 1]) % (sizeof pw_alphabet - 1)];
	}
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int want = ncpu < 1 ? 1 : ncpu > 8 ? 8 : (int)ncpu;
	for (int i = 0; i < want && i < p->n; i++)
		if (pthread_create(&p->th[p->nthreads], NULL, hash_main, p) == 0)
			p->nthreads++;
	return p;
}

int pw_pool_get(struct pw_pool *p, int i, const char **password, const char **hash)
{
	if (i < 0 || i >= p->n)
		return CLR_ESYS;
	/* the caller lends a hand rather than spinning while the workers are
	 * behind (2 cores: they share them) */
	while (atomic_load(&p->ready[i]) == 0)
		if (!hash_one(p))
			sched_yield(); /* password i is being hashed */
	*password = p->pw[i];
	*hash = p->hash[i];
	return atomic_load(&p->ready[i]) < 0 ? CLR_ESYS : 0;
}

void pw_pool_free(struct pw_pool *p)
{
	if (!p)
		return;
	atomic_store(&p->stop, 1);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->th[i], NULL);
	if (p->pw)
		sodium_memzero(p->pw, sizeof *p->pw * (size_t)p->n);
	free(p->pw);
	free(p->hash);
	free(p->ready);
	free(p);
}
