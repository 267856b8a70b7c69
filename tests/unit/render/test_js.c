/* JS commands: the builder's JSON byte for byte (argument names as the
 * 1.2.12 client's js.js reads them), the template helpers, and escaping
 * inside an attribute. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "render/render.h"
#include "render/tmpl.h"
#include "util/value.h"

static void expect_js(lv_js *js, const char *json)
{
    const char *got = lv_js_json(js);
    cr_assert_not_null(got, "invalid, want %s", json);
    cr_assert_str_eq(got, json, "\n got: %s\nwant: %s", got, json);
    lv_js_free(js);
}

static void expect_invalid(lv_js *js)
{
    cr_assert_null(lv_js_json(js));
    lv_js_free(js);
}

Test(js, empty)
{
    expect_js(lv_js_new(), "[]");
}

Test(js, show_hide_toggle)
{
    expect_js(lv_js_show(lv_js_new(), NULL), "[[\"show\",{}]]");
    expect_js(lv_js_show(lv_js_new(),
                         &(lv_js_opts){.to = "#panel",
                                       .time = 300,
                                       .transition = {"fade-in-scale another", "opacity-0", "opacity-100 x"},
                                       .display = "flex",
                                       .non_blocking = true}),
              "[[\"show\",{\"to\":\"#panel\",\"time\":300,\"transition\":[[\"fade-in-scale\",\"another\"],"
              "[\"opacity-0\"],[\"opacity-100\",\"x\"]],\"display\":\"flex\",\"blocking\":false}]]");
    expect_js(lv_js_hide(lv_js_new(), &(lv_js_opts){.to = "#a", .transition = {"fade-out"}}),
              "[[\"hide\",{\"to\":\"#a\",\"transition\":[[\"fade-out\"],[],[]]}]]");
    expect_js(lv_js_toggle(lv_js_new(), &(lv_js_opts){.to = "#m", .in = {"a", "b", "c"}, .out = {"d"}, .display = "grid"}),
              "[[\"toggle\",{\"to\":\"#m\",\"ins\":[[\"a\"],[\"b\"],[\"c\"]],\"outs\":[[\"d\"],[],[]],"
              "\"display\":\"grid\"}]]");
}

Test(js, classes_and_transition)
{
    expect_js(lv_js_add_class(lv_js_new(), "  bold\tred ", &(lv_js_opts){.to = "#t"}),
              "[[\"add_class\",{\"names\":[\"bold\",\"red\"],\"to\":\"#t\"}]]");
    expect_js(lv_js_remove_class(lv_js_new(), "red", NULL), "[[\"remove_class\",{\"names\":[\"red\"]}]]");
    expect_js(lv_js_toggle_class(lv_js_new(), "on", &(lv_js_opts){.time = 50, .transition = {"t"}}),
              "[[\"toggle_class\",{\"names\":[\"on\"],\"time\":50,\"transition\":[[\"t\"],[],[]]}]]");
    expect_js(lv_js_transition(lv_js_new(), &(lv_js_opts){.to = "#x", .time = 300, .transition = {"shake"}}),
              "[[\"transition\",{\"transition\":[[\"shake\"],[],[]],\"to\":\"#x\",\"time\":300}]]");
    expect_invalid(lv_js_add_class(lv_js_new(), NULL, NULL));
}

Test(js, attributes)
{
    expect_js(lv_js_set_attr(lv_js_new(), "aria-expanded", "true", &(lv_js_opts){.to = "#m"}),
              "[[\"set_attr\",{\"attr\":[\"aria-expanded\",\"true\"],\"to\":\"#m\"}]]");
    expect_js(lv_js_remove_attr(lv_js_new(), "disabled", NULL), "[[\"remove_attr\",{\"attr\":\"disabled\"}]]");
    expect_invalid(lv_js_set_attr(lv_js_new(), "", "x", NULL));
    expect_invalid(lv_js_remove_attr(lv_js_new(), NULL, NULL));
}

Test(js, dispatch_and_push)
{
    expect_js(lv_js_dispatch(lv_js_new(), "copy", NULL, NULL), "[[\"dispatch\",{\"event\":\"copy\"}]]");
    lv_value *n = lv_list_new();
    lv_list_push_int(n, 1);
    lv_list_push(n, lv_value_new_double(2.5));
    lv_list_push(n, lv_value_new_bool(true));
    lv_list_push(n, lv_value_new_null());
    lv_value *detail = lv_map_new();
    lv_map_set_str(detail, "text", "</script>");
    lv_map_set(detail, "n", n);
    expect_js(lv_js_dispatch(lv_js_new(), "copy", detail, &(lv_js_opts){.to = "#c", .no_bubbles = true}),
              "[[\"dispatch\",{\"event\":\"copy\",\"detail\":{\"text\":\"\\u003c/script\\u003e\",\"n\":[1,2.5,true,"
              "null]},\"bubbles\":false,\"to\":\"#c\"}]]");
    lv_value_delete(detail);
    expect_js(lv_js_push(lv_js_new(), "my_event", NULL, NULL), "[[\"push\",{\"event\":\"my_event\"}]]");
    lv_value *by = lv_map_new();
    lv_map_set_int(by, "by", 2);
    expect_js(lv_js_push(lv_js_new(), "inc", by,
                         &(lv_js_opts){.target = "#c", .loading = "#spin", .page_loading = true}),
              "[[\"push\",{\"event\":\"inc\",\"value\":{\"by\":2},\"target\":\"#c\",\"loading\":\"#spin\","
              "\"page_loading\":true}]]");
    lv_value_delete(by);
    expect_invalid(lv_js_dispatch(lv_js_new(), NULL, NULL, NULL));
}

/* Payloads are maps that JSON can carry; anything else drops the command
 * and poisons the list. */
