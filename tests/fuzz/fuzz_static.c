/* libFuzzer target: the parsers of file serving never crash, and a path
 * they accept names a file below the folder: no "." or ".." segment, no
 * empty segment, no dotfile, no backslash or control byte, within bounds.
 * Accept-Encoding and If-None-Match take any bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/static.h"

static void check_relative(const char *rel)
{
    size_t len = strlen(rel);
    if (len == 0 || len >= LV_STATIC_PATH_MAX) abort();
    int depth = 0;
    for (const char *seg = rel;; depth++) {
        const char *end = strchr(seg, '/');
        size_t n = end ? (size_t)(end - seg) : strlen(seg);
        if (n == 0 || seg[0] == '.') abort(); /* also catches "." and ".." */
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)seg[i];
            if (c == '\\' || c < 0x20 || c == 0x7f) abort();
        }
        if (!end) break;
        seg = end + 1;
    }
    if (depth >= LV_STATIC_DEPTH_MAX) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';

    char rel[LV_STATIC_PATH_MAX];
    int status = lv_static_path_decode(text, rel, sizeof rel);
    if (status == 0)
        check_relative(rel);
    else if (status != 400 && status != 404)
        abort();

    (void)lv_accepts_gzip(text);
    if (lv_etag_matches(text, "\"0123456789abcdef\"") && !strstr(text, "0123456789abcdef") &&
        !strchr(text, '*'))
        abort(); /* a match needs the tag or the wildcard */
    (void)lv_content_type_for(text);
    free(text);
    return 0;
}
