/* form_for: the form's opening tag with the hidden _csrf_token input. */
#include <criterion/criterion.h>
#include <string.h>

#include "render/render.h"
#include "render/tmpl.h"
#include "util/value.h"

static char *render(const char *text, const char *token)
{
    lv_tmpl_error err;
    lv_tmpl *t = lv_tmpl_compile("form", text, strlen(text), &err);
    cr_assert_not_null(t, "%s", err.message);
    lv_assigns a;
    lv_assigns_init(&a);
    if (token) lv_assigns_put(&a, "csrf_token", lv_value_string(token, strlen(token)));
    lv_buf out = LV_BUF_INIT;
    lv_render_html(t, &a, &out);
    lv_assigns_free(&a);
    lv_tmpl_free(t);
    return lv_buf_take(&out);
}

static void expect(const char *text, const char *token, const char *html)
{
    char *got = render(text, token);
    cr_assert_str_eq(got, html);
    free(got);
}

Test(form_for, opens_the_form_with_the_token_input)
{
    expect("{{form_for csrf_token id=\"f\" phx_change=\"validate\" phx_submit=\"save\"}}</form>", "TOKEN",
           "<form id=\"f\" phx-change=\"validate\" phx-submit=\"save\">"
           "<input type=\"hidden\" name=\"_csrf_token\" value=\"TOKEN\"></form>");
}

Test(form_for, escapes_attribute_values_and_the_token)
{
    expect("{{form_for csrf_token action=\"/a?x=1&y=<2>\" method=\"post\"}}", "<t\"'>",
           "<form action=\"/a?x=1&amp;y=&lt;2&gt;\" method=\"post\">"
           "<input type=\"hidden\" name=\"_csrf_token\" value=\"&lt;t&quot;&#39;&gt;\">");
}

Test(form_for, boolean_attributes)
{
    expect("{{form_for csrf_token novalidate=true hidden=false}}", "T",
           "<form novalidate><input type=\"hidden\" name=\"_csrf_token\" value=\"T\">");
}

Test(form_for, without_a_token_renders_nothing)
{
    expect("<p>{{form_for csrf_token id=\"f\"}}</p>", NULL, "<p></p>");
}
