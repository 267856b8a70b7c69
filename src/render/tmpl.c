#include "render/tmpl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/fcomponents.h"
#include "render/registry.h"
#include "render/stream.h"
#include "util/json.h"

/* Partials may include partials; deeper than this is taken to be a loop. */
#define MAX_PARTIAL_DEPTH 16
/* Blocks nested deeper than this are refused, so a hostile or broken
 * template cannot exhaust the stack of the compiler or the renderer. */
#define MAX_NESTING 64

/* ---- HTML context -------------------------------------------------------
 * The compiler follows the HTML around each {{ }} just enough to know what
 * the slot is: text, a quoted attribute value, a whole attribute (after
 * `name=`) or a place for attributes inside a start tag. */

typedef enum html_state {
    HS_DATA,
    HS_TAG_OPEN,   /* after '<' */
    HS_TAG_NAME,
    HS_BEFORE_ATTR,
    HS_ATTR_NAME,
    HS_AFTER_ATTR_NAME,
    HS_BEFORE_VALUE,
    HS_VALUE_DQ,
    HS_VALUE_SQ,
    HS_VALUE_UQ,
    HS_END_TAG,    /* </x ...> and <!doctype ...> */
    HS_COMMENT,
    HS_RAWTEXT,    /* inside script or style */
} html_state;

typedef struct html_ctx {
    html_state state;
    char tag[8];   /* the start tag's name, lowercased, cut to 7 */
    uint8_t tag_len;
    bool raw_tag;  /* the open tag is script or style */
} html_ctx;

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_name_start(char c)
{
    return is_alpha(c) || c == '_';
}

static bool is_name_char(char c)
{
    return is_name_start(c) || is_digit(c);
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool starts_with_ci(const char *text, size_t len, size_t at, const char *word)
{
    size_t n = strlen(word);
    if (at + n > len) return false;
    for (size_t i = 0; i < n; i++)
        if (lower(text[at + i]) != word[i]) return false;
    return true;
}

static void end_start_tag(html_ctx *h)
{
    h->state = h->raw_tag ? HS_RAWTEXT : HS_DATA;
}

/* Advances h over text[from, to). text[to..len) may be read as lookahead. */
static void html_scan(html_ctx *h, const char *text, size_t len, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        char c = text[i];
        switch (h->state) {
        case HS_DATA:
            if (c == '<') h->state = HS_TAG_OPEN;
            break;
        case HS_TAG_OPEN:
            if (is_alpha(c)) {
                h->state = HS_TAG_NAME;
                h->tag_len = 0;
                h->tag[h->tag_len++] = lower(c);
                h->tag[h->tag_len] = '\0';
            } else if (c == '!' && starts_with_ci(text, len, i, "!--")) {
                h->state = HS_COMMENT;
                i += 2;
            } else if (c == '/' || c == '!' || c == '?') {
                h->state = HS_END_TAG;
            } else {
                h->state = c == '<' ? HS_TAG_OPEN : HS_DATA;
            }
            break;
        case HS_TAG_NAME:
            if (is_space(c) || c == '/' || c == '>') {
                h->raw_tag = strcmp(h->tag, "script") == 0 || strcmp(h->tag, "style") == 0;
                if (c == '>')
                    end_start_tag(h);
                else
                    h->state = HS_BEFORE_ATTR;
            } else if (h->tag_len < sizeof h->tag - 1) {
                h->tag[h->tag_len++] = lower(c);
                h->tag[h->tag_len] = '\0';
            } else {
                h->tag[0] = '-'; /* too long for script or style */
            }
            break;
        case HS_BEFORE_ATTR:
            if (c == '>')
                end_start_tag(h);
            else if (!is_space(c) && c != '/')
                h->state = HS_ATTR_NAME;
            break;
        case HS_ATTR_NAME:
            if (c == '=')
                h->state = HS_BEFORE_VALUE;
            else if (c == '>')
                end_start_tag(h);
            else if (is_space(c) || c == '/')
                h->state = HS_AFTER_ATTR_NAME;
            break;
        case HS_AFTER_ATTR_NAME:
            if (c == '=')
                h->state = HS_BEFORE_VALUE;
            else if (c == '>')
                end_start_tag(h);
            else if (!is_space(c) && c != '/')
                h->state = HS_ATTR_NAME;
            break;
        case HS_BEFORE_VALUE:
            if (c == '"')
                h->state = HS_VALUE_DQ;
            else if (c == '\'')
                h->state = HS_VALUE_SQ;
            else if (c == '>')
                end_start_tag(h);
            else if (!is_space(c))
                h->state = HS_VALUE_UQ;
            break;
        case HS_VALUE_DQ:
            if (c == '"') h->state = HS_BEFORE_ATTR;
            break;
        case HS_VALUE_SQ:
            if (c == '\'') h->state = HS_BEFORE_ATTR;
            break;
        case HS_VALUE_UQ:
            if (is_space(c))
                h->state = HS_BEFORE_ATTR;
            else if (c == '>')
                end_start_tag(h);
            break;
        case HS_END_TAG:
            if (c == '>') h->state = HS_DATA;
            break;
        case HS_COMMENT:
            if (c == '>' && i >= 2 && text[i - 1] == '-' && text[i - 2] == '-') h->state = HS_DATA;
            break;
        case HS_RAWTEXT:
            if (c == '<' && i + 1 < len && text[i + 1] == '/' && starts_with_ci(text, len, i + 2, h->tag)) {
                h->raw_tag = false;
                h->state = HS_END_TAG;
            }
            break;
        }
    }
}

/* ---- Compiler state ------------------------------------------------------ */

typedef struct source {
    const char *name; /* owned by lv_tmpl.names */
    const char *text;
    size_t len;
    size_t pos;
    /* Incremental line counting: offsets are asked for in increasing order. */
    size_t line_pos;
    int line;
} source;

typedef struct builder {
    lv_buf cur;          /* the static being accumulated */
    lv_buf done;         /* finished statics, back to back */
    size_t *lens;        /* finished statics' lengths */
    size_t static_count;
    lv_tmpl_dyn *dyns;
    size_t dyn_count;
    size_t dyn_cap;
} builder;

typedef enum scope_kind { SCOPE_LOCAL, SCOPE_ALIAS } scope_kind;

typedef struct scope_entry {
    char *name;
    scope_kind kind;
    uint32_t local;        /* SCOPE_LOCAL */
    lv_tmpl_expr *alias;   /* SCOPE_ALIAS: owned */
} scope_entry;

/* A loop being compiled: the roots its body reads from outside. */
typedef struct open_loop {
    uint32_t level;        /* the scope level its locals live at */
    lv_tmpl_free_var *vars;
    uint32_t count;
    bool stream;           /* a {{#stream}}, which cannot hold another */
} open_loop;

typedef struct compiler {
    lv_tmpl *t;
    const lv_tmpl_options *opts;
    lv_tmpl_error *err;
    bool failed;
    scope_entry *scope;
    size_t scope_count;
    uint32_t level;
    uint32_t *local_levels; /* by local slot */
    open_loop *loops;
    size_t loop_count;
    int partial_depth;
    int nesting;
    uint64_t source_hash;
    /* Function components being compiled (innermost last), and the scope
     * ranges hidden while a slot's content is compiled in its caller's
     * scope (see "Function components" below). */
    struct fc_frame *fc_frames[MAX_PARTIAL_DEPTH];
    int fc_depth;
    struct hidden_range {
        size_t from, to;
    } hidden[MAX_PARTIAL_DEPTH];
    int hidden_count;
} compiler;

typedef enum term_kind { TERM_EOF, TERM_ELSE, TERM_CLOSE } term_kind;

typedef struct terminator {
    term_kind kind;
    size_t at;             /* offset of the tag, for messages */
    lv_tmpl_expr *else_if; /* TERM_ELSE with "if cond" (owned by the caller) */
    bool else_unless;
    int else_async;        /* TERM_ELSE of an {{#async_result}}: 1 loading, 2 failed */
    char close_name[16];   /* TERM_CLOSE */
} terminator;

static int line_at(source *src, size_t offset)
{
    if (offset < src->line_pos) {
        src->line_pos = 0;
        src->line = 1;
    }
    for (size_t i = src->line_pos; i < offset && i < src->len; i++)
        if (src->text[i] == '\n') src->line++;
    src->line_pos = offset;
    return src->line;
}

static void report(compiler *c, const source *src, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Fills *err for the byte at offset of src; only the first error counts. */
static void report(compiler *c, const source *src, size_t offset, const char *fmt, ...)
{
    if (c->failed) return;
    c->failed = true;
    if (!c->err) return;
    if (offset > src->len) offset = src->len;
    int line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < offset; i++) {
        if (src->text[i] == '\n') {
            line++;
            line_start = i + 1;
        }
    }
    c->err->line = line;
    c->err->col = (int)(offset - line_start + 1);
    /* A long template name or detail is cut to fit the message; the line
     * and column are in *err anyway. */
    int prefix = snprintf(c->err->message, sizeof c->err->message, "%s: line %d, column %d: ", src->name, line,
                          c->err->col);
    if (prefix < 0 || (size_t)prefix >= sizeof c->err->message) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err->message + prefix, sizeof c->err->message - (size_t)prefix, fmt, ap);
    va_end(ap);
}

/* At most the first line and 40 bytes of what was written, for messages. */
static int shown_len(const char *s, size_t n)
{
    const char *newline = memchr(s, '\n', n);
    if (newline) n = (size_t)(newline - s);
    return (int)(n > 40 ? 40 : n);
}

static const char *intern_name(compiler *c, const char *name)
{
    lv_tmpl *t = c->t;
    for (uint32_t i = 0; i < t->name_count; i++)
        if (strcmp(t->names[i], name) == 0) return t->names[i];
    t->names = lv_xrealloc(t->names, (t->name_count + 1) * sizeof *t->names);
    t->names[t->name_count] = lv_xstrdup(name);
    return t->names[t->name_count++];
}

