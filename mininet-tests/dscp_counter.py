"""Counts the IPv4 or IPv6 packets a host receives for one destination address, by DSCP, until
it is sent SIGTERM or SIGINT; then prints {"total": n, "byDscp": {dscp: n}} as JSON.

Usage (inside the receiving host): python3 dscp_counter.py IFACE DST_IP
"""
import json
import signal
import socket
import struct
import sys

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def main(iface, dst_ip):
    v6 = ':' in dst_ip
    dst = socket.inet_pton(socket.AF_INET6 if v6 else socket.AF_INET, dst_ip)
    ethertype, at, minimum = (0x86dd, 38, 54) if v6 else (0x0800, 30, 34)
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(ETH_P_ALL))
    sock.bind((iface, 0))
    sock.settimeout(0.2)
    counts = {}
    running = [True]

    def stop(*_):
        running[0] = False
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print('ready', flush=True)
    while running[0]:
        try:
            frame, addr = sock.recvfrom(128)
        except socket.timeout:
            continue
        except InterruptedError:
            continue
        if addr[2] == PACKET_OUTGOING or len(frame) < minimum or struct.unpack('!H', frame[12:14])[0] != ethertype:
            continue
        if frame[at:at + len(dst)] != dst:
            continue
        # IPv4: the TOS byte; IPv6: the traffic class, across the first two bytes.
        dscp = (((frame[14] & 0x0f) << 4) | (frame[15] >> 4)) >> 2 if v6 else frame[15] >> 2
        counts[dscp] = counts.get(dscp, 0) + 1
    print(json.dumps({'total': sum(counts.values()), 'byDscp': counts}), flush=True)


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
