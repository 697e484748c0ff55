"""RESP encoding/decoding of the limiter's pipelined Redis client."""

from gateway.resp import RedisReplyError, encode_command, parse_reply


def test_encode_command():
    assert encode_command(("EVALSHA", "ab", 1, b"k")) == b"*4\r\n$7\r\nEVALSHA\r\n$2\r\nab\r\n$1\r\n1\r\n$1\r\nk\r\n"


def test_parse_script_reply_and_partial_input():
    reply = b"*6\r\n:1\r\n:3\r\n:4\r\n$16\r\n1700000000000000\r\n$0\r\n\r\n$3\r\n123\r\n+OK\r\n"
    value, pos = parse_reply(reply, 0)
    assert value == [1, 3, 4, b"1700000000000000", b"", b"123"]
    assert parse_reply(reply, pos) == (b"OK", len(reply))
    incomplete, at = parse_reply(reply[:20], 0)
    assert at == 0 and incomplete is not None and not isinstance(incomplete, list)


def test_parse_errors_and_nulls():
    err, _ = parse_reply(b"-NOSCRIPT No matching script\r\n", 0)
    assert isinstance(err, RedisReplyError) and str(err).startswith("NOSCRIPT")
    assert parse_reply(b"$-1\r\n", 0) == (None, 5)