static uint32_t intern_assign(compiler *c, const char *name, size_t len)
{
    lv_tmpl *t = c->t;
    for (uint32_t i = 0; i < t->assign_count; i++)
        if (strncmp(t->assign_names[i], name, len) == 0 && t->assign_names[i][len] == '\0') return i;
    t->assign_names = lv_xrealloc(t->assign_names, (t->assign_count + 1) * sizeof *t->assign_names);
    t->assign_names[t->assign_count] = lv_xstrndup(name, len);
    return t->assign_count++;
}

/* ---- Expressions --------------------------------------------------------- */

static void expr_free(lv_tmpl_expr *e);

static void named_free(lv_tmpl_named_arg *named, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        free(named[i].key);
        expr_free(named[i].value);
    }
    free(named);
}

static void expr_free(lv_tmpl_expr *e)
{
    if (!e) return;
    lv_value_free(&e->literal);
    free(e->helper_name);
    for (uint32_t i = 0; i < e->arg_count; i++) expr_free(e->args[i]);
    free(e->args);
    named_free(e->named, e->named_count);
    for (uint32_t i = 0; i < e->seg_count; i++) free(e->segs[i].key);
    free(e->segs);
    free(e);
}

static lv_tmpl_expr *expr_new(lv_tmpl_base base, const source *src, int line)
{
    lv_tmpl_expr *e = lv_xcalloc(1, sizeof *e);
    e->base = base;
    e->literal = lv_value_null();
    e->source = src->name;
    e->line = line;
    atomic_init(&e->reported, false);
    return e;
}

static lv_tmpl_expr *expr_clone(const lv_tmpl_expr *e)
{
    lv_tmpl_expr *c = lv_xcalloc(1, sizeof *c);
    c->base = e->base;
    c->id = e->id;
    c->literal = lv_value_clone(&e->literal);
    c->helper = e->helper;
    c->helper_name = e->helper_name ? lv_xstrdup(e->helper_name) : NULL;
    c->arg_count = e->arg_count;
    c->args = e->arg_count ? lv_xcalloc(e->arg_count, sizeof *c->args) : NULL;
    for (uint32_t i = 0; i < e->arg_count; i++) c->args[i] = expr_clone(e->args[i]);
    c->named_count = e->named_count;
    c->named = e->named_count ? lv_xcalloc(e->named_count, sizeof *c->named) : NULL;
    for (uint32_t i = 0; i < e->named_count; i++) {
        c->named[i].key = lv_xstrdup(e->named[i].key);
        c->named[i].value = expr_clone(e->named[i].value);
    }
    c->seg_count = e->seg_count;
    c->segs = e->seg_count ? lv_xcalloc(e->seg_count, sizeof *c->segs) : NULL;
    for (uint32_t i = 0; i < e->seg_count; i++) {
        c->segs[i] = e->segs[i];
        if (e->segs[i].key) c->segs[i].key = lv_xstrndup(e->segs[i].key, e->segs[i].key_len);
    }
    c->source = e->source;
    c->line = e->line;
    atomic_init(&c->reported, false);
    return c;
}

static void add_free_var(open_loop *loop, lv_tmpl_base base, uint32_t id)
{
    for (uint32_t i = 0; i < loop->count; i++)
        if (loop->vars[i].base == base && loop->vars[i].id == id) return;
    loop->vars = lv_xrealloc(loop->vars, (loop->count + 1) * sizeof *loop->vars);
    loop->vars[loop->count++] = (lv_tmpl_free_var){base, id};
}

/* Records the roots e reads as free variables of every open loop that does
 * not bind them, so their values go into the loop's row hashes. */
static void note_roots(compiler *c, const lv_tmpl_expr *e)
{
    if (e->base == LV_BASE_ASSIGN) {
        for (size_t i = 0; i < c->loop_count; i++) add_free_var(&c->loops[i], LV_BASE_ASSIGN, e->id);
    } else if (e->base == LV_BASE_LOCAL) {
        uint32_t level = c->local_levels[e->id];
        for (size_t i = 0; i < c->loop_count; i++)
            if (c->loops[i].level > level) add_free_var(&c->loops[i], LV_BASE_LOCAL, e->id);
    }
    for (uint32_t i = 0; i < e->arg_count; i++) note_roots(c, e->args[i]);
    for (uint32_t i = 0; i < e->named_count; i++) note_roots(c, e->named[i].value);
}

/* The lexer works on the inside of one tag, [pos, end). */
typedef enum tok_kind {
    TOK_END,
    TOK_WORD,   /* a name, possibly dotted: user.name, items.0 */
    TOK_STRING,
    TOK_NUMBER,
    TOK_LPAREN,
    TOK_RPAREN,
    TOK_EQUALS,
    TOK_PIPE,
    TOK_COMMA,
    TOK_BAD,
} tok_kind;

typedef struct token {
    tok_kind kind;
    size_t start;
    size_t len;
} token;

typedef struct lexer {
    compiler *c;
    source *src;
    size_t pos;
    size_t end;
    token tok; /* the current token */
    int line;
} lexer;

static void lex_next(lexer *lx)
{
    const char *s = lx->src->text;
    while (lx->pos < lx->end && is_space(s[lx->pos])) lx->pos++;
    size_t start = lx->pos;
    lx->tok = (token){TOK_END, start, 0};
    if (start >= lx->end) return;
    char ch = s[start];
    size_t i = start + 1;
    tok_kind kind = TOK_BAD;
    if (ch == '(') {
        kind = TOK_LPAREN;
    } else if (ch == ')') {
        kind = TOK_RPAREN;
    } else if (ch == '=') {
        kind = TOK_EQUALS;
    } else if (ch == '|') {
        kind = TOK_PIPE;
    } else if (ch == ',') {
        kind = TOK_COMMA;
    } else if (ch == '"' || ch == '\'') {
        while (i < lx->end && s[i] != ch) i += s[i] == '\\' && i + 1 < lx->end ? 2 : 1;
        if (i >= lx->end) {
            report(lx->c, lx->src, start, "unterminated string");
            kind = TOK_BAD;
            i = lx->end;
        } else {
            i++;
            kind = TOK_STRING;
        }
    } else if (is_digit(ch) || (ch == '-' && i < lx->end && is_digit(s[i]))) {
        while (i < lx->end && (is_digit(s[i]) || s[i] == '.' || s[i] == 'e' || s[i] == 'E' ||
                               ((s[i] == '-' || s[i] == '+') && (s[i - 1] == 'e' || s[i - 1] == 'E'))))
            i++;
        kind = TOK_NUMBER;
    } else if (is_name_start(ch)) {
        for (;;) {
            while (i < lx->end && is_name_char(s[i])) i++;
            if (i + 1 < lx->end && s[i] == '.' && is_name_char(s[i + 1])) {
                i++;
                continue;
            }
            break;
        }
        kind = TOK_WORD;
    }
    lx->tok = (token){kind, start, i - start};
    lx->pos = i;
}

static bool tok_is(const lexer *lx, const char *word)
{
    return lx->tok.kind == TOK_WORD && lx->tok.len == strlen(word) &&
           memcmp(lx->src->text + lx->tok.start, word, lx->tok.len) == 0;
}

static bool word_is_plain(const lexer *lx)
{
    return lx->tok.kind == TOK_WORD && !memchr(lx->src->text + lx->tok.start, '.', lx->tok.len);
}

static lv_tmpl_expr *parse_primary(lexer *lx);
static lv_tmpl_expr *parse_call_or_primary(lexer *lx);

static lv_value parse_string_literal(const char *s, size_t n)
{
    /* s includes the quotes; \x stands for x. */
    lv_buf b = LV_BUF_INIT;
    for (size_t i = 1; i + 1 < n; i++) {
        if (s[i] == '\\' && i + 2 < n) i++;
        lv_buf_append(&b, &s[i], 1);
    }
    lv_value v = lv_value_string(b.data ? b.data : "", b.len);
    lv_buf_free(&b);
    return v;
}

static bool parse_number_literal(const char *s, size_t n, lv_value *out)
{
    char text[64];
    if (n >= sizeof text) return false;
    memcpy(text, s, n);
    text[n] = '\0';
    char *end;
    if (!memchr(text, '.', n) && !memchr(text, 'e', n) && !memchr(text, 'E', n)) {
        long long i = strtoll(text, &end, 10);
        if (*end == '\0') {
            *out = lv_value_int(i);
            return true;
        }
        return false;
    }
    double d = strtod(text, &end);
    if (*end != '\0') return false;
    *out = lv_value_double(d);
    return true;
}

/* True when scope entry k belongs to a function component's body whose
 * slot content is being compiled: the content sees its caller's names. */
static bool scope_hidden(const compiler *c, size_t k)
{
    for (int i = 0; i < c->hidden_count; i++)
        if (k >= c->hidden[i].from && k < c->hidden[i].to) return true;
    return false;
}

/* Resolves a dotted word to an expression: a local, an alias (a partial's
 * argument, substituted), true/false/null, or an assign. */
