/* crypto.c - thin layer over libsodium. */
#include "core/crypto.h"
#include "core/err.h"
#include <sodium.h>
#include <string.h>

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

int secure_eq(const char *a, const char *b)
{
	if (!a || !b)
		return 0;
	size_t n = strlen(a);
	if (n != strlen(b) || n == 0)
		return 0;
	return sodium_memcmp(a, b, n) == 0;
}
