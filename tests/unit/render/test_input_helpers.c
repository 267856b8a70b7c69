/* The form and link helpers, byte for byte, with hostile text in every
 * attribute they write. */
#include <criterion/criterion.h>
#include <string.h>

#include "render/render.h"
#include "render/tmpl.h"
#include "util/value.h"

#define XSS "\"><script>alert('x')</script>&"
#define XSS_ESC "&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;"

static lv_assigns assigns;

static void put_str(const char *name, const char *s)
{
    lv_assigns_put(&assigns, name, lv_value_string(s, strlen(s)));
}

/* A changeset value as lv_changeset_assign makes it. */
static lv_value changeset(const char *form, const char *field, lv_value data_value, const char *param,
                          const char *error)
{
    lv_value cs = lv_value_map();
    lv_value data = lv_value_map(), params = lv_value_map(), errors = lv_value_map();
    lv_value_map_set(&data, field, data_value);
    if (param) lv_value_map_set(&params, field, lv_value_string(param, strlen(param)));
    if (error) lv_value_map_set(&errors, field, lv_value_string(error, strlen(error)));
    lv_value_map_set(&cs, "valid", lv_value_bool(error == NULL));
    lv_value_map_set(&cs, "form", form ? lv_value_string(form, strlen(form)) : lv_value_null());
    lv_value_map_set(&cs, "data", data);
    lv_value_map_set(&cs, "params", params);
    lv_value_map_set(&cs, "errors", errors);
    return cs;
}

static void setup(void)
{
    lv_assigns_init(&assigns);
}

static void teardown(void)
{
    lv_assigns_free(&assigns);
}

static void expect(const char *text, const char *html)
{
    lv_tmpl_error err;
    lv_tmpl *t = lv_tmpl_compile("helpers", text, strlen(text), &err);
    cr_assert_not_null(t, "%s", err.message);
    lv_buf out = LV_BUF_INIT;
    lv_render_html(t, &assigns, &out);
    cr_assert_str_eq(out.data ? out.data : "", html, "template: %s\n got: %s\nwant: %s", text, out.data ? out.data : "", html);
    lv_buf_free(&out);
    lv_tmpl_free(t);
}

TestSuite(inputs, .init = setup, .fini = teardown);

Test(inputs, text_input_from_a_changeset)
{
    lv_assigns_put(&assigns, "cs", changeset("book", "title", lv_value_string("Dune", 4), NULL, NULL));
    expect("{{text_input cs \"title\" placeholder=\"Title\" phx_debounce=\"300\"}}",
           "<input type=\"text\" id=\"book_title\" name=\"book[title]\" value=\"Dune\" placeholder=\"Title\""
           " phx-debounce=\"300\">");
}

Test(inputs, params_win_over_data_and_value_over_both)
{
    lv_assigns_put(&assigns, "cs", changeset("book", "year", lv_value_int(1965), "19x", NULL));
    expect("{{text_input cs \"year\"}}", "<input type=\"text\" id=\"book_year\" name=\"book[year]\" value=\"19x\">");
    expect("{{text_input cs \"year\" value=\"v\" id=\"y\"}}",
           "<input type=\"text\" id=\"y\" name=\"book[year]\" value=\"v\">");
}

Test(inputs, form_name_as_a_string_or_null)
{
    put_str("q", "rust");
    expect("{{text_input \"search\" \"q\" value=q}}",
           "<input type=\"text\" id=\"search_q\" name=\"search[q]\" value=\"rust\">");
    expect("{{text_input null \"q\" value=q}}", "<input type=\"text\" id=\"q\" name=\"q\" value=\"rust\">");
    expect("{{text_input null \"q\"}}", "<input type=\"text\" id=\"q\" name=\"q\" value=\"\">");
}

Test(inputs, every_attribute_is_escaped)
{
    lv_assigns_put(&assigns, "cs", changeset(XSS, XSS, lv_value_string(XSS, strlen(XSS)), NULL, XSS));
    put_str("x", XSS);
    expect("{{text_input cs x placeholder=x class=x}}",
           "<input type=\"text\" id=\"___script_alert__x____script___" /* the form, '_', */
           "___script_alert__x____script__\" name=\"" /* the field */ XSS_ESC "[" XSS_ESC "]\" value=\"" XSS_ESC
           "\" placeholder=\"" XSS_ESC "\" class=\"" XSS_ESC "\">");
    expect("{{error_tag cs x}}",
           "<span class=\"invalid-feedback\" phx-feedback-for=\"" XSS_ESC "[" XSS_ESC "]\">" XSS_ESC "</span>");
    expect("{{textarea cs x}}", "<textarea id=\"___script_alert__x____script______script_alert__x____script__\" name=\"" XSS_ESC
                                "[" XSS_ESC "]\">\n" XSS_ESC "</textarea>");
    expect("{{submit x data_confirm=x}}", "<button type=\"submit\" data-confirm=\"" XSS_ESC "\">" XSS_ESC "</button>");
}

