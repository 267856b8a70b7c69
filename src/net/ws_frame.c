/* RFC 6455 framing: the push parser for client frames and the encoder for
 * server frames. See ws_frame.h for the list of rules the parser enforces.
 *
 * How the parser holds its state. A frame header (2 to 14 bytes) is copied
 * into p->header as it arrives, in three stages, and each stage is checked as
 * soon as it is complete: the first two bytes (flags, opcode, mask bit, 7-bit
 * length), the extended length, then the mask key. So an unmasked frame is
 * refused after two bytes and an oversized one before its mask key arrives,
 * and nothing is ever allocated from a length that was not accepted.
 *
 * Payload bytes are unmasked in place in the caller's buffer. When a whole
 * unfragmented data frame or a whole control frame is already in the input,
 * the event points straight into that buffer (the common case for small
 * LiveView events); otherwise the bytes are appended to p->message (data) or
 * p->control (control frames, so that a ping inside a fragmented message does
 * not disturb the message being assembled).
 *
 * Text is validated incrementally: p->utf8_state carries the automaton across
 * fragments and calls, so the first bad byte fails the message at once. */
#include "net/ws_frame.h"

#include <openssl/evp.h>
#include <string.h>

#include "util/utf8.h"

/* A message buffer that grew beyond this is freed once its message has been
 * delivered, so that a single large message does not pin its memory for the
 * lifetime of an otherwise idle connection. */
#define RETAINED_BUFFER_MAX (64 * 1024)

#define CONTROL_PAYLOAD_MAX 125

enum {
    STAGE_FIRST_TWO_BYTES,
    STAGE_EXTENDED_LENGTH,
    STAGE_MASK_KEY,
};

/* Events with no payload point here, so that `data` is never NULL. */
static const uint8_t empty_payload[1];

static bool is_control(uint8_t opcode)
{
    return (opcode & 0x8) != 0;
}

static bool is_known_opcode(uint8_t opcode)
{
    switch (opcode) {
    case LV_WS_OP_CONTINUATION:
    case LV_WS_OP_TEXT:
    case LV_WS_OP_BINARY:
    case LV_WS_OP_CLOSE:
    case LV_WS_OP_PING:
    case LV_WS_OP_PONG:
        return true;
    default:
        return false;
    }
}

void lv_ws_parser_init(lv_ws_parser *p, size_t max_message)
{
    memset(p, 0, sizeof *p);
    p->max_message = max_message;
    p->header_stage = STAGE_FIRST_TWO_BYTES;
    p->header_need = 2;
    p->utf8_state = LV_UTF8_ACCEPT;
}

void lv_ws_parser_free(lv_ws_parser *p)
{
    lv_buf_free(&p->message);
    lv_buf_free(&p->control);
}

size_t lv_ws_parser_buffered(const lv_ws_parser *p)
{
    size_t message = p->message_delivered ? 0 : p->message.len;
    return message + (p->in_payload && is_control(p->opcode) ? p->control.len : 0);
}

bool lv_ws_parser_mid_message(const lv_ws_parser *p)
{
    if (p->failed) return false;
    return p->message_opcode != 0 || p->header_len > 0 || p->in_payload;
}

static size_t need_more(lv_ws_event *ev, size_t consumed)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = LV_WS_NEED_MORE;
    return consumed;
}

/* Records a terminal event (ERROR or CLOSE) so that every later call returns
 * it again. The stored copy drops the payload: it pointed into the caller's
 * input or into a buffer that may be reused, and only the first report needs
 * it (a CLOSE's reason); the code is what later calls care about. */
static void become_failed(lv_ws_parser *p, const lv_ws_event *ev)
{
    p->failed = true;
    p->failure = *ev;
    p->failure.data = empty_payload;
    p->failure.len = 0;
}

static size_t fail(lv_ws_parser *p, lv_ws_event *ev, uint16_t close_code, const char *why, size_t consumed)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = LV_WS_ERROR;
    ev->data = empty_payload;
    ev->close_code = close_code;
    ev->error = why;
    become_failed(p, ev);
    return consumed;
}