static lv_tmpl_expr *resolve_path(lexer *lx, size_t start, size_t len)
{
    compiler *c = lx->c;
    const char *s = lx->src->text + start;
    size_t root_len = 0;
    while (root_len < len && s[root_len] != '.') root_len++;

    lv_tmpl_expr *e = NULL;
    if (root_len == len && ((len == 4 && memcmp(s, "true", 4) == 0) || (len == 5 && memcmp(s, "false", 5) == 0))) {
        e = expr_new(LV_BASE_LITERAL, lx->src, lx->line);
        e->literal = lv_value_bool(len == 4);
        return e;
    }
    if (root_len == len && len == 4 && memcmp(s, "null", 4) == 0) return expr_new(LV_BASE_LITERAL, lx->src, lx->line);

    for (size_t k = c->scope_count; k-- > 0;) {
        scope_entry *se = &c->scope[k];
        if (scope_hidden(c, k)) continue;
        if (strlen(se->name) != root_len || memcmp(se->name, s, root_len) != 0) continue;
        if (se->kind == SCOPE_LOCAL) {
            e = expr_new(LV_BASE_LOCAL, lx->src, lx->line);
            e->id = se->local;
        } else {
            e = expr_clone(se->alias);
            e->source = lx->src->name;
            e->line = lx->line;
        }
        break;
    }
    if (!e) {
        e = expr_new(LV_BASE_ASSIGN, lx->src, lx->line);
        e->id = intern_assign(c, s, root_len);
    }
    size_t i = root_len;
    while (i < len) {
        i++; /* the dot */
        size_t seg_start = i;
        while (i < len && s[i] != '.') i++;
        lv_tmpl_seg seg = {0};
        bool all_digits = true;
        for (size_t k = seg_start; k < i; k++) all_digits = all_digits && is_digit(s[k]);
        if (all_digits && i - seg_start <= 9) {
            seg.index = strtol(s + seg_start, NULL, 10);
        } else {
            seg.key = lv_xstrndup(s + seg_start, i - seg_start);
            seg.key_len = i - seg_start;
        }
        e->segs = lv_xrealloc(e->segs, (e->seg_count + 1) * sizeof *e->segs);
        e->segs[e->seg_count++] = seg;
    }
    return e;
}

static const lv_helper_entry *find_helper_or_report(lexer *lx, const token *name)
{
    const lv_helper_entry *h = lv_registry_helper(lx->src->text + name->start, name->len);
    if (!h)
        report(lx->c, lx->src, name->start, "unknown helper \"%.*s\"", shown_len(lx->src->text + name->start, name->len),
               lx->src->text + name->start);
    return h;
}

/* Arguments of a call, up to the end of the tag or a ')'. When
 * named_only is not NULL, a positional argument is an error with that
 * message. */
static bool parse_args(lexer *lx, lv_tmpl_expr *call, const char *named_only)
{
    while (lx->tok.kind != TOK_END && lx->tok.kind != TOK_RPAREN && !lx->c->failed) {
        if (lx->tok.kind == TOK_WORD && word_is_plain(lx)) {
            /* name=value? Look ahead without consuming. */
            lexer save = *lx;
            token key = lx->tok;
            lex_next(lx);
            if (lx->tok.kind == TOK_EQUALS) {
                lex_next(lx);
                lv_tmpl_expr *value = parse_primary(lx);
                if (!value) return false;
                call->named = lv_xrealloc(call->named, (call->named_count + 1) * sizeof *call->named);
                call->named[call->named_count++] =
                    (lv_tmpl_named_arg){lv_xstrndup(lx->src->text + key.start, key.len), value};
                continue;
            }
            *lx = save;
        }
        if (named_only) {
            report(lx->c, lx->src, lx->tok.start, "%s", named_only);
            return false;
        }
        lv_tmpl_expr *arg = parse_primary(lx);
        if (!arg) return false;
        call->args = lv_xrealloc(call->args, (call->arg_count + 1) * sizeof *call->args);
        call->args[call->arg_count++] = arg;
    }
    return !lx->c->failed;
}

static lv_tmpl_expr *parse_call(lexer *lx, token name)
{
    const lv_helper_entry *h = find_helper_or_report(lx, &name);
    if (!h) return NULL;
    lv_tmpl_expr *call = expr_new(LV_BASE_CALL, lx->src, lx->line);
    call->helper = (void *)h;
    call->helper_name = lv_xstrndup(lx->src->text + name.start, name.len);
    if (!parse_args(lx, call, NULL)) {
        expr_free(call);
        return NULL;
    }
    return call;
}

static lv_tmpl_expr *parse_primary(lexer *lx)
{
    token t = lx->tok;
    const char *s = lx->src->text + t.start;
    switch (t.kind) {
    case TOK_LPAREN: {
        lex_next(lx);
        if (!word_is_plain(lx)) {
            report(lx->c, lx->src, lx->tok.start, "expected a helper name after (");
            return NULL;
        }
        token name = lx->tok;
        lex_next(lx);
        lv_tmpl_expr *call = parse_call(lx, name);
        if (!call) return NULL;
        if (lx->tok.kind != TOK_RPAREN) {
            report(lx->c, lx->src, lx->tok.start, "expected )");
            expr_free(call);
            return NULL;
        }
        lex_next(lx);
        return call;
    }
    case TOK_STRING: {
        lv_tmpl_expr *e = expr_new(LV_BASE_LITERAL, lx->src, lx->line);
        e->literal = parse_string_literal(s, t.len);
        lex_next(lx);
        return e;
    }
    case TOK_NUMBER: {
        lv_tmpl_expr *e = expr_new(LV_BASE_LITERAL, lx->src, lx->line);
        if (!parse_number_literal(s, t.len, &e->literal)) {
            report(lx->c, lx->src, t.start, "invalid number \"%.*s\"", shown_len(s, t.len), s);
            expr_free(e);
            return NULL;
        }
        lex_next(lx);
        return e;
    }
    case TOK_WORD: {
        lv_tmpl_expr *e = resolve_path(lx, t.start, t.len);
        lex_next(lx);
        return e;
    }
    case TOK_END: report(lx->c, lx->src, t.start, "expected an expression"); return NULL;
    default:
        report(lx->c, lx->src, t.start, "unexpected \"%.*s\" in an expression", shown_len(s, t.len ? t.len : 1), s);
        return NULL;
    }
}

/* `name args...` is a helper call; anything else is a primary. A helper
 * without arguments is called as (name). */
static lv_tmpl_expr *parse_call_or_primary(lexer *lx)
{
    if (word_is_plain(lx)) {
        lexer save = *lx;
        token name = lx->tok;
        lex_next(lx);
        bool has_args = lx->tok.kind != TOK_END && lx->tok.kind != TOK_RPAREN && lx->tok.kind != TOK_PIPE &&
                        lx->tok.kind != TOK_COMMA && !tok_is(lx, "as");
        if (has_args) return parse_call(lx, name);
        *lx = save;
    }
    return parse_primary(lx);
}

static void lexer_init(lexer *lx, compiler *c, source *src, size_t start, size_t end)
{
    lx->c = c;
    lx->src = src;
    lx->pos = start;
    lx->end = end;
    lx->line = line_at(src, start);
    lex_next(lx);
}

/* Parses a whole expression that must fill [start, end). */
static lv_tmpl_expr *parse_expression_at(compiler *c, source *src, size_t start, size_t end)
{
    lexer lx;
    lexer_init(&lx, c, src, start, end);
    lv_tmpl_expr *e = parse_call_or_primary(&lx);
    if (e && lx.tok.kind != TOK_END) {
        report(c, src, lx.tok.start, "unexpected \"%.*s\" after the expression",
               shown_len(src->text + lx.tok.start, end - lx.tok.start), src->text + lx.tok.start);
        expr_free(e);
        return NULL;
    }
    if (e) note_roots(c, e);
    return e;
}

/* ---- Blocks -------------------------------------------------------------- */

static void dyn_free(lv_tmpl_dyn *d);

static void block_free(lv_tmpl_block *b)
{
    if (!b) return;
    for (uint32_t i = 0; i < b->dyn_count; i++) dyn_free(&b->dyns[i]);
    free(b->dyns);
    free(b->statics);
    free(b->static_lens);
    free(b->statics_json);
    free(b->static_text);
    free(b);
}

static void dyn_free(lv_tmpl_dyn *d)
{
    expr_free(d->expr);
    free(d->attr_name);
    for (uint32_t i = 0; i < d->branch_count; i++) {
        expr_free(d->branches[i].cond);
        block_free(d->branches[i].body);
    }
    free(d->branches);
    block_free(d->body);
    free(d->free_vars);
    named_free(d->named, d->named_count);
    free(d->deps);
}

static void builder_free(builder *b)
{
    lv_buf_free(&b->cur);
    lv_buf_free(&b->done);
    free(b->lens);
    for (size_t i = 0; i < b->dyn_count; i++) dyn_free(&b->dyns[i]);
    free(b->dyns);
}

/* Ends the current static and adds d after it (d's memory is taken). */
static void builder_add(builder *b, lv_tmpl_dyn d)
{
    lv_buf_append(&b->done, b->cur.data ? b->cur.data : "", b->cur.len);
    b->lens = lv_xrealloc(b->lens, (b->static_count + 1) * sizeof *b->lens);
    b->lens[b->static_count++] = b->cur.len;
    lv_buf_reset(&b->cur);
    if (b->dyn_count == b->dyn_cap) {
        b->dyn_cap = b->dyn_cap ? b->dyn_cap * 2 : 4;
        b->dyns = lv_xrealloc(b->dyns, b->dyn_cap * sizeof *b->dyns);
    }
    b->dyns[b->dyn_count++] = d;
}