Test(js, bad_payloads_are_refused)
{
    lv_value *list = lv_list_new(), *text = lv_value_new_str("{\"by\":2}"), *nan = lv_map_new();
    lv_list_push_int(list, 1);
    lv_map_set_double(nan, "x", NAN);
    const lv_value *bad[] = {list, text, nan};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        expect_invalid(lv_js_push(lv_js_new(), "inc", bad[i], NULL));
        expect_invalid(lv_js_dispatch(lv_js_new(), "copy", bad[i], NULL));
    }
    lv_value_delete(list);
    lv_value_delete(text);
    lv_value_delete(nan);
}

Test(js, focus_navigation_exec)
{
    expect_js(lv_js_focus(lv_js_new(), &(lv_js_opts){.to = "#name"}), "[[\"focus\",{\"to\":\"#name\"}]]");
    expect_js(lv_js_navigate(lv_js_new(), "/books", false), "[[\"navigate\",{\"href\":\"/books\"}]]");
    expect_js(lv_js_patch(lv_js_new(), "/js?tab=2", true), "[[\"patch\",{\"href\":\"/js?tab=2\",\"replace\":true}]]");
    expect_js(lv_js_exec(lv_js_new(), "data-cancel", &(lv_js_opts){.to = "#modal"}),
              "[[\"exec\",{\"attr\":\"data-cancel\",\"to\":\"#modal\"}]]");
    expect_invalid(lv_js_navigate(lv_js_new(), "javascript:alert(1)", false));
    expect_invalid(lv_js_patch(lv_js_new(), "//evil.example", false));
}

Test(js, attributes_and_the_focus_stack)
{
    expect_js(lv_js_toggle_attr(lv_js_new(), "open", "true", NULL, &(lv_js_opts){.to = "#d"}),
              "[[\"toggle_attr\",{\"attr\":[\"open\",\"true\"],\"to\":\"#d\"}]]");
    expect_js(lv_js_toggle_attr(lv_js_new(), "aria-expanded", "true", "false", NULL),
              "[[\"toggle_attr\",{\"attr\":[\"aria-expanded\",\"true\",\"false\"]}]]");
    expect_js(lv_js_ignore_attrs(lv_js_new(), " open  data-* ", &(lv_js_opts){.to = "#d"}),
              "[[\"ignore_attrs\",{\"attrs\":[\"open\",\"data-*\"],\"to\":\"#d\"}]]");
    expect_js(lv_js_focus_first(lv_js_new(), &(lv_js_opts){.to = "#dialog"}),
              "[[\"focus_first\",{\"to\":\"#dialog\"}]]");
    expect_js(lv_js_pop_focus(lv_js_push_focus(lv_js_new(), NULL)), "[[\"push_focus\",{}],[\"pop_focus\",{}]]");
    expect_invalid(lv_js_toggle_attr(lv_js_new(), "", "x", NULL, NULL));
    expect_invalid(lv_js_toggle_attr(lv_js_new(), "open", NULL, NULL, NULL));
    expect_invalid(lv_js_ignore_attrs(lv_js_new(), "  ", NULL));
    expect_invalid(lv_js_ignore_attrs(lv_js_new(), NULL, NULL));
}

