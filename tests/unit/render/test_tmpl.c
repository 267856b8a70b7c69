/* The template compiler: statics and slots, the HTML context of each slot,
 * blocks, partials, helpers, dependencies, fingerprints, and parse errors
 * with the template, line and column. */
#include <criterion/criterion.h>
#include <string.h>

#include "render/registry.h"
#include "render/tmpl.h"

static lv_tmpl *compile(const char *text)
{
    lv_tmpl_error err = {0};
    lv_tmpl *t = lv_tmpl_compile("test", text, strlen(text), &err);
    cr_assert_not_null(t, "compile failed: %s", err.message);
    return t;
}

static void assert_block_statics(const lv_tmpl_block *b, size_t n, const char *const *expected)
{
    cr_assert_eq(b->dyn_count + 1, n, "expected %zu statics, got %u", n, b->dyn_count + 1);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(b->static_lens[i], strlen(expected[i]), "length of static %zu", i);
        cr_assert_eq(memcmp(b->statics[i], expected[i], b->static_lens[i]), 0, "static %zu: \"%.*s\"", i,
                     (int)b->static_lens[i], b->statics[i]);
    }
}

#define STATICS(...) (sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)), (const char *[]){__VA_ARGS__}
#define assert_statics(t, ...) assert_block_statics((t)->root, __VA_ARGS__)
#define ASSIGN_OF(t, dyn) ((t)->assign_names[(dyn)->expr->id])

Test(tmpl, splits_statics_and_slot)
{
    lv_tmpl *t = compile("<h1>Count: {{count}}</h1>");
    assert_statics(t, STATICS("<h1>Count: ", "</h1>"));
    cr_assert_eq(t->slot_count, 1);
    cr_assert_str_eq(ASSIGN_OF(t, &t->root->dyns[0]), "count");
    cr_assert_eq(t->root->dyns[0].kind, LV_DYN_TEXT);
    cr_assert_eq(t->root->dyns[0].line, 1);
    cr_assert_str_eq(t->name, "test");
    lv_tmpl_free(t);
}

Test(tmpl, adjacent_leading_trailing_and_whitespace)
{
    lv_tmpl *t = compile("{{a}}{{ b }}{{\n\tc\n}} mid {{d}}");
    assert_statics(t, STATICS("", "", "", " mid ", ""));
    cr_assert_str_eq(ASSIGN_OF(t, &t->root->dyns[1]), "b");
    cr_assert_str_eq(ASSIGN_OF(t, &t->root->dyns[2]), "c");
    cr_assert_str_eq(t->root->statics_json, "[\"\",\"\",\"\",\" mid \",\"\"]");
    lv_tmpl_free(t);
}

Test(tmpl, lone_braces_css_and_js_are_text)
{
    lv_tmpl *t = compile("a { b } c }} d {x} { {y} } {{v}} }");
    assert_statics(t, STATICS("a { b } c }} d {x} { {y} } ", " }"));
    lv_tmpl_free(t);
    t = compile("<style>p { color: red }</style><script>if (a < b) { f({}) }</script>{{n}}");
    assert_statics(t, STATICS("<style>p { color: red }</style><script>if (a < b) { f({}) }</script>", ""));
    cr_assert_eq(t->root->dyns[0].kind, LV_DYN_TEXT, "after a script, back to text");
    lv_tmpl_free(t);
    t = compile("x {");
    assert_statics(t, STATICS("x {"));
    lv_tmpl_free(t);
    t = compile("{{a}}}");
    assert_statics(t, STATICS("", "}"));
    lv_tmpl_free(t);
}

Test(tmpl, escaped_braces_and_comments)
{
    lv_tmpl *t = compile("\\{{not}} {{! a comment }}{{!-- a {{long}} one --}}{{x}}");
    assert_statics(t, STATICS("{{not}} ", ""));
    lv_tmpl_free(t);
}