/* XORs n bytes that start `offset` bytes into the payload with the mask key.
 * The key is rotated to the offset once, and the bulk is done eight bytes at
 * a time: unmasking touches every byte a client sends. */
static void unmask(uint8_t *data, size_t n, const uint8_t mask[4], uint64_t offset)
{
    uint8_t rotated[8];
    for (size_t i = 0; i < sizeof rotated; i++) rotated[i] = mask[(offset + i) & 3];
    uint64_t word_mask;
    memcpy(&word_mask, rotated, sizeof word_mask);

    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t word;
        memcpy(&word, data + i, sizeof word);
        word ^= word_mask;
        memcpy(data + i, &word, sizeof word);
    }
    for (; i < n; i++) data[i] ^= rotated[i & 3];
}

/* Checks the first two header bytes: everything that does not depend on an
 * extended length. Returns NULL when they are acceptable, otherwise a
 * description of the violation with its close code in *code. */
static const char *check_first_two_bytes(const lv_ws_parser *p, uint16_t *code)
{
    uint8_t flags = p->header[0];
    uint8_t opcode = flags & 0x0F;
    bool fin = (flags & 0x80) != 0;
    uint8_t length7 = p->header[1] & 0x7F;

    *code = LV_WS_CLOSE_PROTOCOL_ERROR;
    if (flags & 0x70) return "reserved bits set without a negotiated extension";
    if (!is_known_opcode(opcode)) return "reserved opcode";
    if (!(p->header[1] & 0x80)) return "unmasked client frame";
    if (is_control(opcode)) {
        if (!fin) return "fragmented control frame";
        if (length7 > CONTROL_PAYLOAD_MAX) return "control frame payload over 125 bytes";
        return NULL;
    }
    if (opcode == LV_WS_OP_CONTINUATION && p->message_opcode == 0) return "continuation frame without a message in progress";
    if (opcode != LV_WS_OP_CONTINUATION && p->message_opcode != 0) return "new data frame inside a fragmented message";
    return NULL;
}

/* Checks the declared payload length, before the mask key is read and before
 * anything is allocated for the payload. */
static const char *check_length(const lv_ws_parser *p, uint16_t *code)
{
    if (p->payload_len >> 63) {
        *code = LV_WS_CLOSE_PROTOCOL_ERROR;
        return "64-bit payload length with the top bit set";
    }
    if (is_control(p->header[0] & 0x0F)) return NULL;

    /* A new message starts from nothing; a continuation adds to the bytes
     * already assembled, which never exceed max_message, so the subtraction
     * cannot wrap. */
    bool continuation = (p->header[0] & 0x0F) == LV_WS_OP_CONTINUATION;
    size_t already = continuation ? p->message.len : 0;
    if (p->payload_len > (uint64_t)(p->max_message - already)) {
        *code = LV_WS_CLOSE_TOO_BIG;
        return "message larger than the maximum";
    }
    return NULL;
}

static void begin_payload(lv_ws_parser *p)
{
    p->opcode = p->header[0] & 0x0F;
    p->fin = (p->header[0] & 0x80) != 0;
    memcpy(p->mask, p->header + p->header_len - 4, 4);
    p->payload_read = 0;
    p->in_payload = true;
    if (is_control(p->opcode)) {
        lv_buf_reset(&p->control);
    } else if (p->opcode != LV_WS_OP_CONTINUATION) {
        p->message_opcode = p->opcode;
        p->utf8_state = LV_UTF8_ACCEPT;
    }
}

static void end_frame(lv_ws_parser *p)
{
    p->in_payload = false;
    p->header_stage = STAGE_FIRST_TWO_BYTES;
    p->header_len = 0;
    p->header_need = 2;
}

/* Called each time p->header holds header_need bytes: checks that stage and
 * says how many bytes the next one needs. Returns a violation or NULL. */
