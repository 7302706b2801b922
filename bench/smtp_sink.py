"""A fast SMTP server that accepts every message and keeps only its Message-ID.

    .venv/bin/python bench/smtp_sink.py --port 8025 --out ids.txt

Runs in its own process on loopback, so the relay under test does not share an interpreter
with it. It speaks just enough SMTP for smtplib and Flask-Mail (EHLO/HELO, MAIL, RCPT, DATA,
RSET, NOOP, QUIT) with canned answers: aiosmtpd, used by the test suite, parses every command
in a coroutine of its own and, on a busy 2-core machine, accepted fewer messages per second
than the relay could send. On SIGTERM it writes the Message-IDs it accepted, one per line, to
`--out`: the benchmark checks that every message arrived exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import signal
from pathlib import Path

_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)
_END_OF_DATA = b"\r\n.\r\n"


class SinkProtocol(asyncio.Protocol):
    """One SMTP session: answer each command line, collect DATA until the lone dot."""

    def __init__(self, ids: list[str]):
        self.ids = ids
        self.buffer = b""
        self.in_data = False

    def connection_made(self, transport):
        self.transport = transport
        transport.write(b"220 sink ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            if self.in_data:
                end = self.buffer.find(_END_OF_DATA)
                if end < 0:
                    return
                message, self.buffer = self.buffer[: end + 2], self.buffer[end + 5 :]
                head = message.split(b"\r\n\r\n", 1)[0]
                match = _MESSAGE_ID.search(head)
                self.ids.append(match.group(1).decode() if match else "")
                self.in_data = False
                self.transport.write(b"250 OK\r\n")
                continue
            end = self.buffer.find(b"\r\n")
            if end < 0:
                return
            line, self.buffer = self.buffer[:end], self.buffer[end + 2 :]
            self.command(line[:4].upper())

    def command(self, verb: bytes) -> None:
        if verb == b"EHLO":
            self.transport.write(b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
        elif verb == b"DATA":
            self.in_data = True
            self.transport.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
        elif verb == b"QUIT":
            self.transport.write(b"221 Bye\r\n")
            self.transport.close()
        else:  # HELO, MAIL, RCPT, RSET, NOOP
            self.transport.write(b"250 OK\r\n")


async def serve(port: int, out: Path) -> None:
    ids: list[str] = []
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SinkProtocol(ids), "127.0.0.1", port)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print("ready", flush=True)
    async with server:
        await stop.wait()
    out.write_text("".join(f"{message_id}\n" for message_id in ids))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.out))


if __name__ == "__main__":
    main()
