/* Prints (LiveViewJS's /prints): a range input in a form with phx-change.
 * Every move of the slider sends the form (the client fires change events
 * on input), and the server answers with the quantity, the price per print
 * at that quantity and the total. */
#include <stdio.h>

#include "examples.h"

#define PRINTS_MIN 1
#define PRINTS_MAX 100
#define PRINTS_START 10

/* Cents per print: cheaper by the dozen, cheaper still by the fifty. */
static int64_t unit_cents(int64_t quantity)
{
    return quantity >= 50 ? 75 : quantity >= 12 ? 100 : 150;
}

static void money(int64_t cents, char *out, size_t size)
{
    snprintf(out, size, "$%lld.%02lld", (long long)(cents / 100), (long long)(cents % 100));
}

static void assign_quantity(lv_socket *socket, int64_t quantity)
{
    if (quantity < PRINTS_MIN) quantity = PRINTS_MIN;
    if (quantity > PRINTS_MAX) quantity = PRINTS_MAX;
    char unit[32], total[32];
    money(unit_cents(quantity), unit, sizeof unit);
    money(unit_cents(quantity) * quantity, total, sizeof total);
    lv_assign_int(socket, "quantity", quantity);
    lv_assign_str(socket, "unit_price", unit);
    lv_assign_str(socket, "total", total);
}

static int prints_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_int(socket, "min", PRINTS_MIN);
    lv_assign_int(socket, "max", PRINTS_MAX);
    assign_quantity(socket, PRINTS_START);
    return 0;
}

/* "update": the form's fields; a quantity that is not a number keeps the
 * current one, one out of range is clamped. */
static int prints_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)event;
    assign_quantity(socket, lv_param_int(value, "quantity", lv_get_int(socket, "quantity")));
    return 0;
}

const lv_view lv_example_prints = {
    .name = "prints",
    .template_file = "prints.html",
    .events = (const char *const[]){"update", NULL},
    .mount = prints_mount,
    .handle_event = prints_event,
};