static const char *advance_header(lv_ws_parser *p, uint16_t *code)
{
    const char *why;
    switch (p->header_stage) {
    case STAGE_FIRST_TWO_BYTES: {
        if ((why = check_first_two_bytes(p, code))) return why;
        uint8_t length7 = p->header[1] & 0x7F;
        if (length7 == 126 || length7 == 127) {
            p->header_stage = STAGE_EXTENDED_LENGTH;
            p->header_need = length7 == 126 ? 2 + 2 : 2 + 8;
            return NULL;
        }
        p->payload_len = length7;
        if ((why = check_length(p, code))) return why;
        p->header_stage = STAGE_MASK_KEY;
        p->header_need = 2 + 4;
        return NULL;
    }
    case STAGE_EXTENDED_LENGTH:
        /* Non-minimal encodings (say, 5 in a 16-bit length) are accepted:
         * RFC 6455 asks senders for minimal lengths but a receiver gains
         * nothing by refusing them. */
        p->payload_len = 0;
        for (uint8_t i = 2; i < p->header_need; i++) p->payload_len = (p->payload_len << 8) | p->header[i];
        if ((why = check_length(p, code))) return why;
        p->header_stage = STAGE_MASK_KEY;
        p->header_need += 4;
        return NULL;
    default:
        begin_payload(p);
        return NULL;
    }
}

/* Turns a complete close frame into a CLOSE event, or an ERROR when its body
 * is malformed. The event's data is the reason (after the two code bytes);
 * the code is in close_code, 1005 when the frame had no body. */
static size_t close_event(lv_ws_parser *p, lv_ws_event *ev, const uint8_t *payload, size_t len, size_t consumed)
{
    uint16_t close_code = LV_WS_CLOSE_NO_STATUS;
    const uint8_t *reason = empty_payload;
    size_t reason_len = 0;

    if (len == 1) return fail(p, ev, LV_WS_CLOSE_PROTOCOL_ERROR, "close frame with a 1-byte body", consumed);
    if (len >= 2) {
        close_code = (uint16_t)(payload[0] << 8 | payload[1]);
        if (!lv_ws_close_code_valid(close_code))
            return fail(p, ev, LV_WS_CLOSE_PROTOCOL_ERROR, "close frame with an invalid code", consumed);
        reason = payload + 2;
        reason_len = len - 2;
        if (!lv_utf8_valid(reason, reason_len))
            return fail(p, ev, LV_WS_CLOSE_INVALID_PAYLOAD, "close reason is not valid UTF-8", consumed);
    }
    memset(ev, 0, sizeof *ev);
    ev->kind = LV_WS_CLOSE;
    ev->opcode = LV_WS_OP_CLOSE;
    ev->data = reason;
    ev->len = reason_len;
    ev->close_code = close_code;
    become_failed(p, ev);
    return consumed;
}

static size_t control_event(lv_ws_parser *p, lv_ws_event *ev, const uint8_t *payload, size_t len, size_t consumed)
{
    if (p->opcode == LV_WS_OP_CLOSE) return close_event(p, ev, payload, len, consumed);
    memset(ev, 0, sizeof *ev);
    ev->kind = p->opcode == LV_WS_OP_PING ? LV_WS_PING : LV_WS_PONG;
    ev->opcode = p->opcode;
    ev->data = len ? payload : empty_payload;
    ev->len = len;
    return consumed;
}

/* Delivers a complete message. A text message must end between code points:
 * a sequence cut short by the final fragment is as invalid as a bad byte. */
static size_t message_event(lv_ws_parser *p, lv_ws_event *ev, const uint8_t *payload, size_t len, size_t consumed)
{
    if (p->message_opcode == LV_WS_OP_TEXT && p->utf8_state != LV_UTF8_ACCEPT)
        return fail(p, ev, LV_WS_CLOSE_INVALID_PAYLOAD, "text message is not valid UTF-8", consumed);
    memset(ev, 0, sizeof *ev);
    ev->kind = LV_WS_MESSAGE;
    ev->opcode = p->message_opcode;
    ev->data = len ? payload : empty_payload;
    ev->len = len;
    p->message_opcode = 0;
    return consumed;
}

