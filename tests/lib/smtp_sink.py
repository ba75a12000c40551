#!/usr/bin/python3
"""smtp_sink.py - a real SMTP server on loopback for the mail tests (aiosmtpd).

    /usr/bin/python3 tests/lib/smtp_sink.py --port N --dir DIR [--delay-rcpt S] [--reject 'CODE TEXT']
        [--tls-cert CERT --tls-key KEY [--implicit-tls | --require-starttls]]
        [--auth USER:PASSWORD [--auth-mechanism LOGIN|PLAIN]]

Every accepted message is stored as DIR/NNNN-<random>.eml (the bytes as
received, written to a temporary file then renamed) with a .json beside it
holding the envelope (mail_from, rcpt_tos), whether the session was
encrypted (tls) and who authenticated with which mechanism (auth: [mechanism,
login], or null).  --delay-rcpt makes each RCPT command wait S seconds before
its 250 (a slow server, to kill a client in the middle of a session);
--reject answers DATA with CODE TEXT instead of storing the message.

TLS, as real submission servers do: with --tls-cert/--tls-key the server
offers STARTTLS (port 587 style), and --require-starttls refuses every
command but EHLO, STARTTLS and QUIT before it; --implicit-tls speaks TLS from
the first byte instead (port 465 style).  --auth makes AUTH mandatory before
MAIL, accepting only USER:PASSWORD, and offered only under TLS;
--auth-mechanism offers that mechanism alone (default: LOGIN and PLAIN).

Prints "READY <port>" on stdout once listening; stops on SIGTERM/SIGINT.
Restarting on the same port works (SO_REUSEADDR).
"""
import argparse
import asyncio
import itertools
import json
import os
import secrets
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


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
        tls = server.transport is not None and server.transport.get_extra_info('ssl_object') is not None
        auth = list(session.auth_data) if session.authenticated and session.auth_data else None
        name = '%04d-%s' % (next(self.seq), secrets.token_hex(4))
        tmp = os.path.join(self.dir, '.' + name + '.tmp')
        with open(tmp, 'wb') as f:
            f.write(envelope.original_content or envelope.content)
            f.flush()
            os.fsync(f.fileno())
        with open(os.path.join(self.dir, name + '.json'), 'w') as f:
            json.dump({'mail_from': envelope.mail_from, 'rcpt_tos': envelope.rcpt_tos, 'tls': tls, 'auth': auth}, f)
        os.rename(tmp, os.path.join(self.dir, name + '.eml'))
        return '250 2.0.0 Message accepted for delivery'


class Authenticator:
    """Accepts one login and password; remembers the mechanism used."""

    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == self.user and auth_data.password == self.password
        if not ok:  # handled=False: aiosmtpd answers 535 itself (its default would answer nothing)
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True, auth_data=(mechanism, auth_data.login.decode()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--port', type=int, required=True)
    ap.add_argument('--dir', required=True)
    ap.add_argument('--delay-rcpt', type=float, default=0)
    ap.add_argument('--reject', default='')
    ap.add_argument('--tls-cert')
    ap.add_argument('--tls-key')
    ap.add_argument('--implicit-tls', action='store_true')
    ap.add_argument('--require-starttls', action='store_true')
    ap.add_argument('--auth')
    ap.add_argument('--auth-mechanism', choices=['LOGIN', 'PLAIN'])
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    kw = {}
    if a.tls_cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
        if a.implicit_tls:
            kw['ssl_context'] = ctx
        else:
            kw['tls_context'] = ctx
            kw['require_starttls'] = a.require_starttls
    if a.auth:
        user, _, password = a.auth.partition(':')
        kw['authenticator'] = Authenticator(user, password)
        kw['auth_required'] = True
        # aiosmtpd 1.4 sees STARTTLS only: over implicit TLS it would never offer AUTH
        kw['auth_require_tls'] = not a.implicit_tls
        if a.auth_mechanism:
            kw['auth_exclude_mechanism'] = [m for m in ('LOGIN', 'PLAIN') if m != a.auth_mechanism]
    ctl = Controller(Sink(a.dir, a.delay_rcpt, a.reject), hostname='127.0.0.1', port=a.port, **kw)
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