/* Turns a builder into a block registered with the template. */
static lv_tmpl_block *builder_finish(compiler *c, builder *b)
{
    lv_buf_append(&b->done, b->cur.data ? b->cur.data : "", b->cur.len);
    b->lens = lv_xrealloc(b->lens, (b->static_count + 1) * sizeof *b->lens);
    b->lens[b->static_count++] = b->cur.len;

    lv_tmpl_block *blk = lv_xcalloc(1, sizeof *blk);
    blk->dyn_count = (uint32_t)b->dyn_count;
    blk->dyns = b->dyns;
    blk->static_lens = b->lens;
    blk->static_text = lv_buf_take(&b->done);
    blk->statics = lv_xmalloc(b->static_count * sizeof *blk->statics);
    lv_buf json = LV_BUF_INIT;
    lv_buf_putc(&json, '[');
    size_t off = 0;
    uint64_t fp = lv_hash_u64(b->static_count, 0x5eed);
    for (size_t i = 0; i < b->static_count; i++) {
        blk->statics[i] = blk->static_text + off;
        if (i) lv_buf_putc(&json, ',');
        lv_json_str(&json, blk->statics[i], blk->static_lens[i]);
        fp = lv_hash_bytes(blk->statics[i], blk->static_lens[i], fp);
        off += blk->static_lens[i];
    }
    lv_buf_putc(&json, ']');
    blk->statics_json_len = json.len;
    blk->statics_json = lv_buf_take(&json);
    /* The client keeps a node's statics and merges dynamics into it, so a
     * node can be reused for any block with the same statics. */
    blk->fingerprint = fp;

    b->dyns = NULL;
    b->lens = NULL;
    b->dyn_count = b->dyn_cap = b->static_count = 0;
    lv_buf_free(&b->cur);

    lv_tmpl *t = c->t;
    blk->id = t->block_count;
    t->blocks = lv_xrealloc(t->blocks, (t->block_count + 1) * sizeof *t->blocks);
    t->blocks[t->block_count++] = blk;
    return blk;
}

static bool parse_block(compiler *c, source *src, builder *b, html_ctx *h, terminator *term);

/* Finds the end of a tag opened at `open` with the given closer, skipping
 * quoted strings. Returns the closer's offset or SIZE_MAX. */
static size_t find_close(const source *src, size_t from, const char *closer)
{
    size_t n = strlen(closer);
    char quote = 0;
    for (size_t i = from; i < src->len; i++) {
        char ch = src->text[i];
        if (quote) {
            if (ch == '\\')
                i++;
            else if (ch == quote)
                quote = 0;
            continue;
        }
        if (ch == '"' || ch == '\'') {
            quote = ch;
            continue;
        }
        if (ch == closer[0] && i + n <= src->len && memcmp(src->text + i, closer, n) == 0) return i;
        /* A {{ before the closer means this tag was never closed. */
        if (ch == '{' && i + 1 < src->len && src->text[i + 1] == '{') return SIZE_MAX;
    }
    if (quote) {
        /* An unclosed quote: end the tag at the first closer, so the lexer
         * reports the string rather than the whole tag. */
        const char *at = memmem(src->text + from, src->len - from, closer, n);
        if (at) return (size_t)(at - src->text);
    }
    return SIZE_MAX;
}

static bool scope_push_local(compiler *c, const char *name, size_t len, uint32_t *slot)
{
    lv_tmpl *t = c->t;
    *slot = t->local_count++;
    c->local_levels = lv_xrealloc(c->local_levels, t->local_count * sizeof *c->local_levels);
    c->local_levels[*slot] = c->level;
    c->scope = lv_xrealloc(c->scope, (c->scope_count + 1) * sizeof *c->scope);
    c->scope[c->scope_count++] = (scope_entry){lv_xstrndup(name, len), SCOPE_LOCAL, *slot, NULL};
    return true;
}

static void scope_pop_to(compiler *c, size_t count)
{
    while (c->scope_count > count) {
        scope_entry *se = &c->scope[--c->scope_count];
        free(se->name);
        expr_free(se->alias);
    }
}

/* {{#if cond}} ... {{else if cond}} ... {{else}} ... {{/if}}, and unless. */
static bool parse_if(compiler *c, source *src, builder *outer, html_ctx *h, size_t open, lv_tmpl_expr *cond,
                     bool negate, int line)
{
    lv_tmpl_dyn d = {.kind = LV_DYN_IF, .state_index = -1, .line = line};
    html_ctx at_open = *h;
    bool had_else = false;
    const char *closer = negate ? "unless" : "if";
    for (;;) {
        builder body = {0};
        terminator term = {0};
        *h = at_open;
        bool ok = parse_block(c, src, &body, h, &term);
        lv_tmpl_block *blk = ok ? builder_finish(c, &body) : NULL;
        builder_free(&body);
        d.branches = lv_xrealloc(d.branches, (d.branch_count + 1) * sizeof *d.branches);
        d.branches[d.branch_count++] = (lv_tmpl_branch){cond, negate, blk};
        cond = NULL;
        if (!ok) {
            expr_free(term.else_if);
            dyn_free(&d);
            return false;
        }
        if (term.kind == TERM_EOF) {
            report(c, src, open, "{{#%s}} is never closed (expected {{/%s}})", closer, closer);
            dyn_free(&d);
            return false;
        }
        if (term.kind == TERM_CLOSE) {
            if (strcmp(term.close_name, closer) != 0) {
                report(c, src, term.at, "expected {{/%s}} to close the {{#%s}} of line %d", closer, closer, line);
                dyn_free(&d);
                return false;
            }
            break;
        }
        if (term.else_async) {
            report(c, src, term.at, "{{else loading}} and {{else failed}} belong to {{#async_result}}");
            dyn_free(&d);
            return false;
        }
        if (had_else) {
            expr_free(term.else_if);
            report(c, src, term.at, "{{else}} after {{else}}");
            dyn_free(&d);
            return false;
        }
        if (term.else_if) {
            cond = term.else_if;
            negate = term.else_unless;
        } else {
            had_else = true;
        }
    }
    builder_add(outer, d);
    return true;
}

/* {{#each list as item}} or {{#each list as item, i}} (also as |item i|). */
/* Checks that a loop-like block ({{#each}}, {{#stream}}) ended with its own
 * closing tag: never {{else}}, never end of input. Reports and returns false
 * otherwise. */
static bool loop_closed(compiler *c, const source *src, const terminator *term, size_t open, int line,
                        const char *name, const char *else_hint)
{
    if (term->kind == TERM_EOF) {
        report(c, src, open, "{{#%s}} is never closed (expected {{/%s}})", name, name);
        return false;
    }
    if (term->kind == TERM_ELSE) {
        report(c, src, term->at, "{{#%s}} has no {{else}}%s", name, else_hint);
        return false;
    }
    if (strcmp(term->close_name, name) != 0) {
        report(c, src, term->at, "expected {{/%s}} to close the {{#%s}} of line %d", name, name, line);
        return false;
    }
    return true;
}

static bool parse_each(compiler *c, source *src, builder *outer, html_ctx *h, size_t open, size_t start,
                       size_t end, int line)
{
    lexer lx;
    lexer_init(&lx, c, src, start, end);
    lv_tmpl_expr *list = parse_primary(&lx);
    if (!list) return false;
    note_roots(c, list);
    if (!tok_is(&lx, "as")) {
        report(c, src, lx.tok.start, "expected \"as item\" after the list of {{#each}}");
        expr_free(list);
        return false;
    }
    lex_next(&lx);
    bool piped = lx.tok.kind == TOK_PIPE;
    if (piped) lex_next(&lx);
    token names[2];
    int name_count = 0;
    while (name_count < 2 && word_is_plain(&lx)) {
        names[name_count++] = lx.tok;
        lex_next(&lx);
        if (lx.tok.kind == TOK_COMMA) lex_next(&lx);
    }
    if (piped && lx.tok.kind == TOK_PIPE) lex_next(&lx);
    if (name_count == 0 || lx.tok.kind != TOK_END) {
        report(c, src, lx.tok.start, "expected {{#each list as item}} or {{#each list as item, index}}");
        expr_free(list);
        return false;
    }

    size_t scope_mark = c->scope_count;
    c->level++;
    lv_tmpl_dyn d = {.kind = LV_DYN_EACH, .expr = list, .state_index = -1, .line = line, .index_local = UINT32_MAX};
    scope_push_local(c, src->text + names[0].start, names[0].len, &d.item_local);
    if (name_count == 2) scope_push_local(c, src->text + names[1].start, names[1].len, &d.index_local);
    c->loops = lv_xrealloc(c->loops, (c->loop_count + 1) * sizeof *c->loops);
    c->loops[c->loop_count++] = (open_loop){c->level, NULL, 0, false};

    builder body = {0};
    terminator term = {0};
    html_ctx at_open = *h;
    bool ok = parse_block(c, src, &body, h, &term);
    open_loop loop = c->loops[--c->loop_count];
    d.free_vars = loop.vars;
    d.free_var_count = loop.count;
    scope_pop_to(c, scope_mark);
    c->level--;
    if (ok) d.body = builder_finish(c, &body);
    builder_free(&body);
    expr_free(term.else_if);
    if (ok) ok = loop_closed(c, src, &term, open, line, "each", "; use {{#unless list}} after the loop");
    if (!ok) {
        dyn_free(&d);
        return false;
    }
    *h = at_open; /* a loop body starts and ends in the same context */
    builder_add(outer, d);
    return true;
}

/* Drops the whitespace before the first tag and after the last one of a
 * stream's body: the container's children must be the items' elements. */
static void trim_body(builder *b)
{
    size_t n = b->cur.len;
    while (n && is_space(b->cur.data[n - 1])) n--;
    b->cur.len = n;
    if (b->cur.data) b->cur.data[n] = '\0';
    lv_buf *first = b->static_count ? &b->done : &b->cur;
    size_t first_len = b->static_count ? b->lens[0] : b->cur.len;
    size_t lead = 0;
    while (lead < first_len && is_space(first->data[lead])) lead++;
    if (!lead) return;
    lv_buf_consume(first, lead);
    if (b->static_count) b->lens[0] -= lead;
}

/* {{#stream name as item}} ... {{/stream}}: the items of a stream inserted
 * since the last render (render/stream.h). */
