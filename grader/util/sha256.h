/* sha256: SHA-256 (FIPS 180-4) of a byte string. The HTML pages name their own inline style
 * and script by hash in their Content-Security-Policy, and the grader links no crypto
 * library for that alone. */
#ifndef SOCKGRADE_SHA256_H
#define SOCKGRADE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

void sha256(const void *data, size_t len, uint8_t out[SHA256_LEN]);
/* The digest in standard Base64 (44 characters and a NUL), as CSP's 'sha256-...' wants. */
void sha256_base64(const void *data, size_t len, char out[45]);

#endif
