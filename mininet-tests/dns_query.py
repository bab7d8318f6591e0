"""Asks a DNS server one question over UDP and prints the answer as JSON:
{"rcode": n, "addresses": [...], "ttl": shortest TTL, "ms": round trip}.

Usage (inside a host): python3 dns_query.py SERVER NAME [A|AAAA] [PORT] [TIMEOUT_S]
"""
import json
import random
import socket
import struct
import sys
import time

TYPES = {'A': 1, 'AAAA': 28}


def query(name, qtype):
    qid = random.randrange(1 << 16)
    wire = struct.pack('!HHHHHH', qid, 0x0100, 1, 0, 0, 0)
    for label in name.rstrip('.').split('.'):
        wire += bytes([len(label)]) + label.encode()
    return qid, wire + b'\0' + struct.pack('!HH', TYPES[qtype], 1)


def skip_name(msg, at):
    while True:
        n = msg[at]
        if n == 0:
            return at + 1
        if n & 0xC0 == 0xC0:
            return at + 2
        at += 1 + n


def parse(msg):
    _, flags, qd, an, _, _ = struct.unpack('!HHHHHH', msg[:12])
    at = 12
    for _ in range(qd):
        at = skip_name(msg, at) + 4
    addresses, ttls = [], []
    for _ in range(an):
        at = skip_name(msg, at)
        rtype, _, ttl, length = struct.unpack('!HHIH', msg[at:at + 10])
        at += 10
        ttls.append(ttl)
        if rtype == 1:
            addresses.append(socket.inet_ntop(socket.AF_INET, msg[at:at + length]))
        elif rtype == 28:
            addresses.append(socket.inet_ntop(socket.AF_INET6, msg[at:at + length]))
        at += length
    return {'rcode': flags & 0xF, 'addresses': addresses, 'ttl': min(ttls) if ttls else None}


def main(server, name, qtype='A', port=53, timeout=3):
    qid, wire = query(name, qtype)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(float(timeout))
    start = time.monotonic()
    sock.sendto(wire, (server, int(port)))
    while True:
        try:
            msg, _ = sock.recvfrom(4096)
        except socket.timeout:
            print(json.dumps({'rcode': None, 'addresses': [], 'ttl': None, 'ms': None}))
            return
        if struct.unpack('!H', msg[:2])[0] == qid:
            break
    out = parse(msg)
    out['ms'] = round((time.monotonic() - start) * 1000, 2)
    print(json.dumps(out))


if __name__ == '__main__':
    main(*sys.argv[1:])