static bool parse_stream(compiler *c, source *src, builder *outer, html_ctx *h, size_t open, size_t start,
                         size_t end, int line)
{
    for (size_t i = 0; i < c->loop_count; i++) {
        if (c->loops[i].stream) {
            report(c, src, open, "a {{#stream}} cannot be inside another {{#stream}}");
            return false;
        }
    }
    if (h->state != HS_DATA) {
        report(c, src, open, "a {{#stream}} goes where an element could, not inside a tag");
        return false;
    }
    lexer lx;
    lexer_init(&lx, c, src, start, end);
    if (!word_is_plain(&lx) || lx.tok.len > LV_STREAM_MAX_NAME) {
        report(c, src, lx.tok.start, "expected {{#stream name as item}} (a stream name, without dots)");
        return false;
    }
    token name = lx.tok;
    lex_next(&lx);
    if (!tok_is(&lx, "as")) {
        report(c, src, lx.tok.start, "expected \"as item\" after the name of {{#stream}}");
        return false;
    }
    lex_next(&lx);
    token item = lx.tok;
    if (!word_is_plain(&lx)) {
        report(c, src, lx.tok.start, "expected {{#stream name as item}}");
        return false;
    }
    lex_next(&lx);
    if (lx.tok.kind != TOK_END) {
        report(c, src, lx.tok.start, "expected {{#stream name as item}} (a stream has no index)");
        return false;
    }

    lv_tmpl_dyn d = {.kind = LV_DYN_STREAM, .state_index = -1, .line = line, .index_local = UINT32_MAX};
    d.attr_name = lv_xstrndup(src->text + name.start, name.len);
    lv_buf dep = LV_BUF_INIT;
    lv_buf_puts(&dep, LV_STREAM_DEP_PREFIX);
    lv_buf_append(&dep, d.attr_name, name.len);
    d.expr = expr_new(LV_BASE_ASSIGN, src, line);
    d.expr->id = intern_assign(c, dep.data, dep.len);
    lv_buf_free(&dep);
    note_roots(c, d.expr); /* rows of an {{#each}} around it change with the stream */

    size_t scope_mark = c->scope_count;
    c->level++;
    scope_push_local(c, src->text + item.start, item.len, &d.item_local);
    c->loops = lv_xrealloc(c->loops, (c->loop_count + 1) * sizeof *c->loops);
    c->loops[c->loop_count++] = (open_loop){c->level, NULL, 0, true};

    builder body = {0};
    terminator term = {0};
    html_ctx at_open = *h;
    bool ok = parse_block(c, src, &body, h, &term);
    open_loop loop = c->loops[--c->loop_count];
    d.free_vars = loop.vars;
    d.free_var_count = loop.count;
    scope_pop_to(c, scope_mark);
    c->level--;
    if (ok) {
        trim_body(&body);
        d.body = builder_finish(c, &body);
    }
    builder_free(&body);
    expr_free(term.else_if);
    if (ok) ok = loop_closed(c, src, &term, open, line, "stream", "");
    if (!ok) {
        dyn_free(&d);
        return false;
    }
    *h = at_open;
    builder_add(outer, d);
    return true;
}

static bool resolve_partial(compiler *c, const char *name, size_t len, char **text, size_t *text_len,
                            const char **source_name)
{
    char *zname = lv_xstrndup(name, len);
    bool found = false;
    if (c->opts && c->opts->resolve_partial) {
        const char *t = NULL, *sn = NULL;
        size_t n = 0;
        if (c->opts->resolve_partial(c->opts->resolver_user, zname, &t, &n, &sn)) {
            *text = lv_xstrndup(t, n);
            *text_len = n;
            *source_name = intern_name(c, sn ? sn : zname);
            found = true;
        }
    }
    if (!found) {
        *text = lv_registry_get_text(name, len, text_len, NULL);
        if (*text) {
            *source_name = intern_name(c, zname);
            found = true;
        }
    }
    free(zname);
    return found;
}

/* {{> name}} or {{> name key=expr ...}}: the partial is compiled in place,
 * with each key bound to its expression. */
static bool parse_partial(compiler *c, source *src, builder *b, html_ctx *h, size_t start, size_t end)
{
    lexer lx;
    lexer_init(&lx, c, src, start, end);
    token name = lx.tok;
    size_t name_start = name.start, name_len = name.len;
    if (name.kind == TOK_STRING && name.len >= 2) {
        name_start++;
        name_len -= 2;
    } else if (name.kind != TOK_WORD) {
        report(c, src, name.start, "expected a partial name after {{>");
        return false;
    }
    lex_next(&lx);
    if (c->partial_depth >= MAX_PARTIAL_DEPTH) {
        report(c, src, name.start, "partials nested more than %d deep (does \"%.*s\" include itself?)",
               MAX_PARTIAL_DEPTH, shown_len(src->text + name_start, name_len), src->text + name_start);
        return false;
    }
    /* Arguments are parsed in the caller's scope, then bound all at once. */
    lv_tmpl_expr holder = {0};
    if (!parse_args(&lx, &holder, "a partial takes key=value arguments only") || lx.tok.kind != TOK_END) {
        if (!c->failed) report(c, src, lx.tok.start, "a partial takes key=value arguments only");
        for (uint32_t i = 0; i < holder.arg_count; i++) expr_free(holder.args[i]);
        free(holder.args);
        named_free(holder.named, holder.named_count);
        return false;
    }
    char *text = NULL;
    size_t text_len = 0;
    const char *partial_name = NULL;
    if (!resolve_partial(c, src->text + name_start, name_len, &text, &text_len, &partial_name)) {
        report(c, src, name.start, "unknown partial \"%.*s\"", shown_len(src->text + name_start, name_len),
               src->text + name_start);
        named_free(holder.named, holder.named_count);
        return false;
    }
    size_t scope_mark = c->scope_count;
    for (uint32_t i = 0; i < holder.named_count; i++) {
        c->scope = lv_xrealloc(c->scope, (c->scope_count + 1) * sizeof *c->scope);
        c->scope[c->scope_count++] = (scope_entry){holder.named[i].key, SCOPE_ALIAS, 0, holder.named[i].value};
    }
    free(holder.named);

    c->source_hash = lv_hash_bytes(text, text_len, c->source_hash);
    source inner = {.name = partial_name, .text = text, .len = text_len, .line = 1};
    terminator term = {0};
    c->partial_depth++;
    bool ok = parse_block(c, &inner, b, h, &term);
    c->partial_depth--;
    expr_free(term.else_if);
    if (ok && term.kind != TERM_EOF) {
        report(c, &inner, term.at, "{{%s}} without its opening block in this partial",
               term.kind == TERM_ELSE ? "else" : "/...");
        ok = false;
    }
    scope_pop_to(c, scope_mark);
    free(text);
    return ok;
}

/* {{component "name" key=expr ...}}: a slot the components issue fills;
 * {{live_render "name" id="..." ...}} (live_view): a nested LiveView. */
static bool parse_component(compiler *c, source *src, builder *b, size_t start, size_t end, int line,
                            bool live_view)
{
    lexer lx;
    lexer_init(&lx, c, src, start, end);
    if (lx.tok.kind != TOK_STRING) {
        report(c, src, lx.tok.start,
               live_view ? "expected the view's name as a string: {{live_render \"name\" id=\"...\"}}"
                         : "expected the component's name as a string: {{component \"name\" ...}}");
        return false;
    }
    lv_value name = parse_string_literal(src->text + lx.tok.start, lx.tok.len);
    lex_next(&lx);
    lv_tmpl_expr holder = {0};
    const char *args_only =
        live_view ? "a live_render takes key=value arguments only" : "a component takes key=value arguments only";
    if (!parse_args(&lx, &holder, args_only) || lx.tok.kind != TOK_END) {
        if (!c->failed) report(c, src, lx.tok.start, "%s", args_only);
        for (uint32_t i = 0; i < holder.arg_count; i++) expr_free(holder.args[i]);
        free(holder.args);
        named_free(holder.named, holder.named_count);
        lv_value_free(&name);
        return false;
    }
    for (uint32_t i = 0; i < holder.named_count; i++) note_roots(c, holder.named[i].value);
    lv_tmpl_dyn d = {.kind = LV_DYN_COMPONENT, .state_index = -1, .line = line, .live_view = live_view};
    d.attr_name = name.as.s.ptr; /* taken from the value */
    d.named = holder.named;
    d.named_count = holder.named_count;
    builder_add(b, d);
    return true;
}

/* Removes a trailing `name=` (spaces allowed around =) from the current
 * static and returns the name, or NULL when there is none. */
static char *take_attr_name(builder *b)
{
    size_t n = b->cur.len;
    const char *s = b->cur.data;
    while (n && is_space(s[n - 1])) n--;
    if (!n || s[n - 1] != '=') return NULL;
    n--;
    while (n && is_space(s[n - 1])) n--;
    size_t name_end = n;
    while (n && !is_space(s[n - 1]) && s[n - 1] != '<' && s[n - 1] != '"' && s[n - 1] != '\'' && s[n - 1] != '/')
        n--;
    if (n == name_end) return NULL;
    char *name = lv_xstrndup(s + n, name_end - n);
    b->cur.len = n;
    b->cur.data[n] = '\0';
    return name;
}

static bool interior_starts_with(const source *src, size_t start, size_t end, const char *word, size_t *after)
{
    size_t n = strlen(word);
    if (start + n > end || memcmp(src->text + start, word, n) != 0) return false;
    if (start + n < end && !is_space(src->text[start + n])) return false;
    *after = start + n;
    return true;
}

/* An output tag, {{expr}} or {{{expr}}}, placed according to the HTML
 * context around it. */
