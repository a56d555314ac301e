#ifndef FERRY_COPENSSL_SHIM_H
#define FERRY_COPENSSL_SHIM_H
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/err.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

/* OPENSSL_cleanse is a function, but OPENSSL_free is a macro Swift cannot see. */
static inline void ferry_openssl_free(void *p) { OPENSSL_free(p); }
#endif
