/* crypto.h - passwords (argon2id), random tokens and their hashes
 * (libsodium).  crypto_init() must run once before any other call. */
#ifndef CLR_CRYPTO_H
#define CLR_CRYPTO_H
#include <stddef.h>

#define PW_HASH_MAX 128 /* >= crypto_pwhash_STRBYTES */
#define TOKEN_LEN 43    /* 32 random bytes, base64url without padding */
#define TOKEN_HASH_LEN 64

int crypto_init(void);
/* argon2id, libsodium's interactive limits; 0 or CLR_ESYS. */
int pw_hash(const char *password, char out[PW_HASH_MAX]);
/* 1 if the password matches, 0 otherwise (constant time in the password). */
int pw_verify(const char *hash, const char *password);
/* Spends the time of a verification, for unknown accounts. */
void pw_dummy_verify(const char *password);
/* 256-bit random token, base64url, NUL-terminated. */
void token_new(char out[TOKEN_LEN + 1]);
/* Hex BLAKE2b-256 of a token (what the database stores). */
void token_hash(const char *token, char out[TOKEN_HASH_LEN + 1]);
/* token_hash() of a token as a client sent it: 0, or CLR_ENOTFOUND when it
 * is missing or not TOKEN_LEN characters long (no such token can exist). */
int token_hash_sent(const char *token, char out[TOKEN_HASH_LEN + 1]);
/* Generated passwords hashed in the background (the bulk import): n
 * random passwords of PW_GEN_LEN characters from an alphabet without
 * look-alikes (~58 bits each), hashed with argon2id at libsodium's minimum
 * limits (random passwords need no memory-hardness: docs/DECISIONS.md) by
 * one thread per core, started by pw_pool_start().  pw_pool_get(i) returns
 * password i and its hash, hashing pending ones itself rather than
 * waiting; 0, or CLR_ESYS.  pw_pool_free() stops the threads and wipes the
 * passwords.  NULL from pw_pool_start() means out of memory. */
#define PW_GEN_LEN 10
struct pw_pool;
struct pw_pool *pw_pool_start(int n);
int pw_pool_get(struct pw_pool *p, int i, const char **password, const char **hash);
void pw_pool_free(struct pw_pool *p);
/* Constant-time equality of two NUL-terminated strings. */
int secure_eq(const char *a, const char *b);

#endif