static bool parse_output(compiler *c, source *src, builder *b, html_ctx *h, size_t open, size_t start, size_t end,
                         bool raw, int line)
{
    lv_tmpl_dyn d = {.kind = raw ? LV_DYN_RAW : LV_DYN_TEXT, .state_index = -1, .line = line};
    if (!raw) {
        switch (h->state) {
        case HS_BEFORE_VALUE:
            d.kind = LV_DYN_ATTR;
            d.attr_name = take_attr_name(b);
            if (!d.attr_name) {
                report(c, src, open, "expected an attribute name before ={{");
                return false;
            }
            h->state = HS_BEFORE_ATTR;
            /* name={{x}}y would glue y to the attribute's value. */
            if (src->pos < src->len && !is_space(src->text[src->pos]) && src->text[src->pos] != '>' &&
                src->text[src->pos] != '/' && src->text[src->pos] != '{') {
                report(c, src, src->pos, "put a space or > after name={{ }}");
                free(d.attr_name);
                return false;
            }
            break;
        case HS_BEFORE_ATTR:
        case HS_AFTER_ATTR_NAME: d.kind = LV_DYN_ATTRS; break;
        case HS_VALUE_UQ:
            report(c, src, open, "quote an attribute value that holds {{ }}: name=\"...{{x}}...\"");
            return false;
        case HS_TAG_OPEN:
        case HS_TAG_NAME:
        case HS_ATTR_NAME:
        case HS_END_TAG:
            report(c, src, open, "{{ }} cannot make a tag or attribute name");
            return false;
        default: break;
        }
    }
    d.expr = parse_expression_at(c, src, start, end);
    if (!d.expr) {
        dyn_free(&d);
        return false;
    }
    builder_add(b, d);
    return true;
}

/* ---- Function components with slots ---------------------------------------
 *
 *   {{#card title="Totals" tone=tone}}default slot{{:footer}}footer slot{{/card}}
 *
 * compiles the registered body of "card" in place (like a partial), with
 * each declared attribute bound to its argument, its default or null, and
 * `slots` bound to a map saying which slots the call gave. In the body,
 * {{slot}} and {{slot "footer"}} compile the call's slot text right there,
 * in the caller's scope: the body's own names are hidden meanwhile. The
 * checks against the declaration happen here, at compile time. */

#define FC_MAX_SLOTS 16

typedef struct fc_slot {
    const char *name; /* into the caller's text; "inner_block" for the default */
    size_t name_len;
    size_t start, end; /* the content, in the caller's text */
} fc_slot;

typedef struct fc_frame {
    const lv_fc_entry *fc;
    const source *caller;
    size_t call_mark; /* scope entries from here on are the body's */
    fc_slot slots[FC_MAX_SLOTS + 1];
    int slot_count;
} fc_frame;

/* The registered component named by the word after '#' in [start, end). */
static const lv_fc_entry *fc_named_at(const source *src, size_t start, size_t end)
{
    size_t n = 0;
    while (start + n < end && is_name_char(src->text[start + n])) n++;
    if (n == 0 || (start + n < end && !is_space(src->text[start + n]))) return NULL;
    return lv_fc_lookup(src->text + start, n);
}

/* Finds the {{/name}} closing a call whose tag ends at `from`, and the
 * {{:slot}} separators at its own level (a nested call of any function
 * component is skipped whole). Fills the frame's slots; *close_end is the
 * offset after {{/name}}. Returns false after reporting an error. */
static bool fc_scan(compiler *c, const source *src, size_t from, fc_frame *frame, size_t *close_end, size_t call_open)
{
    const char *t = src->text;
    const char *name = frame->fc->name;
    size_t name_len = strlen(name);
    int depth = 0;
    frame->slot_count = 1;
    frame->slots[0] = (fc_slot){"inner_block", 11, from, 0};
    for (size_t i = from; i < src->len;) {
        const char *found = memmem(t + i, src->len - i, "{{", 2);
        if (!found) break;
        size_t open = (size_t)(found - t);
        if (open > 0 && t[open - 1] == '\\') {
            i = open + 2;
            continue;
        }
        if (open + 2 < src->len && t[open + 2] == '!') {
            bool long_form = open + 4 < src->len && t[open + 3] == '-' && t[open + 4] == '-';
            const char *closer = long_form ? "--}}" : "}}";
            const char *cl = memmem(t + open + 3, src->len - open - 3, closer, strlen(closer));
            if (!cl) break;
            i = (size_t)(cl - t) + strlen(closer);
            continue;
        }
        bool raw = open + 2 < src->len && t[open + 2] == '{';
        size_t s = open + (raw ? 3 : 2);
        size_t close = find_close(src, s, raw ? "}}}" : "}}");
        if (close == SIZE_MAX) break;
        i = close + (raw ? 3 : 2);
        if (raw) continue;
        while (s < close && is_space(t[s])) s++;
        size_t e = close;
        while (e > s && is_space(t[e - 1])) e--;
        if (s >= e) continue;
        size_t w = s + 1, wn = 0;
        while (w + wn < e && is_name_char(t[w + wn])) wn++;
        if (t[s] == '#' && fc_named_at(src, w, e)) {
            depth++;
        } else if (t[s] == '/' && wn == e - w && lv_fc_lookup(t + w, wn)) {
            if (depth-- > 0) continue;
            if (wn != name_len || memcmp(t + w, name, wn) != 0) {
                report(c, src, open, "{{/%.*s}} where {{/%s}} was expected", (int)wn, t + w, name);
                return false;
            }
            frame->slots[frame->slot_count - 1].end = open;
            *close_end = i;
            return true;
        } else if (t[s] == ':' && depth == 0) {
            if (wn == 0 || wn != e - w) {
                report(c, src, open, "expected a slot name: {{:name}}");
                return false;
            }
            if (!lv_fc_has_slot(frame->fc, t + w, wn)) {
                report(c, src, w, "%s has no slot \"%.*s\"", name, shown_len(t + w, wn), t + w);
                return false;
            }
            for (int k = 1; k < frame->slot_count; k++) {
                if (frame->slots[k].name_len == wn && memcmp(frame->slots[k].name, t + w, wn) == 0) {
                    report(c, src, w, "slot \"%.*s\" given twice", shown_len(t + w, wn), t + w);
                    return false;
                }
            }
            if (frame->slot_count > FC_MAX_SLOTS) {
                report(c, src, open, "more than %d slots", FC_MAX_SLOTS);
                return false;
            }
            frame->slots[frame->slot_count - 1].end = open;
            frame->slots[frame->slot_count++] = (fc_slot){t + w, wn, i, 0};
        }
    }
    report(c, src, call_open, "{{#%s}} is never closed (expected {{/%s}})", name, name);
    return false;
}

/* True when the default slot holds only whitespace: no slot given. */
static bool fc_slot_blank(const source *src, const fc_slot *slot)
{
    for (size_t i = slot->start; i < slot->end; i++)
        if (!is_space(src->text[i])) return false;
    return true;
}

/* Checks the call's arguments against the declaration and pushes one alias
 * per declared attribute, plus `slots`. Takes the arguments. */
static bool fc_bind(compiler *c, const source *src, fc_frame *frame, lv_tmpl_expr *holder, size_t at, int line)
{
    const lv_fc_entry *fc = frame->fc;
    bool ok = true;
    for (uint32_t i = 0; ok && i < holder->named_count; i++) {
        const char *key = holder->named[i].key;
        const lv_fc_attr *a = lv_fc_attr_of(fc, key, strlen(key));
        const lv_tmpl_expr *v = holder->named[i].value;
        if (!a) {
            report(c, src, at, "%s has no attribute \"%s\"", fc->name, key);
            ok = false;
        } else if (v->base == LV_BASE_LITERAL && v->seg_count == 0 && !lv_fc_value_fits(a->type, &v->literal)) {
            report(c, src, at, "%s: attribute \"%s\" must be %s", fc->name, key, lv_fc_type_name(a->type));
            ok = false;
        }
        for (uint32_t k = 0; ok && k < i; k++) {
            if (!strcmp(holder->named[k].key, key)) {
                report(c, src, at, "%s: attribute \"%s\" given twice", fc->name, key);
                ok = false;
            }
        }
    }
    for (size_t i = 0; ok && i < fc->attr_count; i++) {
        const lv_fc_attr *a = &fc->attrs[i];
        lv_tmpl_expr *value = NULL;
        for (uint32_t k = 0; k < holder->named_count; k++) {
            if (!strcmp(holder->named[k].key, a->name)) {
                value = holder->named[k].value;
                holder->named[k].value = NULL;
            }
        }
        if (!value && a->required) {
            report(c, src, at, "%s: missing required attribute \"%s\"", fc->name, a->name);
            ok = false;
            break;
        }
        if (!value) {
            value = expr_new(LV_BASE_LITERAL, src, line);
            value->literal = lv_value_clone(&a->default_value);
        }
        c->scope = lv_xrealloc(c->scope, (c->scope_count + 1) * sizeof *c->scope);
        c->scope[c->scope_count++] = (scope_entry){lv_xstrdup(a->name), SCOPE_ALIAS, 0, value};
    }
    named_free(holder->named, holder->named_count);
    holder->named = NULL;
    holder->named_count = 0;
    if (!ok) return false;
    lv_tmpl_expr *given = expr_new(LV_BASE_LITERAL, src, line);
    given->literal = lv_value_map();
    lv_value_map_set(&given->literal, "inner_block", lv_value_bool(!fc_slot_blank(src, &frame->slots[0])));
    for (size_t i = 0; i < fc->slot_count; i++) {
        bool has = false;
        for (int k = 1; k < frame->slot_count; k++)
            has = has || (frame->slots[k].name_len == strlen(fc->slots[i]) &&
                          memcmp(frame->slots[k].name, fc->slots[i], frame->slots[k].name_len) == 0);
        lv_value_map_set(&given->literal, fc->slots[i], lv_value_bool(has));
    }
    c->scope = lv_xrealloc(c->scope, (c->scope_count + 1) * sizeof *c->scope);
    c->scope[c->scope_count++] = (scope_entry){lv_xstrdup("slots"), SCOPE_ALIAS, 0, given};
    return true;
}

/* {{#name key=expr ...}} ... {{/name}}: [start, end) is the tag's interior
 * after "{{#". */
