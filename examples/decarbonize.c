/* Decarbonize: a carbon-footprint page made of components.
 *
 * - "calculator" (id "calc") is a stateful component: its own assigns, its
 *   own form and buttons whose events carry phx-target="{{myself}}" and so
 *   reach its handle_event, not the view's. It computes a yearly footprint
 *   and tells the page with lv_send_parent.
 * - The page (the parent view) takes the numbers in handle_info and draws
 *   them with a function component, the partial co2_bar.html, called with
 *   arguments: {{> co2_bar key="car" label="Car" tons=car max=max}}.
 * - "goal" is a second stateful component, twice (ids "world" and "paris"):
 *   the page passes it the total, and its update runs whenever the total
 *   changes. Its "Why?" button is its own state, kept across those updates.
 *
 * main.c registers both components (lv_component_register) before the
 * route. docs/components.md walks through this file. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "examples.h"

/* ---- the model: rough yearly tonnes of CO2e per person ---- */

typedef struct choice {
    const char *value, *label;
    double factor;
} choice;

/* kg per mile driven */
static const choice VEHICLES[] = {
    {"gas", "Gas car", 0.40},
    {"hybrid", "Hybrid", 0.25},
    {"electric", "Electric", 0.10},
    {"none", "No car", 0.0},
};
/* tonnes a year */
static const choice DIETS[] = {
    {"meat", "Meat lover", 3.3},
    {"average", "Some meat", 2.5},
    {"vegetarian", "Vegetarian", 1.7},
    {"vegan", "Vegan", 1.5},
};
static const choice HOMES[] = {
    {"oil", "Oil boiler", 3.0},
    {"gas", "Gas boiler", 2.2},
    {"electric", "Electric heaters", 1.4},
    {"heat_pump", "Heat pump", 0.6},
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#define MILES_MAX 5000
#define SCALE_MIN 16.0 /* the bars' full width, in tonnes, unless the total is larger */

typedef struct inputs {
    size_t vehicle, diet, home; /* indexes into the tables */
    int64_t miles;              /* per week */
} inputs;

static const inputs DEFAULTS = {.vehicle = 0, .diet = 1, .home = 1, .miles = 150};

typedef struct footprint {
    double car, food, home;
} footprint;

static footprint footprint_of(const inputs *in)
{
    return (footprint){
        .car = (double)in->miles * 52 * VEHICLES[in->vehicle].factor / 1000,
        .food = DIETS[in->diet].factor,
        .home = HOMES[in->home].factor,
    };
}

static bool inputs_equal(const inputs *a, const inputs *b)
{
    return a->vehicle == b->vehicle && a->diet == b->diet && a->home == b->home && a->miles == b->miles;
}

static long find_choice(const choice *table, size_t n, const char *value)
{
    for (size_t i = 0; value && i < n; i++)
        if (strcmp(table[i].value, value) == 0) return (long)i;
    return -1;
}

static lv_value *options(const choice *table, size_t n)
{
    lv_value *list = lv_list_new();
    for (size_t i = 0; i < n; i++) {
        lv_value *o = lv_map_new();
        lv_map_set_str(o, "label", table[i].label);
        lv_map_set_str(o, "value", table[i].value);
        lv_list_push(list, o);
    }
    return list;
}

/* ---- the calculator: a stateful component ---- */

static bool known_diet(const lv_value *v, void *user)
{
    (void)user;
    return find_choice(DIETS, COUNT(DIETS), lv_value_str_of(v)) >= 0;
}

static bool known_home(const lv_value *v, void *user)
{
    (void)user;
    return find_choice(HOMES, COUNT(HOMES), lv_value_str_of(v)) >= 0;
}

static const lv_field calc_fields[] = {
    {.name = "miles", .type = LV_FIELD_INT, .required = true, .min = LV_BOUND(0), .max = LV_BOUND(MILES_MAX)},
    {.name = "diet", .required = true, .check = known_diet},
    {.name = "home", .required = true, .check = known_home},
};

/* Compiled on first use and kept for the life of the process: it is
 * read-only, so every instance shares it. */
static lv_schema *schema;
static pthread_once_t schema_once = PTHREAD_ONCE_INIT;

static void make_schema(void)
{
    schema = lv_schema_new("calc", calc_fields, COUNT(calc_fields));
}

static lv_schema *calc_schema(void)
{
    pthread_once(&schema_once, make_schema);
    return schema;
}

typedef struct calculator {
    inputs in;
    int64_t form_key; /* renames the form on reset, so the browser redraws it */
    int64_t events;   /* events this component handled */
} calculator;

/* The inputs as changeset data: what the form shows. */
static lv_value *inputs_data(const inputs *in)
{
    lv_value *m = lv_map_new();
    lv_map_set_int(m, "miles", in->miles);
    lv_map_set_str(m, "diet", DIETS[in->diet].value);
    lv_map_set_str(m, "home", HOMES[in->home].value);
    return m;
}

/* What the template shows besides the form. */
static void assign_result(lv_socket *socket)
{
    calculator *c = lv_state(socket);
    footprint f = footprint_of(&c->in);
    lv_assign_str(socket, "vehicle", VEHICLES[c->in.vehicle].value);
    lv_assign_double(socket, "total", f.car + f.food + f.home);
    lv_assign_int(socket, "events", c->events);
}

/* A fresh form over the current inputs. */
static void reset_form(lv_socket *socket)
{
    calculator *c = lv_state(socket);
    lv_value *data = inputs_data(&c->in);
    lv_changeset *cs = lv_changeset_cast(calc_schema(), data, NULL, NULL);
    lv_changeset_assign(socket, "changeset", cs);
    lv_changeset_free(cs);
    lv_value_delete(data);
    lv_assign_printf(socket, "form_id", "calc-form-%lld", (long long)c->form_key);
}

static int calculator_mount(lv_socket *socket)
{
    calculator *c = lv_state(socket);
    if (!calc_schema()) return -1;
    c->in = DEFAULTS;
    lv_assign_value(socket, "vehicles", options(VEHICLES, COUNT(VEHICLES)));
    lv_assign_value(socket, "diets", options(DIETS, COUNT(DIETS)));
    lv_assign_value(socket, "homes", options(HOMES, COUNT(HOMES)));
    reset_form(socket);
    assign_result(socket);
    return 0;
}

/* Tells the page the new footprint: its handle_info gets "footprint". */
static int send_footprint(lv_socket *socket)
{
    calculator *c = lv_state(socket);
    footprint f = footprint_of(&c->in);
    /* In tonnes, to the kilogram. */
    lv_value *payload = lv_map_new();
    lv_map_set_double(payload, "car", round(f.car * 1000) / 1000);
    lv_map_set_double(payload, "food", round(f.food * 1000) / 1000);
    lv_map_set_double(payload, "home", round(f.home * 1000) / 1000);
    int rc = lv_send_parent(socket, "footprint", payload);
    lv_value_delete(payload);
    return rc;
}

static int calculator_event(lv_socket *socket, const char *event, const lv_params *value)
{
    calculator *c = lv_state(socket);
    inputs before = c->in;
    c->events++;
    if (strcmp(event, "vehicle") == 0) {
        long i = find_choice(VEHICLES, COUNT(VEHICLES), lv_param(value, "kind"));
        if (i >= 0) c->in.vehicle = (size_t)i;
    } else if (strcmp(event, "calculate") == 0) {
        lv_value *data = inputs_data(&c->in);
        lv_changeset *cs = lv_changeset_cast(calc_schema(), data, value, "validate");
        lv_value_delete(data);
        if (lv_changeset_valid(cs)) {
            c->in.miles = lv_changeset_get_int(cs, "miles", c->in.miles);
            c->in.diet = (size_t)find_choice(DIETS, COUNT(DIETS), lv_changeset_get_str(cs, "diet"));
            c->in.home = (size_t)find_choice(HOMES, COUNT(HOMES), lv_changeset_get_str(cs, "home"));
        }
        /* An invalid form shows its error and keeps the last good numbers. */
        lv_changeset_assign(socket, "changeset", cs);
        lv_changeset_free(cs);
    } else if (strcmp(event, "reset") == 0) {
        c->in = DEFAULTS;
        c->form_key++;
        reset_form(socket);
    }
    assign_result(socket);
    /* The page hears of it only when the numbers changed. */
    if (inputs_equal(&before, &c->in)) return 0;
    return send_footprint(socket);
}

const lv_component lv_example_calculator = {
    .name = "calculator",
    /* One root element: the client finds the component by it. */
    .template_text =
        "<section class=\"calculator\" id=\"calculator\">\n"
        "  <h2>Calculator</h2>\n"
        "  <div class=\"field\"><span class=\"field-label\">Vehicle</span>\n"
        "    <div class=\"choices\">{{#each vehicles as v}}"
        "<button type=\"button\" id=\"vehicle-{{v.value}}\" class=\"choice{{#if (eq v.value vehicle)}} picked{{/if}}\" "
        "phx-click=\"vehicle\" phx-value-kind=\"{{v.value}}\" phx-target=\"{{myself}}\">{{v.label}}</button>"
        "{{/each}}</div>\n"
        "  </div>\n"
        "  {{form_for csrf_token id=form_id class=\"stacked\" phx_change=\"calculate\" phx_submit=\"calculate\" "
        "phx_target=myself}}\n"
        "    <div class=\"field\">\n"
        "      <label for=\"calc_miles\">Miles driven a week</label>\n"
        "      {{number_input changeset \"miles\" min=0 max=5000 phx_debounce=\"150\"}}\n"
        "      {{error_tag changeset \"miles\"}}\n"
        "    </div>\n"
        "    <div class=\"field\">\n"
        "      <label for=\"calc_diet\">Diet</label>\n"
        "      {{select changeset \"diet\" diets}}\n"
        "    </div>\n"
        "    <div class=\"field\">\n"
        "      <label for=\"calc_home\">Home heating</label>\n"
        "      {{select changeset \"home\" homes}}\n"
        "    </div>\n"
        "  </form>\n"
        "  <p class=\"result\">That is <b id=\"calc-total\">{{format_number total decimals=1}}</b> t a year.\n"
        "    <button type=\"button\" id=\"calc-reset\" phx-click=\"reset\" phx-target=\"{{myself}}\">"
        "Reset</button></p>\n"
        "  <p class=\"muted\">Events handled by this component: <span id=\"calc-events\">{{events}}</span></p>\n"
        "</section>",
    .events = (const char *const[]){"vehicle", "calculate", "reset", NULL},
    .state_size = sizeof(calculator),
    .mount = calculator_mount,
    .handle_event = calculator_event,
};

/* ---- goal: a stateful component fed by the page ---- */

typedef struct goal {
    int64_t updates; /* how many times update ran */
    bool explained;  /* "Why?" opened: survives the updates */
} goal;

static double param_double(const lv_params *p, const char *key)
{
    const char *text = lv_param(p, key);
    return text ? strtod(text, NULL) : 0.0;
}

static int goal_mount(lv_socket *socket)
{
    lv_assign_bool(socket, "explained", false);
    return 0;
}

/* Runs after mount, then whenever the page renders the component with other
 * arguments: here, every time the total changes. */
static int goal_update(lv_socket *socket, const lv_params *params)
{
    goal *g = lv_state(socket);
    g->updates++;
    double target = param_double(params, "target"), total = param_double(params, "total");
    lv_assign_str(socket, "id", lv_param(params, "id"));
    lv_assign_str(socket, "label", lv_param(params, "label"));
    lv_assign_str(socket, "note", lv_param(params, "note"));
    lv_assign_double(socket, "target", target);
    lv_assign_bool(socket, "above", total > target);
    lv_assign_double(socket, "gap", fabs(total - target));
    lv_assign_int(socket, "updates", g->updates);
    return 0;
}

static int goal_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)event; /* "explain", the only one declared */
    (void)value;
    goal *g = lv_state(socket);
    g->explained = !g->explained;
    lv_assign_bool(socket, "explained", g->explained);
    return 0;
}

