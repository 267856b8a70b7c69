/* The one log path: levels, the app's hook, and escaping of what a client
 * could put into a message. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "util/log.h"

static char last[4096];
static lv_log_level last_level;
static int calls;
static int ctx_token;

static void hook(void *ctx, lv_log_level level, const char *message)
{
    cr_assert_eq(ctx, &ctx_token);
    calls++;
    last_level = level;
    snprintf(last, sizeof last, "%s", message);
}

static void setup(void)
{
    calls = 0;
    last[0] = '\0';
    lv_log_configure(LV_LOG_WARN, hook, &ctx_token);
}

static void teardown(void)
{
    lv_log_configure(LV_LOG_INFO, NULL, NULL);
}

TestSuite(log, .init = setup, .fini = teardown);

Test(log, the_hook_gets_each_line_with_its_level)
{
    lv_log_warn("view %s: %d", "counter", 7);
    cr_assert_eq(calls, 1);
    cr_assert_eq(last_level, LV_LOG_WARN);
    cr_assert_str_eq(last, "view counter: 7");
    lv_log_error("boom");
    cr_assert_eq(last_level, LV_LOG_ERROR);
}

Test(log, levels_above_the_configured_one_are_not_written)
{
    lv_log_info("chatty");
    lv_log_debug("chattier");
    cr_assert_eq(calls, 0);
    cr_assert(lv_log_enabled(LV_LOG_ERROR));
    cr_assert_not(lv_log_enabled(LV_LOG_INFO));
}

Test(log, control_characters_cannot_forge_a_line_or_drive_a_terminal)
{
    /* An event name a client chose: a newline, a fake line, an ESC sequence. */
    lv_log_warn("event \"%s\" refused", "x\nliveview [error] forged\x1b[2J\x7f\\x41");
    cr_assert_eq(calls, 1);
    cr_assert_str_eq(last, "event \"x\\x0aliveview [error] forged\\x1b[2J\\x7f\\\\x41\" refused");
    cr_assert_null(strchr(last, '\n'));
    cr_assert_null(strchr(last, '\x1b'));
}

Test(log, escaping_stops_at_the_buffer_without_splitting_an_escape)
{
    char out[8];
    lv_log_escape("ab\ncd", out, sizeof out);
    cr_assert_str_eq(out, "ab\\x0ac");
    lv_log_escape("abc\n", out, 6);
    cr_assert_str_eq(out, "abc", "\\x0a does not fit in what is left: dropped whole");
}

Test(log, level_names_parse)
{
    cr_assert_eq(lv_log_level_parse("debug", LV_LOG_INFO), LV_LOG_DEBUG);
    cr_assert_eq(lv_log_level_parse("error", LV_LOG_INFO), LV_LOG_ERROR);
    cr_assert_eq(lv_log_level_parse("loud", LV_LOG_INFO), LV_LOG_INFO);
    cr_assert_eq(lv_log_level_parse(NULL, LV_LOG_WARN), LV_LOG_WARN);
}

Test(log, c1_controls_separators_bidi_overrides_and_bad_utf8_are_escaped)
{
    char out[256];
    /* U+009B (CSI in UTF-8), a lone 0x9b byte (CSI to an 8-bit terminal),
     * U+2028, U+202E (right-to-left override) and U+2066 (isolate). */
    lv_log_escape("a\xc2\x9b" "31m|\x9b|\xe2\x80\xa8|\xe2\x80\xae|\xe2\x81\xa6|", out, sizeof out);
    cr_assert_str_eq(out, "a\\xc2\\x9b31m|\\x9b|\\xe2\\x80\\xa8|\\xe2\\x80\\xae|\\xe2\\x81\\xa6|");
    /* A truncated or overlong sequence and a surrogate are bytes, not text. */
    lv_log_escape("\xe2\x82|\xc0\xaf|\xed\xa0\x80", out, sizeof out);
    cr_assert_str_eq(out, "\\xe2\\x82|\\xc0\\xaf|\\xed\\xa0\\x80");
}

Test(log, printable_utf8_passes_through_unchanged)
{
    char out[64];
    lv_log_escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x99\x82 \xc2\xa0", out, sizeof out);
    cr_assert_str_eq(out, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x99\x82 \xc2\xa0");
    lv_log_escape("\xe2\x82\xac\xe2\x82\xac", out, 5);
    cr_assert_str_eq(out, "\xe2\x82\xac", "a character that does not fit is dropped whole");
}