Test(tmpl, statics_json_exact_bytes)
{
    lv_tmpl *t = compile("<h1 id=\"count\">{{count}}</h1><button phx-click=\"inc\">+</button>");
    const char *expected = "[\"\\u003ch1 id=\\\"count\\\"\\u003e\","
                           "\"\\u003c/h1\\u003e\\u003cbutton phx-click=\\\"inc\\\"\\u003e+\\u003c/button\\u003e\"]";
    cr_assert_str_eq(t->root->statics_json, expected);
    cr_assert_eq(t->root->statics_json_len, strlen(expected));
    lv_tmpl_free(t);
    t = compile("a\n&\t{{x}}\\");
    cr_assert_str_eq(t->root->statics_json, "[\"a\\n\\u0026\\t\",\"\\\\\"]");
    lv_tmpl_free(t);
}

Test(tmpl, slot_lines)
{
    lv_tmpl *t = compile("<div>\n  {{a}}\n\n  <p>{{b}}</p>\n{{\nc\n}} {{d}}\n</div>");
    cr_assert_eq(t->slot_count, 4);
    cr_assert_eq(t->root->dyns[0].line, 2);
    cr_assert_eq(t->root->dyns[1].line, 4);
    cr_assert_eq(t->root->dyns[2].line, 5, "a slot's line is where its {{ is");
    cr_assert_eq(t->root->dyns[3].line, 7, "newlines inside a tag are counted");
    lv_tmpl_free(t);
}

Test(tmpl, embedded_nul_and_length_bound)
{
    const char text[] = "a\0b{{x}}\0";
    lv_tmpl_error err = {0};
    lv_tmpl *t = lv_tmpl_compile("nul", text, sizeof text - 1, &err);
    cr_assert_not_null(t, "%s", err.message);
    cr_assert_eq(t->root->static_lens[0], 3);
    cr_assert_eq(memcmp(t->root->statics[0], "a\0b", 3), 0);
    cr_assert_str_eq(t->root->statics_json, "[\"a\\u0000b\",\"\\u0000\"]");
    lv_tmpl_free(t);
    t = lv_tmpl_compile("prefix", "{{a}}xyz{{b}}", 7, &err);
    cr_assert_not_null(t, "%s", err.message);
    assert_statics(t, STATICS("", "xy"));
    lv_tmpl_free(t);
}

Test(tmpl, html_context_decides_the_slot_kind)
{
    lv_tmpl *t = compile("<input class=\"a {{cls}}\" title='{{t}}' checked={{done}} {{attrs}} value = {{v}}>"
                         "{{{raw}}}<!-- {{c}} -->");
    assert_statics(t, STATICS("<input class=\"a ", "\" title='", "' ", " ", " ", ">", "<!-- ", " -->"));
    lv_tmpl_dyn *d = t->root->dyns;
    cr_assert_eq(d[0].kind, LV_DYN_TEXT);
    cr_assert_eq(d[1].kind, LV_DYN_TEXT);
    cr_assert_eq(d[2].kind, LV_DYN_ATTR);
    cr_assert_str_eq(d[2].attr_name, "checked");
    cr_assert_eq(d[3].kind, LV_DYN_ATTRS);
    cr_assert_eq(d[4].kind, LV_DYN_ATTR);
    cr_assert_str_eq(d[4].attr_name, "value");
    cr_assert_eq(d[5].kind, LV_DYN_RAW);
    cr_assert_eq(d[6].kind, LV_DYN_TEXT);
    lv_tmpl_free(t);
}

