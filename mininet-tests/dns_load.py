"""Asks a DNS server COUNT questions for NAME_PATTERN (with {i}) at RATE per second over UDP and
prints, as JSON, how many were answered and the answer times (p50, p99, max, in ms).

Usage (inside a host): python3 dns_load.py SERVER NAME_PATTERN FIRST COUNT RATE
"""
import json
import select
import socket
import struct
import sys
import time

from dns_query import query


def main(server, pattern, first, count, rate):
    first, count, rate = int(first), int(count), float(rate)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.setblocking(False)
    sent_at, times, rcodes = {}, [], {}
    start = time.monotonic()
    i = 0
    deadline = None
    while True:
        now = time.monotonic()
        while i < count and now >= start + i / rate:
            qid, wire = query(pattern.format(i=first + i), 'A')
            qid = i % 65536
            wire = struct.pack('!H', qid) + wire[2:]
            sent_at[qid] = time.monotonic()
            sock.sendto(wire, (server, 53))
            i += 1
        if i >= count and deadline is None:
            deadline = time.monotonic() + 3
        if deadline is not None and (time.monotonic() > deadline or not sent_at):
            break
        wait = max(0.0, min(0.01, start + i / rate - time.monotonic())) if i < count else 0.05
        ready, _, _ = select.select([sock], [], [], wait)
        while ready:
            try:
                msg, _ = sock.recvfrom(4096)
            except BlockingIOError:
                break
            qid = struct.unpack('!H', msg[:2])[0]
            t = sent_at.pop(qid, None)
            if t is not None:
                times.append((time.monotonic() - t) * 1000)
                rcode = msg[3] & 0xF
                rcodes[rcode] = rcodes.get(rcode, 0) + 1
    times.sort()

    def pct(p):
        return round(times[min(len(times) - 1, int(p * len(times)))], 2) if times else None
    print(json.dumps({'sent': count, 'answered': len(times), 'rateRequested': rate,
                      'seconds': round(time.monotonic() - start, 2), 'p50Ms': pct(0.50), 'p99Ms': pct(0.99),
                      'maxMs': round(times[-1], 2) if times else None, 'rcodes': rcodes}))


if __name__ == '__main__':
    main(*sys.argv[1:])
