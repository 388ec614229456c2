"""Filter redis_quote: a value as one double-quoted argument of a redis.conf line.

    "requirepass " ~ (django_stack_redis_password | django_deploy.stack.redis_quote)

Redis splits a configuration line like a shell without expansion: inside double quotes, a
backslash escapes a double quote, a backslash and control characters (\\n, \\xHH). Its
documentation: redis_quote.yml.
"""

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def redis_quote(value) -> str:
    text = "" if value is None else str(value)
    quoted = "".join(
        _ESCAPES.get(char, f"\\x{ord(char):02x}" if ord(char) < 0x20 or ord(char) == 0x7F else char)
        for char in text
    )
    return f'"{quoted}"'


class FilterModule:
    def filters(self):
        return {"redis_quote": redis_quote}