static bool parse_fc_call(compiler *c, source *src, builder *b, html_ctx *h, size_t open, size_t start, size_t end)
{
    const lv_fc_entry *fc = fc_named_at(src, start, end);
    int line = line_at(src, open);
    if (h->state != HS_DATA) {
        report(c, src, open, "{{#%s}} goes where an element could, not inside a tag", fc->name);
        return false;
    }
    if (c->partial_depth >= MAX_PARTIAL_DEPTH || c->fc_depth >= MAX_PARTIAL_DEPTH) {
        report(c, src, open, "function components nested more than %d deep (does %s call itself?)",
               MAX_PARTIAL_DEPTH, fc->name);
        return false;
    }
    fc_frame *frame = lv_xcalloc(1, sizeof *frame);
    frame->fc = fc;
    frame->caller = src;
    size_t close_end = 0;
    if (!fc_scan(c, src, src->pos, frame, &close_end, open)) {
        free(frame);
        return false;
    }
    lexer lx;
    lexer_init(&lx, c, src, start + strlen(fc->name), end);
    lv_tmpl_expr holder = {0};
    char message[96];
    snprintf(message, sizeof message, "%s takes key=value attributes only", fc->name);
    bool ok = parse_args(&lx, &holder, message) && lx.tok.kind == TOK_END;
    if (!ok && !c->failed) report(c, src, lx.tok.start, "%s", message);
    for (uint32_t i = 0; i < holder.arg_count; i++) expr_free(holder.args[i]);
    free(holder.args);
    frame->call_mark = c->scope_count;
    if (ok) ok = fc_bind(c, src, frame, &holder, start, line);
    named_free(holder.named, holder.named_count);

    char *text = NULL;
    size_t text_len = 0;
    const char *body_name = NULL;
    if (ok && fc->text) {
        text = lv_xstrndup(fc->text, fc->text_len);
        text_len = fc->text_len;
        body_name = intern_name(c, fc->name);
    } else if (ok && !resolve_partial(c, fc->template_name, strlen(fc->template_name), &text, &text_len, &body_name)) {
        report(c, src, open, "%s: unknown template \"%s\"", fc->name, fc->template_name);
        ok = false;
    }
    if (ok) {
        c->source_hash = lv_hash_bytes(text, text_len, c->source_hash);
        source body = {.name = body_name, .text = text, .len = text_len, .line = 1};
        terminator term = {0};
        c->fc_frames[c->fc_depth++] = frame;
        c->partial_depth++;
        ok = parse_block(c, &body, b, h, &term);
        c->partial_depth--;
        c->fc_depth--;
        expr_free(term.else_if);
        if (ok && term.kind != TERM_EOF) {
            report(c, &body, term.at, "{{%s}} without its opening block in %s", term.kind == TERM_ELSE ? "else" : "/...",
                   fc->name);
            ok = false;
        }
    }
    scope_pop_to(c, frame->call_mark);
    free(text);
    free(frame);
    src->pos = close_end;
    return ok;
}

/* {{slot}} or {{slot "name"}} in a function component's body: the call's
 * slot text compiled here, in the caller's scope. [start, end) follows the
 * word "slot". */
static bool parse_slot_render(compiler *c, source *src, builder *b, html_ctx *h, size_t open, size_t start, size_t end)
{
    fc_frame *frame = c->fc_frames[c->fc_depth - 1];
    lexer lx;
    lexer_init(&lx, c, src, start, end);
    const char *name = "inner_block";
    size_t name_len = 11;
    lv_value given = lv_value_null();
    if (lx.tok.kind == TOK_STRING) {
        given = parse_string_literal(src->text + lx.tok.start, lx.tok.len);
        name = given.as.s.ptr;
        name_len = given.as.s.len;
        lex_next(&lx);
    }
    bool ok = true;
    if (lx.tok.kind != TOK_END) {
        report(c, src, lx.tok.start, "expected {{slot}} or {{slot \"name\"}}");
        ok = false;
    } else if (given.kind != LV_VALUE_NULL && !lv_fc_has_slot(frame->fc, name, name_len)) {
        report(c, src, open, "%s has no slot \"%.*s\"", frame->fc->name, shown_len(name, name_len), name);
        ok = false;
    }
    const fc_slot *slot = NULL;
    for (int k = 0; ok && k < frame->slot_count; k++)
        if (frame->slots[k].name_len == name_len && memcmp(frame->slots[k].name, name, name_len) == 0)
            slot = &frame->slots[k];
    if (ok && slot && c->hidden_count < MAX_PARTIAL_DEPTH) {
        /* The caller's text, with the caller's names: the body's are hidden,
         * and the frame is not current while its own slot compiles. */
        source content = {.name = frame->caller->name, .text = frame->caller->text, .len = slot->end,
                          .pos = slot->start, .line = 1};
        c->hidden[c->hidden_count++] = (struct hidden_range){frame->call_mark, c->scope_count};
        c->fc_depth--;
        terminator term = {0};
        ok = parse_block(c, &content, b, h, &term);
        c->fc_depth++;
        c->hidden_count--;
        expr_free(term.else_if);
        if (ok && term.kind != TERM_EOF) {
            report(c, &content, term.at, "{{%s}} without its opening block in this slot",
                   term.kind == TERM_ELSE ? "else" : "/...");
            ok = false;
        }
    } else if (ok && slot) {
        report(c, src, open, "slots nested more than %d deep", MAX_PARTIAL_DEPTH);
        ok = false;
    }
    lv_value_free(&given);
    return ok;
}

/* Parses text into b until the end of src, an {{else}} or a {{/name}}, which
 * it describes in *term. Returns false after reporting an error. */
/* An AsyncResult's field: a copy of base with ".key" added. */
static lv_tmpl_expr *expr_with_key(const lv_tmpl_expr *base, const char *key)
{
    lv_tmpl_expr *e = expr_clone(base);
    e->segs = lv_xrealloc(e->segs, (e->seg_count + 1) * sizeof *e->segs);
    e->segs[e->seg_count++] = (lv_tmpl_seg){.key = lv_xstrdup(key), .key_len = strlen(key)};
    return e;
}

/* {{#async_result org as o}} ok {{else loading}} ... {{else failed}} ...
 * {{/async_result}}: a conditional over an AsyncResult (live/async.c) in
 * the order of Phoenix's <.async_result>: ok first (a reload keeps showing
 * the previous result), then loading, then failed; `o` stands for
 * org.result. Compiled as {{#if org.ok}}...{{else if org.loading}}.... */
static bool parse_async_result(compiler *c, source *src, builder *outer, html_ctx *h, size_t open, size_t start,
                               size_t end, int line)
{
    lexer lx;
    lexer_init(&lx, c, src, start, end);
    lv_tmpl_expr *target = parse_primary(&lx);
    if (!target) return false;
    note_roots(c, target);
    token alias = {0};
    bool saw_as = tok_is(&lx, "as"), has_alias = false;
    if (saw_as) {
        lex_next(&lx);
        has_alias = word_is_plain(&lx);
        alias = lx.tok;
        if (has_alias) lex_next(&lx);
    }
    if (lx.tok.kind != TOK_END || saw_as != has_alias) {
        report(c, src, lx.tok.start, "expected {{#async_result name}} or {{#async_result name as value}}");
        expr_free(target);
        return false;
    }
    size_t scope_mark = c->scope_count;
    if (has_alias) {
        c->scope = lv_xrealloc(c->scope, (c->scope_count + 1) * sizeof *c->scope);
        c->scope[c->scope_count++] = (scope_entry){lv_xstrndup(src->text + alias.start, alias.len), SCOPE_ALIAS, 0,
                                                   expr_with_key(target, "result")};
    }
    lv_tmpl_dyn d = {.kind = LV_DYN_IF, .state_index = -1, .line = line};
    html_ctx at_open = *h;
    lv_tmpl_expr *cond = expr_with_key(target, "ok");
    bool seen[3] = {true, false, false};
    bool ok;
    for (;;) {
        builder body = {0};
        terminator term = {0};
        *h = at_open;
        ok = parse_block(c, src, &body, h, &term);
        lv_tmpl_block *blk = ok ? builder_finish(c, &body) : NULL;
        builder_free(&body);
        d.branches = lv_xrealloc(d.branches, (d.branch_count + 1) * sizeof *d.branches);
        d.branches[d.branch_count++] = (lv_tmpl_branch){cond, false, blk};
        cond = NULL;
        bool else_if = term.else_if != NULL;
        expr_free(term.else_if);
        if (!ok) break;
        if (term.kind == TERM_EOF) {
            report(c, src, open, "{{#async_result}} is never closed (expected {{/async_result}})");
            ok = false;
        } else if (term.kind == TERM_CLOSE) {
            if (strcmp(term.close_name, "async_result") != 0) {
                report(c, src, term.at, "expected {{/async_result}} to close the {{#async_result}} of line %d", line);
                ok = false;
            }
        } else if (!term.else_async || seen[term.else_async] || else_if) {
            report(c, src, term.at, "{{#async_result}} takes {{else loading}} and {{else failed}}, each once");
            ok = false;
        } else {
            seen[term.else_async] = true;
            cond = expr_with_key(target, term.else_async == 1 ? "loading" : "failed");
            continue;
        }
        break;
    }
    scope_pop_to(c, scope_mark);
    expr_free(target);
    if (!ok) {
        dyn_free(&d);
        return false;
    }
    builder_add(outer, d);
    return true;
}