Test(tmpl, dotted_paths_locals_and_literals)
{
    lv_tmpl *t = compile("{{user.name}}{{items.0.id}}{{#each items as item, i}}{{item.x}}{{i}}{{user}}{{/each}}");
    lv_tmpl_dyn *d = t->root->dyns;
    cr_assert_eq(d[0].expr->base, LV_BASE_ASSIGN);
    cr_assert_eq(d[0].expr->seg_count, 1);
    cr_assert_str_eq(d[0].expr->segs[0].key, "name");
    cr_assert_eq(d[1].expr->seg_count, 2);
    cr_assert_null(d[1].expr->segs[0].key);
    cr_assert_eq(d[1].expr->segs[0].index, 0);
    cr_assert_eq(d[2].kind, LV_DYN_EACH);
    lv_tmpl_dyn *body = d[2].body->dyns;
    cr_assert_eq(body[0].expr->base, LV_BASE_LOCAL);
    cr_assert_eq(body[0].expr->id, d[2].item_local);
    cr_assert_eq(body[1].expr->id, d[2].index_local);
    cr_assert_eq(body[2].expr->base, LV_BASE_ASSIGN);
    /* The loop's row hash covers "user", read from outside. */
    cr_assert_eq(d[2].free_var_count, 1);
    cr_assert_eq(d[2].free_vars[0].base, LV_BASE_ASSIGN);
    cr_assert_eq(t->assign_count, 2, "user and items");
    lv_tmpl_free(t);
}

static bool deps_has(const lv_tmpl *t, const lv_tmpl_dyn *d, const char *name)
{
    for (uint32_t i = 0; i < t->assign_count; i++)
        if (strcmp(t->assign_names[i], name) == 0) return (d->deps[i / 64] >> (i % 64)) & 1;
    return false;
}

Test(tmpl, dependencies_include_nested_blocks)
{
    lv_tmpl *t = compile("{{#if a}}{{b}}{{#each c as x}}{{x}}{{d}}{{/each}}{{else}}{{e}}{{/if}}{{f}}");
    const lv_tmpl_dyn *cond = &t->root->dyns[0];
    cr_assert(deps_has(t, cond, "a"));
    cr_assert(deps_has(t, cond, "b"));
    cr_assert(deps_has(t, cond, "c"));
    cr_assert(deps_has(t, cond, "d"));
    cr_assert(deps_has(t, cond, "e"));
    cr_assert_not(deps_has(t, cond, "f"));
    cr_assert(deps_has(t, &t->root->dyns[1], "f"));
    cr_assert_not(deps_has(t, &t->root->dyns[1], "a"));
    cr_assert_eq(t->state_count, 2, "the if and the loop outside rows keep state");
    lv_tmpl_free(t);
}

Test(tmpl, branches_and_fingerprints)
{
    lv_tmpl *t = compile("{{#if a}}<b>{{x}}</b>{{else if b}}<b>{{y}}</b>{{else unless c}}<i>{{x}}</i>{{else}}z{{/if}}");
    const lv_tmpl_dyn *d = &t->root->dyns[0];
    cr_assert_eq(d->branch_count, 4);
    cr_assert_not(d->branches[0].negate);
    cr_assert(d->branches[2].negate);
    cr_assert_null(d->branches[3].cond);
    cr_assert_eq(d->branches[0].body->fingerprint, d->branches[1].body->fingerprint, "same statics");
    cr_assert_neq(d->branches[0].body->fingerprint, d->branches[2].body->fingerprint);
    lv_tmpl_free(t);
}

Test(tmpl, partials_are_inlined_with_arguments)
{
    lv_partial("row", "<li>{{item.name}}{{> cell v=item.id}}</li>");
    lv_partial("cell", "<td>{{v}}</td>");
    lv_tmpl *t = compile("<ul>{{#each rows as r}}{{> row item=r}}{{/each}}</ul>");
    const lv_tmpl_dyn *loop = &t->root->dyns[0];
    assert_block_statics(loop->body, STATICS("<li>", "<td>", "</td></li>"));
    cr_assert_eq(loop->body->dyns[0].expr->base, LV_BASE_LOCAL);
    cr_assert_str_eq(loop->body->dyns[0].expr->segs[0].key, "name");
    cr_assert_str_eq(loop->body->dyns[1].expr->segs[0].key, "id");
    cr_assert_str_eq(loop->body->dyns[1].expr->source, "cell", "a slot knows the partial it came from");
    lv_tmpl_free(t);
}

