#!/usr/bin/python3
"""mail_parse.py FILE - parse a received message with Python's email package
(an independent MIME implementation) and print it as JSON for the tests:
{headers: {name: decoded value}, raw_headers: {...}, tree: "multipart/mixed(...)",
 parts: [{type, charset, filename, disposition, cte, content, base64 (binary parts)}], lines: {max, eight_bit, bare_lf}}"""
import base64
import email
import email.policy
import json
import sys


def tree(p):
    if p.is_multipart():
        return '%s(%s)' % (p.get_content_type(), ','.join(tree(c) for c in p.iter_parts()))
    return p.get_content_type()


def main():
    raw = open(sys.argv[1], 'rb').read()
    m = email.message_from_bytes(raw, policy=email.policy.default)
    compat = email.message_from_bytes(raw)
    parts = []
    for p in m.walk():
        if p.is_multipart():
            continue
        c = p.get_content()
        parts.append({
            'type': p.get_content_type(),
            'charset': p.get_content_charset(),
            'filename': p.get_filename(),
            'disposition': p.get_content_disposition(),
            'cte': p.get('Content-Transfer-Encoding'),
            'content': c if isinstance(c, str) else c.decode('utf-8', 'replace'),
            'base64': None if isinstance(c, str) else base64.b64encode(c).decode('ascii'),
        })
    lines = raw.split(b'\r\n')
    out = {
        'headers': {k: str(v) for k, v in m.items()},
        'raw_headers': {k: v for k, v in compat.items()},
        'defects': [str(d) for p in m.walk() for d in p.defects],
        'tree': tree(m),
        'parts': parts,
        'lines': {
            'max': max(len(l) for l in lines),
            'eight_bit': any(b > 127 for b in raw),
            'bare_lf': raw.replace(b'\r\n', b'').count(b'\n') + raw.replace(b'\r\n', b'').count(b'\r'),
        },
    }
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == '__main__':
    main()