Test(js, chains_and_an_invalid_command_poisons_the_list)
{
    lv_js *js = lv_js_new();
    lv_js_push(lv_js_add_class(lv_js_show(js, &(lv_js_opts){.to = "#p"}), "open", NULL), "opened", NULL, NULL);
    expect_js(js, "[[\"show\",{\"to\":\"#p\"}],[\"add_class\",{\"names\":[\"open\"]}],"
                  "[\"push\",{\"event\":\"opened\"}]]");
    js = lv_js_new();
    lv_value *nope = lv_value_new_str("nope");
    lv_js_hide(lv_js_push(lv_js_show(js, NULL), "x", nope, NULL), NULL);
    lv_value_delete(nope);
    expect_invalid(js);
}

Test(js, strings_are_json_escaped)
{
    expect_js(lv_js_add_class(lv_js_new(), "a\"b", &(lv_js_opts){.to = "[data-x=\"<&>\"]\\"}),
              "[[\"add_class\",{\"names\":[\"a\\\"b\"],\"to\":\"[data-x=\\\"\\u003c\\u0026\\u003e\\\"]\\\\\"}]]");
}

/* ---- In templates ---------------------------------------------------------------- */

static lv_assigns assigns;

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
    lv_tmpl *t = lv_tmpl_compile("js", text, strlen(text), &err);
    cr_assert_not_null(t, "%s", err.message);
    lv_buf out = LV_BUF_INIT;
    lv_render_html(t, &assigns, &out);
    cr_assert_str_eq(out.data ? out.data : "", html, "template: %s\n got: %s\nwant: %s", text,
                     out.data ? out.data : "", html);
    lv_buf_free(&out);
    lv_tmpl_free(t);
}

TestSuite(js_helpers, .init = setup, .fini = teardown);

Test(js_helpers, a_command_in_an_attribute_is_escaped_once_more)
{
    expect("<button phx-click={{js_toggle to=\"#menu\"}}>",
           "<button phx-click=\"[[&quot;toggle&quot;,{&quot;to&quot;:&quot;#menu&quot;}]]\">");
    expect("<button phx-click=\"{{js_hide to=\"#a\"}}\">",
           "<button phx-click=\"[[&quot;hide&quot;,{&quot;to&quot;:&quot;#a&quot;}]]\">");
}