/* The whole frame is in the input and needs no reassembly: unmask it where it
 * lies and point the event at it. */
static size_t deliver_in_place(lv_ws_parser *p, lv_ws_event *ev, uint8_t *payload, size_t consumed)
{
    size_t len = (size_t)p->payload_len;
    unmask(payload, len, p->mask, 0);
    end_frame(p);
    if (is_control(p->opcode)) return control_event(p, ev, payload, len, consumed);
    if (p->message_opcode == LV_WS_OP_TEXT) p->utf8_state = lv_utf8_feed(LV_UTF8_ACCEPT, payload, len);
    return message_event(p, ev, payload, len, consumed);
}

/* After an ERROR or CLOSE the stored event is returned again and all input is
 * consumed (the call returns len, not 0). Nothing after a close or a protocol
 * violation means anything, and a caller that loops "while bytes remain"
 * would otherwise spin forever on input the parser will never take. The call
 * that first reports the event returns the exact count consumed up to it. */
size_t lv_ws_parse(lv_ws_parser *p, uint8_t *in, size_t len, lv_ws_event *ev)
{
    if (p->failed) {
        *ev = p->failure;
        return len;
    }
    /* The previous event may have pointed into p->message; it is no longer
     * needed, so the buffer can start the next message. */
    if (p->message_delivered) {
        if (p->message.cap > RETAINED_BUFFER_MAX)
            lv_buf_free(&p->message);
        else
            lv_buf_reset(&p->message);
        p->message_delivered = false;
    }

    size_t pos = 0;
    for (;;) {
        while (!p->in_payload) {
            if (pos == len) return need_more(ev, pos);
            size_t take = (size_t)(p->header_need - p->header_len);
            if (take > len - pos) take = len - pos;
            memcpy(p->header + p->header_len, in + pos, take);
            p->header_len += (uint8_t)take;
            pos += take;
            if (p->header_len < p->header_need) return need_more(ev, pos);
            uint16_t code = LV_WS_CLOSE_PROTOCOL_ERROR;
            const char *why = advance_header(p, &code);
            if (why) return fail(p, ev, code, why, pos);
        }

        bool control = is_control(p->opcode);
        size_t available = len - pos;
        bool unfragmented = control || (p->fin && p->opcode != LV_WS_OP_CONTINUATION);
        if (unfragmented && p->payload_read == 0 && available >= p->payload_len)
            return deliver_in_place(p, ev, in + pos, pos + (size_t)p->payload_len);

        uint64_t remaining = p->payload_len - p->payload_read;
        if (remaining > 0 && available == 0) return need_more(ev, pos);
        size_t n = remaining < available ? (size_t)remaining : available;
        uint8_t *chunk = in + pos;
        unmask(chunk, n, p->mask, p->payload_read);
        if (control) {
            lv_buf_append(&p->control, chunk, n);
        } else {
            if (p->message_opcode == LV_WS_OP_TEXT) {
                p->utf8_state = lv_utf8_feed(p->utf8_state, chunk, n);
                if (p->utf8_state == LV_UTF8_REJECT)
                    return fail(p, ev, LV_WS_CLOSE_INVALID_PAYLOAD, "text message is not valid UTF-8", pos + n);
            }
            lv_buf_append(&p->message, chunk, n);
        }
        p->payload_read += n;
        pos += n;
        if (p->payload_read < p->payload_len) return need_more(ev, pos);

        end_frame(p);
        if (control) return control_event(p, ev, (const uint8_t *)p->control.data, p->control.len, pos);
        if (p->fin) {
            p->message_delivered = true;
            return message_event(p, ev, (const uint8_t *)p->message.data, p->message.len, pos);
        }
    }
}