Test(tmpl, helpers_are_resolved_at_compile_time)
{
    lv_tmpl *t = compile("{{pluralize n \"item\"}}{{#if (eq a 1)}}x{{/if}}{{format_number total sep=\".\"}}");
    cr_assert_eq(t->root->dyns[0].expr->base, LV_BASE_CALL);
    cr_assert_eq(t->root->dyns[0].expr->arg_count, 2);
    cr_assert_eq(t->root->dyns[1].branches[0].cond->base, LV_BASE_CALL);
    cr_assert_eq(t->root->dyns[2].expr->named_count, 1);
    cr_assert_str_eq(t->root->dyns[2].expr->named[0].key, "sep");
    lv_tmpl_free(t);
}

Test(tmpl, component_slot)
{
    lv_tmpl *t = compile("<div>{{component \"card\" id=\"c1\" title=t}}</div>");
    cr_assert_eq(t->root->dyns[0].kind, LV_DYN_COMPONENT);
    cr_assert_str_eq(t->root->dyns[0].attr_name, "card");
    cr_assert_eq(t->root->dyns[0].named_count, 2);
    lv_tmpl_free(t);
}

/* Errors: NULL, and the line, column and a message naming the template. */

static void assert_error(const char *text, int line, int col, const char *message)
{
    lv_tmpl_error err = {0};
    lv_tmpl *t = lv_tmpl_compile("counter", text, strlen(text), &err);
    cr_assert_null(t, "expected an error for \"%s\"", text);
    cr_assert_eq(err.line, line, "line: got %d, want %d (%s)", err.line, line, err.message);
    cr_assert_eq(err.col, col, "column: got %d, want %d (%s)", err.col, col, err.message);
    cr_assert_str_eq(err.message, message);
}

Test(tmpl_error, unterminated)
{
    assert_error("<p>{{count</p>", 1, 4, "counter: line 1, column 4: unterminated {{ ... }}");
    assert_error("{{", 1, 1, "counter: line 1, column 1: unterminated {{ ... }}");
    assert_error("{{ x }", 1, 1, "counter: line 1, column 1: unterminated {{ ... }}");
    assert_error("<div>\n<p>\n    {{ count\n</p>", 3, 5, "counter: line 3, column 5: unterminated {{ ... }}");
    assert_error("{{a}} {{b", 1, 7, "counter: line 1, column 7: unterminated {{ ... }}");
    assert_error("{{{x}}", 1, 1, "counter: line 1, column 1: unterminated {{{ ... }}}");
    assert_error("x {{! oops", 1, 3, "counter: line 1, column 3: unterminated {{! comment");
}

Test(tmpl_error, empty_and_bad_expressions)
{
    assert_error("x{{}}", 1, 2, "counter: line 1, column 2: empty {{ }}: expected an expression");
    assert_error("\n  {{  \n }}", 2, 3, "counter: line 2, column 3: empty {{ }}: expected an expression");
    assert_error("{{ 1x }}", 1, 5, "counter: line 1, column 5: unexpected \"x\" after the expression");
    assert_error("<b>{{ a b }}</b>", 1, 7, "counter: line 1, column 7: unknown helper \"a\"");
    assert_error("ok {{a}}\nline two\n  {{\n  a-b }}", 4, 3, "counter: line 4, column 3: unknown helper \"a\"");
    assert_error("{{ \"open }}", 1, 4, "counter: line 1, column 4: unterminated string");
    assert_error("{{ a.b. }}", 1, 7, "counter: line 1, column 7: unexpected \".\" after the expression");
}