Test(inputs, attribute_names_cannot_inject)
{
    /* Named arguments are identifiers in the template language, so the
     * only names a helper sees are safe; the check is for C callers. */
    put_str("v", "1");
    expect("<p>{{text_input null \"a\" data_x=v aria_label=v}}</p>",
           "<p><input type=\"text\" id=\"a\" name=\"a\" value=\"\" data-x=\"1\" aria-label=\"1\"></p>");
}

Test(inputs, input_types)
{
    lv_assigns_put(&assigns, "cs", changeset("u", "f", lv_value_int(7), NULL, NULL));
    expect("{{email_input cs \"f\"}}", "<input type=\"email\" id=\"u_f\" name=\"u[f]\" value=\"7\">");
    expect("{{number_input cs \"f\" min=0 step=1}}",
           "<input type=\"number\" id=\"u_f\" name=\"u[f]\" value=\"7\" min=\"0\" step=\"1\">");
    expect("{{telephone_input cs \"f\"}}", "<input type=\"tel\" id=\"u_f\" name=\"u[f]\" value=\"7\">");
    expect("{{hidden_input cs \"f\"}}", "<input type=\"hidden\" id=\"u_f\" name=\"u[f]\" value=\"7\">");
    expect("{{text_input cs \"f\" required=true disabled=false}}",
           "<input type=\"text\" id=\"u_f\" name=\"u[f]\" value=\"7\" required>");
}

Test(inputs, password_never_renders_its_value)
{
    lv_assigns_put(&assigns, "cs", changeset("u", "pw", lv_value_string("hunter2", 7), "hunter3", NULL));
    expect("{{password_input cs \"pw\" value=\"hunter4\" autocomplete=\"new-password\"}}",
           "<input type=\"password\" id=\"u_pw\" name=\"u[pw]\" autocomplete=\"new-password\">");
}

Test(inputs, textarea_keeps_a_leading_newline)
{
    put_str("t", "\nline");
    expect("{{textarea \"p\" \"body\" value=t rows=3}}",
           "<textarea id=\"p_body\" name=\"p[body]\" rows=\"3\">\n\nline</textarea>");
}

Test(inputs, checkbox_with_its_hidden_false)
{
    lv_assigns_put(&assigns, "on", changeset("b", "ok", lv_value_bool(true), NULL, NULL));
    lv_assigns_put(&assigns, "off", changeset("b", "ok", lv_value_bool(true), "false", NULL));
    expect("{{checkbox on \"ok\"}}", "<input type=\"hidden\" name=\"b[ok]\" value=\"false\">"
                                    "<input type=\"checkbox\" id=\"b_ok\" name=\"b[ok]\" value=\"true\" checked>");
    expect("{{checkbox off \"ok\" class=\"c\"}}",
           "<input type=\"hidden\" name=\"b[ok]\" value=\"false\">"
           "<input type=\"checkbox\" id=\"b_ok\" name=\"b[ok]\" value=\"true\" class=\"c\">");
    expect("{{checkbox off \"ok\" checked=true}}",
           "<input type=\"hidden\" name=\"b[ok]\" value=\"false\">"
           "<input type=\"checkbox\" id=\"b_ok\" name=\"b[ok]\" value=\"true\" checked>");
}

Test(inputs, radio_buttons)
{
    lv_assigns_put(&assigns, "cs", changeset("b", "genre", lv_value_string("sci fi", 6), NULL, NULL));
    put_str("x", XSS);
    expect("{{radio_button cs \"genre\" \"sci fi\"}}{{radio_button cs \"genre\" \"poetry\"}}",
           "<input type=\"radio\" id=\"b_genre_sci_fi\" name=\"b[genre]\" value=\"sci fi\" checked>"
           "<input type=\"radio\" id=\"b_genre_poetry\" name=\"b[genre]\" value=\"poetry\">");
    expect("{{radio_button cs \"genre\" x}}",
           "<input type=\"radio\" id=\"b_genre____script_alert__x____script__\" name=\"b[genre]\" value=\"" XSS_ESC
           "\">");
}

Test(inputs, select_and_options)
{
    lv_value genres = lv_value_list();
    lv_value_list_push(&genres, lv_value_string("fiction", 7));
    lv_value_list_push(&genres, lv_value_string("poetry", 6));
    lv_value pair = lv_value_list();
    lv_value_list_push(&pair, lv_value_string("<Essays>", 8));
    lv_value_list_push(&pair, lv_value_string("e&s", 3));
    lv_value_list_push(&genres, pair);
    lv_value labelled = lv_value_map();
    lv_value_map_set(&labelled, "label", lv_value_string("Drama", 5));
    lv_value_map_set(&labelled, "value", lv_value_int(4));
    lv_value_list_push(&genres, labelled);
    lv_assigns_put(&assigns, "genres", genres);
    lv_assigns_put(&assigns, "cs", changeset("b", "genre", lv_value_string("poetry", 6), NULL, NULL));
    expect("{{select cs \"genre\" genres prompt=\"Pick <one>\"}}",
           "<select id=\"b_genre\" name=\"b[genre]\"><option value=\"\">Pick &lt;one&gt;</option>"
           "<option value=\"fiction\">fiction</option><option value=\"poetry\" selected>poetry</option>"
           "<option value=\"e&amp;s\">&lt;Essays&gt;</option><option value=\"4\">Drama</option></select>");
    put_str("sel", "e&s");
    expect("{{options_for_select genres sel}}",
           "<option value=\"fiction\">fiction</option><option value=\"poetry\">poetry</option>"
           "<option value=\"e&amp;s\" selected>&lt;Essays&gt;</option><option value=\"4\">Drama</option>");
    lv_value many = lv_value_list();
    lv_value_list_push(&many, lv_value_string("fiction", 7));
    lv_value_list_push(&many, lv_value_int(4));
    lv_assigns_put(&assigns, "many", many);
    expect("{{options_for_select genres many}}",
           "<option value=\"fiction\" selected>fiction</option><option value=\"poetry\">poetry</option>"
           "<option value=\"e&amp;s\">&lt;Essays&gt;</option><option value=\"4\" selected>Drama</option>");
    lv_value record = lv_value_map();
    lv_value_map_set(&record, "a", lv_value_string("A", 1));
    lv_assigns_put(&assigns, "record", record);
    expect("{{options_for_select record \"A\"}}", "<option value=\"A\" selected>a</option>");
}

