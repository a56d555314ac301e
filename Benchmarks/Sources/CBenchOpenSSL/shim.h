#ifndef FERRY_BENCH_OPENSSL_SHIM_H
#define FERRY_BENCH_OPENSSL_SHIM_H
#include <openssl/evp.h>
#endif