Test(js_helpers, every_command)
{
    lv_value detail = lv_value_map();
    lv_value_map_set(&detail, "n", lv_value_int(1));
    lv_assigns_put(&assigns, "detail", detail);
    expect("{{{js_show to=\"#p\" time=300 transition=\"fade|opacity-0|opacity-100\" display=\"flex\" "
           "blocking=false}}}",
           "[[\"show\",{\"to\":\"#p\",\"time\":300,\"transition\":[[\"fade\"],[\"opacity-0\"],[\"opacity-100\"]],"
           "\"display\":\"flex\",\"blocking\":false}]]");
    expect("{{{js_toggle to=\"#p\" in=\"a|b|c\" out=\"d\"}}}",
           "[[\"toggle\",{\"to\":\"#p\",\"ins\":[[\"a\"],[\"b\"],[\"c\"]],\"outs\":[[\"d\"],[],[]]}]]");
    expect("{{{js_add_class \"a b\" to=\"#x\"}}}{{{js_remove_class \"a\"}}}{{{js_toggle_class \"c\"}}}",
           "[[\"add_class\",{\"names\":[\"a\",\"b\"],\"to\":\"#x\"}]]"
           "[[\"remove_class\",{\"names\":[\"a\"]}]][[\"toggle_class\",{\"names\":[\"c\"]}]]");
    expect("{{{js_transition \"shake\" to=\"#x\" time=500}}}",
           "[[\"transition\",{\"transition\":[[\"shake\"],[],[]],\"to\":\"#x\",\"time\":500}]]");
    expect("{{{js_set_attr \"data-n\" 3 to=\"#x\"}}}{{{js_remove_attr \"hidden\"}}}",
           "[[\"set_attr\",{\"attr\":[\"data-n\",\"3\"],\"to\":\"#x\"}]][[\"remove_attr\",{\"attr\":\"hidden\"}]]");
    expect("{{{js_dispatch \"hi\" detail=detail bubbles=false}}}{{{js_push \"inc\" value=detail}}}",
           "[[\"dispatch\",{\"event\":\"hi\",\"detail\":{\"n\":1},\"bubbles\":false}]]"
           "[[\"push\",{\"event\":\"inc\",\"value\":{\"n\":1}}]]");
    expect("{{{js_focus to=\"#i\"}}}{{{js_navigate \"/books\"}}}{{{js_patch \"/js?t=1\" replace=true}}}"
           "{{{js_exec \"data-x\" to=\"#m\"}}}",
           "[[\"focus\",{\"to\":\"#i\"}]][[\"navigate\",{\"href\":\"/books\"}]]"
           "[[\"patch\",{\"href\":\"/js?t=1\",\"replace\":true}]][[\"exec\",{\"attr\":\"data-x\",\"to\":\"#m\"}]]");
}

Test(js_helpers, attribute_and_focus_commands)
{
    expect("{{{js_toggle_attr \"open\" \"true\" to=\"#d\"}}}{{{js_toggle_attr \"aria-expanded\" \"true\" \"false\"}}}",
           "[[\"toggle_attr\",{\"attr\":[\"open\",\"true\"],\"to\":\"#d\"}]]"
           "[[\"toggle_attr\",{\"attr\":[\"aria-expanded\",\"true\",\"false\"]}]]");
    expect("{{{js_ignore_attrs \"open\" to=\"#d\"}}}{{{js_focus_first to=\"#m\"}}}{{{(js_push_focus)}}}{{{(js_pop_focus)}}}",
           "[[\"ignore_attrs\",{\"attrs\":[\"open\"],\"to\":\"#d\"}]][[\"focus_first\",{\"to\":\"#m\"}]]"
           "[[\"push_focus\",{}]][[\"pop_focus\",{}]]");
    expect("<p>{{js_toggle_attr \"open\"}}{{js_ignore_attrs}}{{js_pop_focus \"x\"}}{{js_focus_first \"x\"}}"
           "{{js_toggle_attr \"a\" \"b\" \"c\" \"d\"}}</p>",
           "<p></p>");
}

Test(js_helpers, js_chains_lists)
{
    expect("{{{js (js_show to=\"#a\") null (js_push \"opened\")}}}",
           "[[\"show\",{\"to\":\"#a\"}],[\"push\",{\"event\":\"opened\"}]]");
    expect("{{{(js)}}}", "[]");
}

Test(js_helpers, mistakes_render_nothing)
{
    expect("<p>{{js_show tu=\"#a\"}}{{js_add_class}}{{js_navigate \"http://x\"}}{{js \"nope\"}}"
           "{{js_show time=\"slow\"}}{{js_push \"e\" value=\"str\"}}</p>",
           "<p></p>");
}

Test(js_helpers, value_json_of_every_kind)
{
    lv_value v = lv_value_map();
    lv_value list = lv_value_list();
    lv_value_list_push(&list, lv_value_double(0.5));
    lv_value_list_push(&list, lv_value_null());
    lv_value_list_push(&list, lv_value_bool(false));
    lv_value_list_push(&list, lv_value_safe("<b>", 3));
    lv_value_map_set(&v, "l", list);
    lv_buf out = LV_BUF_INIT;
    lv_value_append_json(&v, &out);
    cr_assert_str_eq(out.data, "{\"l\":[0.5,null,false,\"\\u003cb\\u003e\"]}");
    lv_buf_free(&out);
    lv_value_free(&v);
}
