package org.carelane.names;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/** Builds DNS responses on the wire, as a resolver sends them, with names compressed. */
public final class DnsWire {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<String, Integer> offsets = new HashMap<>();
    private int answers;

    /** A response (QR, RD, RA) with id 0x1234 to one question. */
    public DnsWire(String question, int type) {
        this(question, type, 0x8180);
    }

    public DnsWire(String question, int type, int flags) {
        short16(0x1234);
        short16(flags);
        short16(1);
        short16(0);
        short16(0);
        short16(0);
        name(question);
        short16(type);
        short16(1);
    }

    public DnsWire a(String name, long ttl, String address) throws Exception {
        return record(name, DnsMessage.TYPE_A, ttl, InetAddress.getByName(address).getAddress());
    }

    public DnsWire aaaa(String name, long ttl, String address) throws Exception {
        return record(name, DnsMessage.TYPE_AAAA, ttl, InetAddress.getByName(address).getAddress());
    }

    public DnsWire cname(String name, long ttl, String target) {
        header(name, DnsMessage.TYPE_CNAME, ttl);
        int lengthAt = out.size();
        short16(0);
        int start = out.size();
        name(target);
        byte[] sofar = out.toByteArray();
        int length = sofar.length - start;
        sofar[lengthAt] = (byte) (length >> 8);
        sofar[lengthAt + 1] = (byte) length;
        out.reset();
        out.writeBytes(sofar);
        return this;
    }

    private DnsWire record(String name, int type, long ttl, byte[] data) {
        header(name, type, ttl);
        short16(data.length);
        out.writeBytes(data);
        return this;
    }

    private void header(String name, int type, long ttl) {
        answers++;
        name(name);
        short16(type);
        short16(1);
        short16((int) (ttl >>> 16));
        short16((int) ttl);
    }

    public byte[] bytes() {
        byte[] b = out.toByteArray();
        b[6] = (byte) (answers >> 8);
        b[7] = (byte) answers;
        return b;
    }

    /** Writes a name, pointing at an earlier copy of it or of its tail when there is one. */
    private void name(String name) {
        String rest = name;
        while (!rest.isEmpty()) {
            Integer earlier = offsets.get(rest);
            if (earlier != null) {
                short16(0xc000 | earlier);
                return;
            }
            if (out.size() < 0x3fff) {
                offsets.put(rest, out.size());
            }
            int dot = rest.indexOf('.');
            String label = dot < 0 ? rest : rest.substring(0, dot);
            out.write(label.length());
            out.writeBytes(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            rest = dot < 0 ? "" : rest.substring(dot + 1);
        }
        out.write(0);
    }

    private void short16(int v) {
        out.write((v >> 8) & 0xff);
        out.write(v & 0xff);
    }
}