static bool parse_block(compiler *c, source *src, builder *b, html_ctx *h, terminator *term)
{
    if (++c->nesting > MAX_NESTING) {
        report(c, src, src->pos, "blocks nested more than %d deep", MAX_NESTING);
        c->nesting--;
        return false;
    }
    bool ok = true;
    *term = (terminator){.kind = TERM_EOF};
    while (ok && src->pos < src->len) {
        const char *found = memmem(src->text + src->pos, src->len - src->pos, "{{", 2);
        size_t open = found ? (size_t)(found - src->text) : src->len;
        html_scan(h, src->text, src->len, src->pos, open);
        lv_buf_append(&b->cur, src->text + src->pos, open - src->pos);
        if (!found) {
            src->pos = src->len;
            break;
        }
        /* \{{ is a literal {{. */
        if (open > src->pos && src->text[open - 1] == '\\') {
            b->cur.len--;
            lv_buf_append(&b->cur, "{{", 2);
            src->pos = open + 2;
            continue;
        }
        int line = line_at(src, open);
        const char *t = src->text;

        if (open + 2 < src->len && t[open + 2] == '!') {
            bool long_form = open + 4 < src->len && t[open + 3] == '-' && t[open + 4] == '-';
            const char *closer = long_form ? "--}}" : "}}";
            const char *close = memmem(t + open + 3, src->len - open - 3, closer, strlen(closer));
            if (!close) {
                report(c, src, open, "unterminated {{!%s comment", long_form ? "--" : "");
                ok = false;
                break;
            }
            src->pos = (size_t)(close - t) + strlen(closer);
            continue;
        }
        bool raw = open + 2 < src->len && t[open + 2] == '{';
        size_t start = open + (raw ? 3 : 2);
        size_t close = find_close(src, start, raw ? "}}}" : "}}");
        if (close == SIZE_MAX) {
            report(c, src, open, raw ? "unterminated {{{ ... }}}" : "unterminated {{ ... }}");
            ok = false;
            break;
        }
        src->pos = close + (raw ? 3 : 2);
        size_t end = close;
        while (start < end && is_space(t[start])) start++;
        while (end > start && is_space(t[end - 1])) end--;
        if (start == end) {
            report(c, src, open, "empty {{ }}: expected an expression");
            ok = false;
            break;
        }
        if (raw) {
            ok = parse_output(c, src, b, h, open, start, end, true, line);
            continue;
        }
        size_t after;
        if (t[start] == '#') {
            start++;
            if (interior_starts_with(src, start, end, "if", &after) ||
                interior_starts_with(src, start, end, "unless", &after)) {
                bool negate = t[start] == 'u';
                lv_tmpl_expr *cond = parse_expression_at(c, src, after, end);
                ok = cond && parse_if(c, src, b, h, open, cond, negate, line);
                if (!cond) ok = false;
            } else if (interior_starts_with(src, start, end, "each", &after)) {
                ok = parse_each(c, src, b, h, open, after, end, line);
            } else if (interior_starts_with(src, start, end, "stream", &after)) {
                ok = parse_stream(c, src, b, h, open, after, end, line);
            } else if (fc_named_at(src, start, end)) {
                ok = parse_fc_call(c, src, b, h, open, start, end);
            } else if (interior_starts_with(src, start, end, "async_result", &after)) {
                ok = parse_async_result(c, src, b, h, open, after, end, line);
            } else {
                report(c, src, start, "unknown block \"{{#%.*s\": expected #if, #unless, #each or #stream",
                       shown_len(t + start, end - start), t + start);
                ok = false;
            }
        } else if (t[start] == '/') {
            start++;
            while (start < end && is_space(t[start])) start++;
            term->kind = TERM_CLOSE;
            term->at = open;
            size_t n = end - start;
            if (n >= sizeof term->close_name) n = sizeof term->close_name - 1;
            memcpy(term->close_name, t + start, n);
            term->close_name[n] = '\0';
            break;
        } else if (interior_starts_with(src, start, end, "else", &after)) {
            term->kind = TERM_ELSE;
            term->at = open;
            while (after < end && is_space(t[after])) after++;
            if (after < end) {
                size_t cond_start;
                if (interior_starts_with(src, after, end, "if", &cond_start) ||
                    interior_starts_with(src, after, end, "unless", &cond_start)) {
                    term->else_unless = t[after] == 'u';
                    term->else_if = parse_expression_at(c, src, cond_start, end);
                    if (!term->else_if) ok = false;
                } else if (end - after == 7 && memcmp(t + after, "loading", 7) == 0) {
                    term->else_async = 1;
                } else if (end - after == 6 && memcmp(t + after, "failed", 6) == 0) {
                    term->else_async = 2;
                } else {
                    report(c, src, after, "expected {{else}}, {{else if cond}} or {{else unless cond}}");
                    ok = false;
                }
            }
            break;
        } else if (t[start] == '>') {
            ok = parse_partial(c, src, b, h, start + 1, end);
        } else if (c->fc_depth > 0 && (interior_starts_with(src, start, end, "slot", &after) ||
                                       (end - start == 4 && memcmp(t + start, "slot", 4) == 0))) {
            ok = parse_slot_render(c, src, b, h, open, start + 4, end);
        } else if (interior_starts_with(src, start, end, "component", &after)) {
            if (h->state != HS_DATA) {
                report(c, src, open, "a component goes where an element could, not inside a tag");
                ok = false;
            } else {
                ok = parse_component(c, src, b, after, end, line, false);
            }
        } else if (interior_starts_with(src, start, end, "live_render", &after)) {
            if (h->state != HS_DATA) {
                report(c, src, open, "a live_render goes where an element could, not inside a tag");
                ok = false;
            } else {
                ok = parse_component(c, src, b, after, end, line, true);
            }
        } else {
            ok = parse_output(c, src, b, h, open, start, end, false, line);
        }
    }
    c->nesting--;
    return ok && !c->failed;
}

/* ---- Passes over the finished tree --------------------------------------- */

static void set_bit(uint64_t *bits, uint32_t i)
{
    bits[i / 64] |= 1ull << (i % 64);
}

static void expr_deps(const lv_tmpl_expr *e, uint64_t *bits)
{
    if (!e) return;
    if (e->base == LV_BASE_ASSIGN) set_bit(bits, e->id);
    for (uint32_t i = 0; i < e->arg_count; i++) expr_deps(e->args[i], bits);
    for (uint32_t i = 0; i < e->named_count; i++) expr_deps(e->named[i].value, bits);
}

/* Fills every slot's dependency set (its own expressions and everything
 * nested) and ORs the block's into acc; numbers the state records of
 * conditionals and loops outside loops. */
static void finish_block(lv_tmpl *t, lv_tmpl_block *blk, uint64_t *acc, bool in_loop)
{
    uint32_t words = t->assign_words;
    for (uint32_t i = 0; i < blk->dyn_count; i++) {
        lv_tmpl_dyn *d = &blk->dyns[i];
        d->deps = lv_xcalloc(words ? words : 1, sizeof *d->deps);
        expr_deps(d->expr, d->deps);
        for (uint32_t k = 0; k < d->named_count; k++) expr_deps(d->named[k].value, d->deps);
        if ((d->kind == LV_DYN_IF || d->kind == LV_DYN_EACH) && !in_loop) d->state_index = (int32_t)t->state_count++;
        for (uint32_t k = 0; k < d->branch_count; k++) {
            expr_deps(d->branches[k].cond, d->deps);
            finish_block(t, d->branches[k].body, d->deps, in_loop);
        }
        if (d->body) finish_block(t, d->body, d->deps, true);
        for (uint32_t w = 0; w < words; w++) acc[w] |= d->deps[w];
    }
}

lv_tmpl *lv_tmpl_compile_ex(const char *name, const char *text, size_t len, const lv_tmpl_options *opts,
                            lv_tmpl_error *err)
{
    if (!name) name = "template";
    if (!text) {
        text = "";
        len = 0;
    }
    if (err) memset(err, 0, sizeof *err);

    lv_tmpl *t = lv_xcalloc(1, sizeof *t);
    t->name = lv_xstrdup(name);
    compiler c = {.t = t, .opts = opts, .err = err, .source_hash = lv_hash_bytes(text, len, 0x7e11)};
    source src = {.name = intern_name(&c, name), .text = text, .len = len, .line = 1};
    builder root = {0};
    html_ctx h = {HS_DATA, {0}, 0, false};
    terminator term = {0};
    bool ok = parse_block(&c, &src, &root, &h, &term);
    expr_free(term.else_if);
    if (ok && term.kind != TERM_EOF) {
        report(&c, &src, term.at, term.kind == TERM_ELSE ? "{{else}} outside {{#if}}"
                                                          : "{{/%s}} without a matching opening block",
               term.close_name);
        ok = false;
    }
    if (ok) t->root = builder_finish(&c, &root);
    builder_free(&root);
    scope_pop_to(&c, 0);
    free(c.scope);
    free(c.local_levels);
    for (size_t i = 0; i < c.loop_count; i++) free(c.loops[i].vars);
    free(c.loops);
    if (!ok) {
        lv_tmpl_free(t);
        return NULL;
    }
    /* The root is blocks[0]: builder_finish registers children first, so
     * move it to the front. */
    for (uint32_t i = t->block_count - 1; i > 0; i--) {
        lv_tmpl_block *tmp = t->blocks[i];
        t->blocks[i] = t->blocks[i - 1];
        t->blocks[i - 1] = tmp;
    }
    for (uint32_t i = 0; i < t->block_count; i++) t->blocks[i]->id = i;
    t->slot_count = t->root->dyn_count;
    t->assign_words = (t->assign_count + 63) / 64;
    uint64_t *all = lv_xcalloc(t->assign_words ? t->assign_words : 1, sizeof *all);
    finish_block(t, t->root, all, false);
    free(all);
    t->source_hash = c.source_hash;
    return t;
}

lv_tmpl *lv_tmpl_compile(const char *name, const char *text, size_t len, lv_tmpl_error *err)
{
    return lv_tmpl_compile_ex(name, text, len, NULL, err);
}

void lv_tmpl_free(lv_tmpl *t)
{
    if (!t) return;
    /* Every block is owned by its parent slot, the root by the template;
     * t->blocks only indexes them. */
    block_free(t->root);
    free(t->blocks);
    if (t->origin_free) t->origin_free(t->origin);
    for (uint32_t i = 0; i < t->assign_count; i++) free(t->assign_names[i]);
    free(t->assign_names);
    for (uint32_t i = 0; i < t->name_count; i++) free(t->names[i]);
    free(t->names);
    free(t->name);
    free(t);
}
