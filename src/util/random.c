#include "util/random.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "util/base64url.h"
#include "util/buf.h"
#include "util/log.h"

void lv_random_bytes(void *out, size_t n)
{
    uint8_t *p = out;
    /* RAND_bytes takes an int, so very large requests go in chunks. */
    while (n > 0) {
        size_t chunk = n > INT_MAX ? INT_MAX : n;
        if (RAND_bytes(p, (int)chunk) != 1) {
            lv_log_error("the random number generator failed; aborting");
            abort();
        }
        p += chunk;
        n -= chunk;
    }
}

void lv_random_id(char *out, size_t bytes)
{
    uint8_t small[64] = {0}; /* gcc cannot see that lv_random_bytes fills it */
    uint8_t *raw = bytes <= sizeof small ? small : lv_xmalloc(bytes);
    lv_random_bytes(raw, bytes);
    lv_b64url_encode(raw, bytes, out);
    /* Ids double as secrets (CSRF state), so the raw bytes do not linger. */
    OPENSSL_cleanse(raw, bytes);
    if (raw != small) free(raw);
}
