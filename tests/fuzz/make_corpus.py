#!/usr/bin/env python3
"""Writes the seed corpus of every libFuzzer target under tests/fuzz/corpus/<target>/.

Each seed is a small, meaningful input in the target's own layout (see the
comment at the top of tests/fuzz/fuzz_<target>.c): a few valid inputs and a
few edge cases, so a short run starts from the interesting shapes instead of
rediscovering them. `make fuzz` copies these folders into build-fuzz/ (the
fuzzer adds what it finds to the copy, never to the repository).

Run it again after changing a seed here: python3 tests/fuzz/make_corpus.py
Files it does not write (for instance inputs a long run found and that were
merged in with `make fuzz-merge`) are left alone.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def write(target, name, data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "seed-" + name), "wb") as f:
        f.write(data)


def ws_frame(opcode, payload=b"", fin=True, mask=b"\x01\x02\x03\x04", rsv=0):
    """One client frame (masked unless mask is None)."""
    if isinstance(payload, str):
        payload = payload.encode()
    head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
    n = len(payload)
    mbit = 0x80 if mask is not None else 0
    if n < 126:
        head += bytes([mbit | n])
    elif n < 65536:
        head += bytes([mbit | 126]) + struct.pack(">H", n)
    else:
        head += bytes([mbit | 127]) + struct.pack(">Q", n)
    if mask is None:
        return head + payload
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


HEARTBEAT = '[null,"1","phoenix","heartbeat",{}]'
JOIN = '["1","1","lv:phx-fuzzfuzzfuzzfuzz","phx_join",{"url":"http://h/f","params":{},"session":"x"}]'
EVENT = '["1","2","lv:phx-fuzzfuzzfuzzfuzz","event",{"type":"click","event":"inc","value":{"by":"2"}}]'


def ws_frames():
    t = "ws_frame"
    # byte 0: max_message in the low 3 bits, largest piece size in the next 4;
    # byte 1: the piece-size generator's seed.
    for name, stream in {
        "text": ws_frame(1, HEARTBEAT),
        "fragmented": ws_frame(1, HEARTBEAT[:10], fin=False) + ws_frame(0, HEARTBEAT[10:20], fin=False)
        + ws_frame(0, HEARTBEAT[20:]),
        "ping-inside-fragments": ws_frame(1, "[null,", fin=False) + ws_frame(9, "hi") + ws_frame(0, '"1","phoenix","heartbeat",{}]'),
        "binary": ws_frame(2, b"\x00\x01\x01\x05\x05" + b"1" + b"2" + b"lvu:x" + b"chunk" + b"\xff\x00"),
        "close-1000": ws_frame(8, struct.pack(">H", 1000) + b"bye"),
        "close-empty": ws_frame(8),
        "close-1-byte": ws_frame(8, b"\x03"),
        "pong": ws_frame(10, "x"),
        "unmasked": ws_frame(1, "abc", mask=None),
        "rsv-bits": ws_frame(1, "abc", rsv=7),
        "opcode-3": ws_frame(3),
        "ping-126": ws_frame(9, b"a" * 126),
        "len-16bit": ws_frame(1, "a" * 300),
        "len-64bit-huge": b"\x81\xff" + struct.pack(">Q", 1 << 62) + b"\x00\x00\x00\x00",
        "invalid-utf8": ws_frame(1, b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited"),
        "utf8-split": ws_frame(1, b"\xce", fin=False) + ws_frame(0, b"\xba"),
        "continuation-first": ws_frame(0, "x"),
        "fragmented-close": ws_frame(8, struct.pack(">H", 1000), fin=False),
    }.items():
        write(t, name, bytes([0x7f, 0x11]) + stream)
        write(t, name + "-bytewise", bytes([0x03, 0x05]) + stream)


def http_seeds():
    t = "http"
    # byte 0: limits (low 2 bits) and piece size (next 4); byte 1: seed; byte 2: callbacks.
    for name, stream in {
        "get": "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
        "pipelined": "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b?x=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
        "post": "POST /login HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        "Content-Length: 8\r\n\r\nname=ada",
        "chunked": "POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n",
        "upgrade": "GET /live/websocket?vsn=2.0.0 HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://h\r\n\r\n",
        "smuggle-cl-te": "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "double-cl": "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "obs-fold": "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n",
        "bare-lf": "GET / HTTP/1.1\nHost: h\n\n",
        "http10": "GET / HTTP/1.0\r\n\r\n",
        "long-header": "GET / HTTP/1.1\r\nHost: h\r\nX-Long: " + "a" * 600 + "\r\n\r\n",
    }.items():
        write(t, name, bytes([0x3d, 0x07, 0x00]) + stream.encode())
        write(t, name + "-small-pieces", bytes([0x01, 0x2a, 0x05]) + stream.encode())


def phx_seeds():
    t = "phx"
    frames = {
        "heartbeat": HEARTBEAT,
        "join": JOIN,
        "event": EVENT,
        "form": '["1","3","lv:phx-fuzzfuzzfuzzfuzz","event",{"type":"form","event":"set","value":"text=hi&_target=text"}]',
        "notify": '["1","4","lv:phx-fuzzfuzzfuzzfuzz","event",{"type":"click","event":"set","value":{"notify":"again"}}]',
        "patch": '["1","5","lv:phx-fuzzfuzzfuzzfuzz","live_patch",{"url":"http://h/f?text=fail"}]',
        "leave": '["1","6","lv:phx-fuzzfuzzfuzzfuzz","phx_leave",{}]',
        "unmatched": '["9","7","lv:nope","event",{}]',
        "lone-surrogate": '["1","8","lv:phx-fuzzfuzzfuzzfuzz","event",{"type":"click","event":"\\ud800"}]',
        "nul": '["1","9","lv:x","event",{"a":"\\u0000"}]',
        "huge-number": '["1","10","lv:x","event",{"a":1e999}]',
        "deep": '["1","11","lv:x","event",' + "[" * 40 + "]" * 40 + "]",
        "bad-field": '[1,"12","lv:x","event",{}]',
        "upload-join": '["2","13","lvu:0","phx_join",{"token":"x"}]',
        "payload": '{"type":"click","event":"inc","value":{"by":"3","notify":"x","payload":{"add":2}}}',
    }
    for name, text in frames.items():
        write(t, name, text)


def json_scan_seeds():
    t = "json_scan"
    for name, text in {
        "heartbeat": HEARTBEAT,
        "event": EVENT,
        "escapes": '["\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00"]',
        "numbers": "[0,-0,1.5e3,-2E-2,9007199254740993,123456789012345678901234567890]",
        "lone-surrogate": '["\\udc00"]',
        "nul": '"\\u0000"',
        "huge": "1e999",
        "deep": "[" * 33 + "]" * 33,
        "dup-keys": '{"a":1,"a":2}',
        "trailing": "[1,2,]",
        "utf8-raw": '["\u00e9\u20ac\U0001f600"]',
        "bad-utf8": b'["\xc3\x28"]',
        "ws": ' \t\r\n{ "k" : [ true , false , null ] } ',
    }.items():
        write(t, name, text)


def form_seeds(t, prefix=b""):
    for name, text in {
        "simple": "name=ada&age=36",
        "nested": "user%5Bname%5D=ada&user%5Btags%5D%5B%5D=a&user%5Btags%5D%5B%5D=b",
        "plus-percent": "q=a+b%20c%2B&e=",
        "bad-percent": "a=%zz&b=%4",
        "conflict": "a=1&a%5Bb%5D=2",
        "deep": "a" + "%5Bx%5D" * 40 + "=1",
        "empty-key": "=x&&=",
    }.items():
        write(t, name, prefix + text.encode())


def changeset_seeds():
    t = "changeset"
    # byte 0: bits 0-1 the action, bit 2 an existing record, bit 3 the schema without a name.
    for mode in (0x00, 0x01, 0x06, 0x0b):
        for name, text in {
            "valid": "f%5Bs%5D=abcd&f%5Bi%5D=7&f%5Bd%5D=1.5",
            "errors": "f%5Bs%5D=a&f%5Bi%5D=99999&f%5Bd%5D=x",
            "flat": "s=hello&i=-5",
        }.items():
            write(t, f"{name}-{mode:02x}", bytes([mode]) + text.encode())


def tmpl_seeds():
    t = "tmpl"
    for name, text in {
        "plain": "<p>hello</p>",
        "assign": "<p class=\"{{cls}}\">{{count}}</p>",
        "if-else": "{{#if on}}<b>on</b>{{else}}<i>off</i>{{/if}}",
        "each": "<ul>{{#each items as item}}<li id=\"{{item.id}}\">{{item.name}}</li>{{/each}}</ul>",
        "partial": "<table>{{#each rows as item}}{{> row}}{{/each}}</table>",
        "raw-attrs": "<input {{attrs}} value=\"{{v}}\">",
        "unclosed": "{{#if x}}<p>",
        "bad-tag": "{{#nope}}{{/nope}}",
        "nested-each": "{{#each a as x}}{{#each x.b as y}}{{y}}{{/each}}{{/each}}",
    }.items():
        write(t, name, text)


def token_seeds():
    t = "token"
    for name, text in {
        "claims": '{"id":"phx-1","route":"/","exp":4102444800,"iat":1700000000}',
        "absurd-exp": '{"exp":9223372036854775807,"iat":-9223372036854775808}',
        "shape": "eyJhbGciOiJIUzI1NiJ9.eyJpZCI6InBoeC0xIn0.c2lnbmF0dXJl",
        "not-object": "[1,2,3]",
        "empty": "",
    }.items():
        write(t, name, text)


def serde_seeds():
    t = "serde"
    for name, text in {
        "session": '{"user":"ada","csrf":"abc","sid":"0123456789abcdef"}',
        "jwt-shape": "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjoiYWRhIn0.c2ln",
        "aead-shape": "v1.AAAAAAAAAAAAAAAA.BBBBBBBB.CCCCCCCCCCCCCCCCCCCCCC",
        "origin": "http://localhost:4000",
        "origin-https": "https://localhost:4000",
        "origin-padded-port": "http://localhost:04000",
        "policy-lines": "http://a.example\nhttps://*.example.com\nhttp://a.example\nlocalhost:4000",
    }.items():
        write(t, name, text)


def static_seeds():
    t = "static"
    for name, text in {
        "file": "/assets/app.js",
        "nested": "/assets/css/site.css",
        "dotdot": "/assets/../secret",
        "encoded-dotdot": "/assets/%2e%2e/secret",
        "dotfile": "/.env",
        "backslash": "/a\\b",
        "gzip": "gzip, deflate;q=0.5, br",
        "etag": "W/\"0123456789abcdef\", \"other\"",
        "wildcard": "*",
    }.items():
        write(t, name, text)


def redis_seeds():
    t = "redis_frame"
    node = bytes(range(16))
    write(t, "valid", b"\x01" + node + b'{"topic":"t","event":"e","payload":{}}')
    write(t, "empty-message", b"\x01" + node)
    write(t, "short", b"\x01" + node[:5])
    write(t, "version-2", b"\x02" + node + b"x")


def upload_seeds():
    t = "upload_frame"

    def frame(jr, ref, topic, event, payload, kind=0):
        fields = [jr, ref, topic, event]
        return bytes([kind] + [len(f) for f in fields]) + b"".join(fields) + payload

    write(t, "chunk", b"\xff" + frame(b"4", b"5", b"lvu:0", b"chunk", b"hello world"))
    write(t, "too-large", b"\x04" + frame(b"4", b"5", b"lvu:0", b"chunk", b"hello world"))
    write(t, "empty-fields", b"\xff" + frame(b"", b"", b"", b"", b""))
    write(t, "not-push", b"\xff" + frame(b"4", b"5", b"lvu:0", b"chunk", b"x", kind=1))
    write(t, "overrun", b"\xff\x00\x05\x05\x05\x05abc")
    write(t, "short", b"\xff\x00\x01")


def channel_seeds():
    t = "channel"
    # Frames separated by newlines; $SESSION and $CSRF stand for a valid
    # session token and CSRF token of the fuzzer's page (fuzz_channel.c).
    topic = "lv:phx-chanfuzzchanfuzz"
    join = '["1","1","%s","phx_join",{"url":"http://h/c","params":{"_csrf_token":"$CSRF"},"session":"$SESSION"}]' % topic
    ev = lambda ref, body: '["1","%s","%s","event",%s]' % (ref, topic, body)
    seqs = {
        "join-click": [join, ev(2, '{"type":"click","event":"inc","value":{"by":"2"}}'), HEARTBEAT],
        "join-form-patch-leave": [
            join,
            ev(2, '{"type":"form","event":"set","value":"text=hi&_target=text"}'),
            '["1","3","%s","live_patch",{"url":"http://h/c?text=x"}]' % topic,
            '["1","4","%s","phx_leave",{}]' % topic,
            ev(5, '{"type":"click","event":"inc","value":{}}'),
        ],
        "rejoin": [join, join.replace('"1","1"', '"7","8"'), ev(9, '{"type":"click","event":"inc","value":{}}'),
                   '["7","10","%s","event",{"type":"click","event":"inc","value":{}}]' % topic],
        "notify-loop": [join, ev(2, '{"type":"click","event":"set","value":{"notify":"again"}}')],
        "two-views-broadcast": [
            join,
            join.replace("$SESSION", "$SESSION2").replace("chanfuzzchanfuzz", "chanfuzz2chanfuzz2").replace('"1","1"', '"3","3"'),
            ev(2, '{"type":"click","event":"shout","value":{"payload":{"add":5}}}'),
            '["3","4","lv:phx-chanfuzz2chanfuzz2","event",{"type":"click","event":"inc","value":{"patch":"/c?text=y"}}]',
            '["3","5","lv:phx-chanfuzz2chanfuzz2","phx_leave",{}]',
        ],
        "malformed": [
            join,
            '["1","2","%s","event",{"type":"click","event":"\\ud800"}]' % topic,
            '["1","3","%s","event",{"a":"\\u0000"}]' % topic,
            '["1","4","%s","event",{"a":1e999}]' % topic,
            '["1","5","%s","event",' % topic + "[" * 40 + "]" * 40 + "]",
            '[1,"6","%s","event",{}]' % topic,
            '["1","7"',
            "not json",
            HEARTBEAT,
        ],
        "bad-join": [
            '["1","1","%s","phx_join",{"url":"http://h/c","params":{},"session":"forged"}]' % topic,
            '["1","2","lv:","phx_join",{}]',
            '["1","3","phoenix","nope",{}]',
            '["1","4","lvu:0","phx_join",{"token":"x"}]',
            '["1","5","lvu:0","chunk",{}]',
        ],
        "unjoined-events": [ev(1, '{"type":"click","event":"inc","value":{}}'), HEARTBEAT],
    }
    for name, frames in seqs.items():
        write(t, name, "\n".join(frames))


def main():
    ws_frames()
    http_seeds()
    phx_seeds()
    json_scan_seeds()
    form_seeds("form")
    changeset_seeds()
    tmpl_seeds()
    token_seeds()
    serde_seeds()
    static_seeds()
    redis_seeds()
    upload_seeds()
    channel_seeds()


if __name__ == "__main__":
    main()