size_t lv_ws_frame_header(uint8_t out[10], int opcode, uint64_t payload_len)
{
    out[0] = (uint8_t)(0x80 | (opcode & 0x0F));
    if (payload_len < 126) {
        out[1] = (uint8_t)payload_len;
        return 2;
    }
    if (payload_len <= 0xFFFF) {
        out[1] = 126;
        out[2] = (uint8_t)(payload_len >> 8);
        out[3] = (uint8_t)payload_len;
        return 4;
    }
    out[1] = 127;
    for (int i = 0; i < 8; i++) out[2 + i] = (uint8_t)(payload_len >> (56 - 8 * i));
    return 10;
}

void lv_ws_frame_append(lv_buf *b, int opcode, const void *payload, size_t len)
{
    uint8_t header[10];
    size_t header_len = lv_ws_frame_header(header, opcode, len);
    lv_buf_reserve(b, header_len + len);
    lv_buf_append(b, header, header_len);
    lv_buf_append(b, payload, len);
}

/* The code 1005 means "no code was sent", so it is encoded as an empty body;
 * this lets a server echo a peer's code-less close frame with the close_code
 * the parser reported, without ever sending 1005 on the wire. A long reason is
 * cut to fit the 125-byte control frame limit, at a code point boundary so
 * that the peer does not fail the close with 1007. */
void lv_ws_close_frame_append(lv_buf *b, uint16_t code, const char *reason)
{
    if (code == LV_WS_CLOSE_NO_STATUS) {
        lv_ws_frame_append(b, LV_WS_OP_CLOSE, NULL, 0);
        return;
    }
    uint8_t payload[CONTROL_PAYLOAD_MAX];
    payload[0] = (uint8_t)(code >> 8);
    payload[1] = (uint8_t)code;
    size_t reason_len = reason ? strlen(reason) : 0;
    if (reason_len > CONTROL_PAYLOAD_MAX - 2) {
        reason_len = CONTROL_PAYLOAD_MAX - 2;
        /* Back up to the start of the code point the cut would split. */
        while (reason_len > 0 && ((uint8_t)reason[reason_len] & 0xC0) == 0x80) reason_len--;
    }
    if (reason_len) memcpy(payload + 2, reason, reason_len);
    lv_ws_frame_append(b, LV_WS_OP_CLOSE, payload, 2 + reason_len);
}

/* RFC 6455 §7.4: 1004 is reserved, 1005, 1006 and 1015 are never sent in a
 * frame, 1016-2999 are unassigned protocol codes, 3000-4999 belong to
 * libraries and applications. */
bool lv_ws_close_code_valid(unsigned code)
{
    if (code >= 1000 && code <= 1003) return true;
    if (code >= 1007 && code <= 1014) return true;
    return code >= 3000 && code <= 4999;
}

static bool is_base64_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* Sixteen bytes in padded standard base64 are always 22 alphabet characters
 * followed by "==", so the key is checked by its shape rather than decoded.
 * The handshake hashes the key text as sent, not its decoded bytes. */
bool lv_ws_accept_key(const char *key, size_t key_len, char out[29])
{
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    enum { KEY_LEN = 24, GUID_LEN = sizeof guid - 1 };

    out[0] = '\0';
    if (!key || key_len != KEY_LEN) return false;
    for (size_t i = 0; i < 22; i++)
        if (!is_base64_char(key[i])) return false;
    if (key[22] != '=' || key[23] != '=') return false;

    char input[KEY_LEN + GUID_LEN];
    memcpy(input, key, KEY_LEN);
    memcpy(input + KEY_LEN, guid, GUID_LEN);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    if (!EVP_Digest(input, sizeof input, digest, &digest_len, EVP_sha1(), NULL) || digest_len != 20) return false;
    /* 20 bytes encode to 28 characters; EVP_EncodeBlock adds the NUL. */
    EVP_EncodeBlock((unsigned char *)out, digest, (int)digest_len);
    return true;
}