const lv_component lv_example_goal = {
    .name = "goal",
    .template_text = "<div class=\"goal{{#if above}} above{{/if}}\" id=\"goal-{{id}}\">\n"
                     "  <h3>{{label}}: {{format_number target decimals=1}} t</h3>\n"
                     "  <p class=\"verdict\">You are {{format_number gap decimals=1}} t "
                     "{{#if above}}above{{else}}below{{/if}} it.</p>\n"
                     "  <button type=\"button\" class=\"why\" phx-click=\"explain\" phx-target=\"{{myself}}\">"
                     "{{#if explained}}Hide{{else}}Why?{{/if}}</button>\n"
                     "  {{#if explained}}<p class=\"note\">{{note}}</p>{{/if}}\n"
                     "  <p class=\"muted\">update ran "
                     "<span class=\"updates\">{{pluralize updates \"time\"}}</span></p>\n"
                     "</div>",
    .events = (const char *const[]){"explain", NULL},
    .state_size = sizeof(goal),
    .mount = goal_mount,
    .update = goal_update,
    .handle_event = goal_event,
};

/* ---- the page ---- */

static void assign_footprint(lv_socket *socket, footprint f)
{
    double total = round((f.car + f.food + f.home) * 1000) / 1000;
    lv_assign_double(socket, "car", f.car);
    lv_assign_double(socket, "food", f.food);
    lv_assign_double(socket, "home", f.home);
    lv_assign_double(socket, "total", total);
    lv_assign_double(socket, "max", total > SCALE_MIN ? total : SCALE_MIN);
}

static int decarbonize_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    /* The calculator starts from the same defaults; after that, the numbers
     * come from it only. */
    assign_footprint(socket, footprint_of(&DEFAULTS));
    lv_assign_int(socket, "messages", 0);
    return 0;
}

static int decarbonize_info(lv_socket *socket, const char *name, const lv_params *payload)
{
    if (strcmp(name, "footprint") != 0) return 0;
    footprint f = {param_double(payload, "car"), param_double(payload, "food"), param_double(payload, "home")};
    assign_footprint(socket, f);
    lv_assign_int(socket, "messages", lv_get_int(socket, "messages") + 1);
    return 0;
}

const lv_view lv_example_decarbonize = {
    .name = "decarbonize",
    .template_file = "decarbonize.html",
    .mount = decarbonize_mount,
    .handle_info = decarbonize_info,
};