Test(tmpl_error, blocks)
{
    assert_error("<ul>\n{{#each items as item}}\n<li>{{item}}</li>\n", 2, 1,
                 "counter: line 2, column 1: {{#each}} is never closed (expected {{/each}})");
    assert_error("{{#if a}}x{{/each}}", 1, 11, "counter: line 1, column 11: expected {{/if}} to close the {{#if}} of line 1");
    assert_error("{{#if a}}x{{else}}y{{else}}z{{/if}}", 1, 20, "counter: line 1, column 20: {{else}} after {{else}}");
    assert_error("x{{/if}}", 1, 2, "counter: line 1, column 2: {{/if}} without a matching opening block");
    assert_error("x\n {{else}}", 2, 2, "counter: line 2, column 2: {{else}} outside {{#if}}");
    assert_error("{{#each items}}x{{/each}}", 1, 14,
                 "counter: line 1, column 14: expected \"as item\" after the list of {{#each}}");
    assert_error("{{#while x}}{{/while}}", 1, 4,
                 "counter: line 1, column 4: unknown block \"{{#while x\": expected #if, #unless, #each or #stream");
    assert_error("{{#if}}x{{/if}}", 1, 6, "counter: line 1, column 6: expected an expression");
    assert_error("{{#each xs as x}}a{{else}}b{{/each}}", 1, 19,
                 "counter: line 1, column 19: {{#each}} has no {{else}}; use {{#unless list}} after the loop");
}

Test(tmpl_error, html_context)
{
    assert_error("<a href=x{{url}}>", 1, 10, "counter: line 1, column 10: quote an attribute value that holds {{ }}: name=\"...{{x}}...\"");
    assert_error("<a href={{url}}x>", 1, 16, "counter: line 1, column 16: put a space or > after name={{ }}");
    assert_error("<a hr{{x}}=1>", 1, 6, "counter: line 1, column 6: {{ }} cannot make a tag or attribute name");
    assert_error("<{{tag}}>", 1, 2, "counter: line 1, column 2: {{ }} cannot make a tag or attribute name");
    assert_error("<div {{component \"c\"}}>", 1, 6,
                 "counter: line 1, column 6: a component goes where an element could, not inside a tag");
}

Test(tmpl_error, partials_and_helpers)
{
    assert_error("{{> nowhere}}", 1, 5, "counter: line 1, column 5: unknown partial \"nowhere\"");
    lv_partial("loop_a", "{{> loop_b}}");
    lv_partial("loop_b", "{{> loop_a}}");
    lv_tmpl_error err = {0};
    cr_assert_null(lv_tmpl_compile("counter", "{{> loop_a}}", 12, &err));
    cr_assert(strstr(err.message, "partials nested more than 16 deep"), "%s", err.message);
    lv_partial("broken", "ok\n  {{#if x}}");
    cr_assert_null(lv_tmpl_compile("counter", "a{{> broken}}", 13, &err));
    cr_assert_str_eq(err.message, "broken: line 2, column 3: {{#if}} is never closed (expected {{/if}})",
                     "a partial's error names the partial");
    assert_error("{{(nothelper 1)}}", 1, 4, "counter: line 1, column 4: unknown helper \"nothelper\"");
    assert_error("{{> row 1}}", 1, 9, "counter: line 1, column 9: a partial takes key=value arguments only");
}

Test(tmpl_error, nesting_is_bounded)
{
    lv_buf b = LV_BUF_INIT;
    for (int i = 0; i < 100; i++) lv_buf_puts(&b, "{{#if a}}");
    lv_tmpl_error err = {0};
    cr_assert_null(lv_tmpl_compile("deep", b.data, b.len, &err));
    cr_assert(strstr(err.message, "blocks nested more than 64 deep"), "%s", err.message);
    lv_buf_free(&b);
}

Test(tmpl_error, null_err_and_long_names)
{
    cr_assert_null(lv_tmpl_compile("t", "{{", 2, NULL));
    char name[400];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    lv_tmpl_error err = {0};
    cr_assert_null(lv_tmpl_compile(name, "{{", 2, &err));
    cr_assert_eq(err.line, 1);
    cr_assert_eq(err.col, 1);
    cr_assert_eq(strlen(err.message), sizeof err.message - 1);
    cr_assert_eq(strncmp(err.message, name, 50), 0);
}
