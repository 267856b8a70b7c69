/* HTML escaping, byte-exact against what phoenix_html produces. */
#include <criterion/criterion.h>
#include <string.h>

#include "render/escape.h"

static char *escape_of(const char *s, size_t n)
{
    lv_buf b = LV_BUF_INIT;
    lv_html_escape(&b, s, n);
    return lv_buf_take(&b);
}

#define assert_escape(input, expected)                                                                       \
    do {                                                                                                     \
        char *got_ = escape_of((input), sizeof(input) - 1);                                                  \
        cr_assert_str_eq(got_, (expected));                                                                  \
        free(got_);                                                                                          \
    } while (0)

Test(escape, each_special_character)
{
    assert_escape("&", "&amp;");
    assert_escape("<", "&lt;");
    assert_escape(">", "&gt;");
    assert_escape("\"", "&quot;");
    assert_escape("'", "&#39;");
}

Test(escape, safe_text_is_unchanged)
{
    assert_escape("Hello, world! 1+1=2; a/b {x} `y` \xc3\xa9", "Hello, world! 1+1=2; a/b {x} `y` \xc3\xa9");
}

Test(escape, mixed)
{
    assert_escape("a < b && c > \"d\" 'e'", "a &lt; b &amp;&amp; c &gt; &quot;d&quot; &#39;e&#39;");
    assert_escape("<<>>", "&lt;&lt;&gt;&gt;");
    assert_escape("&amp;", "&amp;amp;");
}

Test(escape, empty)
{
    lv_buf b = LV_BUF_INIT;
    lv_html_escape(&b, "", 0);
    cr_assert_eq(b.len, 0);
    lv_buf_puts(&b, "x");
    lv_html_escape(&b, "", 0);
    cr_assert_str_eq(b.data, "x");
    lv_buf_free(&b);
}

Test(escape, appends_and_keeps_nul_bytes)
{
    lv_buf b = LV_BUF_INIT;
    lv_buf_puts(&b, "pre:");
    lv_html_escape(&b, "a\0<", 3);
    cr_assert_eq(b.len, 10);
    cr_assert_eq(memcmp(b.data, "pre:a\0&lt;", 11), 0);
    lv_buf_free(&b);
}

Test(escape, xss_in_text)
{
    assert_escape("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
}

Test(escape, xss_breaking_out_of_a_double_quoted_attribute)
{
    assert_escape("\"><img src=x onerror=alert(1)>", "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
}

Test(escape, xss_breaking_out_of_a_single_quoted_attribute)
{
    assert_escape("' onmouseover='alert(1)", "&#39; onmouseover=&#39;alert(1)");
}

Test(escape, long_input_crosses_buffer_growth)
{
    char input[3000];
    for (size_t i = 0; i < sizeof input; i++) input[i] = i % 3 == 0 ? '<' : 'x';
    lv_buf b = LV_BUF_INIT;
    lv_html_escape(&b, input, sizeof input);
    cr_assert_eq(b.len, 1000 * 4 + 2000);
    cr_assert_eq(memcmp(b.data, "&lt;xx&lt;xx", 12), 0);
    lv_buf_free(&b);
}
