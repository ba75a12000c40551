#!/usr/bin/python3
"""smtp_sink.py - a real SMTP server on loopback for the mail tests (aiosmtpd).

    /usr/bin/python3 tests/lib/smtp_sink.py --port N --dir DIR [--delay-rcpt S] [--reject 'CODE TEXT']

Every accepted message is stored as DIR/NNNN-<random>.eml (the bytes as
received, written to a temporary file then renamed) with a .json beside it
holding the envelope (mail_from, rcpt_tos).  --delay-rcpt makes each RCPT
command wait S seconds before its 250 (a slow server, to kill a client in
the middle of a session); --reject answers DATA with CODE TEXT instead of
storing the message.  Prints "READY <port>" on stdout once listening; stops
on SIGTERM/SIGINT.  Restarting on the same port works (SO_REUSEADDR).
"""
import argparse
import asyncio
import itertools
import json
import os
import secrets
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory, delay_rcpt, reject):
        self.dir = directory
        self.delay = delay_rcpt
        self.reject = reject
        self.seq = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.delay > 0:
            await asyncio.sleep(self.delay)
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        if self.reject:
            return self.reject
        name = '%04d-%s' % (next(self.seq), secrets.token_hex(4))
        tmp = os.path.join(self.dir, '.' + name + '.tmp')
        with open(tmp, 'wb') as f:
            f.write(envelope.original_content or envelope.content)
            f.flush()
            os.fsync(f.fileno())
        with open(os.path.join(self.dir, name + '.json'), 'w') as f:
            json.dump({'mail_from': envelope.mail_from, 'rcpt_tos': envelope.rcpt_tos}, f)
        os.rename(tmp, os.path.join(self.dir, name + '.eml'))
        return '250 2.0.0 Message accepted for delivery'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--port', type=int, required=True)
    ap.add_argument('--dir', required=True)
    ap.add_argument('--delay-rcpt', type=float, default=0)
    ap.add_argument('--reject', default='')
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    ctl = Controller(Sink(a.dir, a.delay_rcpt, a.reject), hostname='127.0.0.1', port=a.port)
    ctl.start()
    done = threading.Event()
    for s in (signal.SIGTERM, signal.SIGINT):
        signal.signal(s, lambda *_: done.set())
    print('READY %d' % a.port, flush=True)
    done.wait()
    ctl.stop()
    sys.exit(0)


if __name__ == '__main__':
    main()