Test(inputs, error_tag_only_with_an_error)
{
    lv_assigns_put(&assigns, "ok", changeset("b", "t", lv_value_null(), NULL, NULL));
    lv_assigns_put(&assigns, "bad", changeset("b", "t", lv_value_null(), NULL, "can't be blank"));
    expect("<p>{{error_tag ok \"t\"}}</p>", "<p></p>");
    expect("{{error_tag bad \"t\"}}",
           "<span class=\"invalid-feedback\" phx-feedback-for=\"b[t]\">can&#39;t be blank</span>");
    expect("{{error_tag bad \"t\" class=\"err\" id=\"e\"}}",
           "<span class=\"err\" phx-feedback-for=\"b[t]\" id=\"e\">can&#39;t be blank</span>");
}

Test(inputs, submit)
{
    expect("{{submit \"Save\"}}", "<button type=\"submit\">Save</button>");
    expect("{{submit \"Learn More >\" phx_disable_with=\"Saving...\" disabled=true}}",
           "<button type=\"submit\" phx-disable-with=\"Saving...\" disabled>Learn More &gt;</button>");
}

Test(inputs, bad_calls_render_nothing)
{
    expect("<p>{{text_input 3 \"a\"}}{{text_input null \"\"}}{{text_input null}}{{select null \"a\"}}"
           "{{radio_button null \"a\"}}{{(submit)}}</p>",
           "<p></p>");
}

TestSuite(links, .init = setup, .fini = teardown);

Test(links, live_patch_and_live_redirect)
{
    expect("{{live_patch \"Go to bar\" to=\"/bar?a=b\"}}",
           "<a href=\"/bar?a=b\" data-phx-link=\"patch\" data-phx-link-state=\"push\">Go to bar</a>");
    expect("{{live_redirect \"Books\" to=\"/books\" replace=true class=\"btn\"}}",
           "<a href=\"/books\" data-phx-link=\"redirect\" data-phx-link-state=\"replace\" class=\"btn\">Books</a>");
}

Test(links, query_params_are_encoded)
{
    lv_value q = lv_value_map();
    lv_value_map_set(&q, "q", lv_value_string("a b&c=\"d\"", 9));
    lv_value_map_set(&q, "page", lv_value_int(2));
    lv_assigns_put(&assigns, "q", q);
    expect("{{live_patch \"Next\" to=\"/s\" params=q}}",
           "<a href=\"/s?q=a+b%26c%3D%22d%22&amp;page=2\" data-phx-link=\"patch\" data-phx-link-state=\"push\">"
           "Next</a>");
}

Test(links, escaped_everywhere)
{
    put_str("x", XSS);
    put_str("to", "/a?\"><script>");
    expect("{{live_patch x to=to title=x}}", "<a href=\"/a?&quot;&gt;&lt;script&gt;\" data-phx-link=\"patch\""
                                             " data-phx-link-state=\"push\" title=\"" XSS_ESC "\">" XSS_ESC
                                             "</a>");
}

Test(links, only_local_paths)
{
    const char *bad[] = {"javascript:alert(1)", "//evil.example", "/\\evil.example", "https://evil.example",
                         "", "/a\nb", "relative"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        put_str("to", bad[i]);
        expect("<p>{{live_patch \"x\" to=to}}{{live_redirect \"x\" to=to}}</p>", "<p></p>");
    }
}

Test(links, live_title_tag)
{
    put_str("t", "Books");
    expect("{{live_title_tag t}}", "<title>Books</title>");
    expect("{{live_title_tag t prefix=\"LV · \"}}", "<title data-prefix=\"LV · \">LV · Books</title>");
    put_str("x", XSS);
    expect("{{live_title_tag x prefix=x suffix=x}}", "<title data-prefix=\"" XSS_ESC "\" data-suffix=\"" XSS_ESC
                                                     "\">" XSS_ESC XSS_ESC XSS_ESC "</title>");
    expect("<p>{{live_title_tag t bogus=1}}</p>", "<p></p>");
}
