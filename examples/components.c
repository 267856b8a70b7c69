/* Function components the examples share (docs/function-components.md):
 * the markup of a table, a card and a modal dialog, written once and called
 * as blocks ({{#data_table id="books"}}...{{/data_table}}). Registered by
 * lv_examples_register before any route compiles a template using them. */
#include "examples.h"

/* <table> with the header row in the "header" slot and the rows in the
 * default one. */
static const lv_function_component data_table = {
    .name = "data_table",
    .template_text = "<table id=\"{{id}}\" class=\"{{class}}\">\n"
                     "<thead><tr>{{slot \"header\"}}</tr></thead>\n"
                     "<tbody>{{slot}}</tbody>\n"
                     "</table>",
    .attrs = (const lv_attr_decl[]){{.name = "id", .type = LV_ATTR_STRING, .required = true},
                                    {.name = "class", .type = LV_ATTR_STRING, .default_value = "table"},
                                    {0}},
    .slots = (const char *const[]){"header", NULL},
};

/* A card: an optional heading (the "header" slot, or the title), the
 * content, and an optional footer. */
static const lv_function_component card = {
    .name = "card",
    .template_text = "<section id=\"{{id}}\" class=\"card\">\n"
                     "{{#if slots.header}}{{slot \"header\"}}{{else if title}}<h2>{{title}}</h2>{{/if}}\n"
                     "{{slot}}"
                     "{{#if slots.footer}}<footer>{{slot \"footer\"}}</footer>{{/if}}\n"
                     "</section>",
    .attrs = (const lv_attr_decl[]){{.name = "id", .type = LV_ATTR_STRING, .required = true},
                                    {.name = "title", .type = LV_ATTR_STRING},
                                    {0}},
    .slots = (const char *const[]){"header", "footer", NULL},
};

/* A dialog, hidden until a JS command shows it (js_show to="#id" sets its
 * display over the hidden attribute; no inline style, for the CSP). */
static const lv_function_component modal = {
    .name = "modal",
    .template_text = "<div id=\"{{id}}\" class=\"panel\" role=\"dialog\" aria-label=\"{{label}}\" "
                     "hidden>{{slot}}</div>",
    .attrs = (const lv_attr_decl[]){{.name = "id", .type = LV_ATTR_STRING, .required = true},
                                    {.name = "label", .type = LV_ATTR_STRING, .required = true},
                                    {0}},
};

int lv_examples_components_register(void)
{
    return lv_function_component_register(&data_table) != 0 || lv_function_component_register(&card) != 0 ||
                   lv_function_component_register(&modal) != 0
               ? -1
               : 0;
}
