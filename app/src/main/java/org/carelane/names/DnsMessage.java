package org.carelane.names;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A DNS message as a resolver sends it (RFC 1035 wire format): its header, its question and
 * the records of its answer section, with compressed names followed. Only what classification
 * needs is kept: A, AAAA and CNAME records of class IN. Anything malformed is refused with
 * {@link IllegalArgumentException}; nothing is read outside the message.
 */
public final class DnsMessage {
    public static final int TYPE_A = 1;
    public static final int TYPE_CNAME = 5;
    public static final int TYPE_AAAA = 28;
    public static final int RCODE_NXDOMAIN = 3;
    /** CNAME links followed from the question: a longer chain teaches nothing. */
    public static final int MAX_CHAIN = 10;
    private static final int CLASS_IN = 1;
    private static final int HEADER = 12;
    /** Compression pointers followed in one name: more means a loop. */
    private static final int MAX_POINTERS = 64;

    /** One record of the answer section. */
    public static final class Record {
        final String name;
        final int type;
        final long ttl;
        /** The address of an A or AAAA record, else null. */
        final InetAddress address;
        /** The target of a CNAME record, else null. */
        final String target;

        Record(String name, int type, long ttl, InetAddress address, String target) {
            this.name = name;
            this.type = type;
            this.ttl = ttl;
            this.address = address;
            this.target = target;
        }
    }

    /** An address an answer gives for the question, and how long it may be used. */
    public static final class Answer {
        public final InetAddress address;
        public final long ttlSeconds;

        Answer(InetAddress address, long ttlSeconds) {
            this.address = address;
            this.ttlSeconds = ttlSeconds;
        }

        @Override
        public String toString() {
            return address.getHostAddress() + " for " + ttlSeconds + " s";
        }
    }

    private final byte[] wire;
    private final int id;
    private final boolean response;
    private final int rcode;
    private final String question;
    private final int questionType;
    /** Where the question section ends (the answer section starts). */
    private final int questionEnd;
    private final List<Record> records;

    private DnsMessage(byte[] wire, int id, boolean response, int rcode, String question, int questionType,
                       int questionEnd, List<Record> records) {
        this.wire = wire;
        this.id = id;
        this.response = response;
        this.rcode = rcode;
        this.question = question;
        this.questionType = questionType;
        this.questionEnd = questionEnd;
        this.records = records;
    }

    /**
     * Reads a message with one question.
     *
     * @throws IllegalArgumentException if it is truncated, has no single question, or a name
     *                                  in it is malformed
     */
    public static DnsMessage parse(byte[] wire) {
        byte[] w = Arrays.copyOf(wire, wire.length);
        if (w.length < HEADER) {
            throw new IllegalArgumentException("DNS message shorter than its header: " + w.length + " bytes");
        }
        int id = u16(w, 0);
        int flags = u16(w, 2);
        int questions = u16(w, 4);
        int answers = u16(w, 6);
        if (questions != 1) {
            throw new IllegalArgumentException("DNS message with " + questions + " questions");
        }
        int[] at = {HEADER};
        String question = readName(w, at);
        need(w, at[0], 4);
        int questionType = u16(w, at[0]);
        at[0] += 4;
        int questionEnd = at[0];
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < answers; i++) {
            String name = readName(w, at);
            need(w, at[0], 10);
            int type = u16(w, at[0]);
            int cls = u16(w, at[0] + 2);
            long ttl = u32(w, at[0] + 4);
            int length = u16(w, at[0] + 8);
            int data = at[0] + 10;
            need(w, data, length);
            at[0] = data + length;
            if (cls != CLASS_IN) {
                continue;
            }
            // RFC 2181 8: a TTL with its top bit set is read as zero.
            long seconds = ttl > Integer.MAX_VALUE ? 0 : ttl;
            if ((type == TYPE_A && length == 4) || (type == TYPE_AAAA && length == 16)) {
                records.add(new Record(name, type, seconds, address(Arrays.copyOfRange(w, data, data + length)), null));
            } else if (type == TYPE_CNAME) {
                int[] target = {data};
                String to = readName(w, target);
                if (target[0] > data + length) {
                    throw new IllegalArgumentException("CNAME of " + name + " runs past its record");
                }
                records.add(new Record(name, type, seconds, null, to));
            }
        }
        return new DnsMessage(w, id, (flags & 0x8000) != 0, flags & 0xf, question, questionType, questionEnd,
                Collections.unmodifiableList(records));
    }

    public int id() {
        return id;
    }

    public boolean isResponse() {
        return response;
    }

    public int rcode() {
        return rcode;
    }

    /** The question's name, normalised. */
    public String question() {
        return question;
    }

    public int questionType() {
        return questionType;
    }

    /**
     * The names of the answer: the question and the CNAME chain from it, in order, at most
     * {@link #MAX_CHAIN} links (a loop ends the chain).
     */
    public List<String> chain() {
        Set<String> names = new LinkedHashSet<>();
        String current = question;
        names.add(current);
        for (int links = 0; links < MAX_CHAIN; links++) {
            Record cname = cnameOf(current);
            if (cname == null || !names.add(cname.target)) {
                break;
            }
            current = cname.target;
        }
        return List.copyOf(names);
    }

    /**
     * The addresses the answer gives for the question, through its CNAME chain, each with the
     * shortest TTL on its way (the chain's links and its own record). None if the chain is
     * longer than {@link #MAX_CHAIN} links or loops, or if this is not a successful response.
     */
    public List<Answer> addresses() {
        if (!response || rcode != 0) {
            return List.of();   // a query, or an answer that failed
        }
        List<String> chain = chain();
        Record beyond = cnameOf(chain.get(chain.size() - 1));
        if (beyond != null) {
            return List.of();   // too long, or a loop: the addresses are not the question's
        }
        long linkTtl = Long.MAX_VALUE;
        for (int i = 0; i + 1 < chain.size(); i++) {
            linkTtl = Math.min(linkTtl, cnameOf(chain.get(i)).ttl);
        }
        String last = chain.get(chain.size() - 1);
        List<Answer> out = new ArrayList<>();
        for (Record r : records) {
            if (r.address != null && r.name.equals(last)) {
                out.add(new Answer(r.address, Math.min(linkTtl, r.ttl)));
            }
        }
        return out;
    }

    /**
     * This message's question answered NXDOMAIN, with no records, as a response-policy zone
     * answers a blocked name: same id and opcode, the client's recursion-desired and
     * checking-disabled bits, recursion available; not authoritative, not truncated.
     */
    public byte[] nxdomain() {
        byte[] out = Arrays.copyOf(wire, questionEnd);
        int flags = u16(wire, 2);
        int rd = flags & 0x0100;
        int cd = flags & 0x0010;   // RFC 4035 3.1.6: checking disabled, copied from the query
        int opcode = flags & 0x7800;
        int reply = 0x8000 | opcode | rd | 0x0080 | cd | RCODE_NXDOMAIN;
        out[2] = (byte) (reply >> 8);
        out[3] = (byte) reply;
        for (int i = 6; i < HEADER; i++) {
            out[i] = 0;   // no answer, authority or additional records
        }
        return out;
    }

    private Record cnameOf(String name) {
        for (Record r : records) {
            if (r.type == TYPE_CNAME && r.name.equals(name)) {
                return r;
            }
        }
        return null;
    }

    private static InetAddress address(byte[] raw) {
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address of " + raw.length + " bytes", e);
        }
    }

    /** Reads a (possibly compressed) name at at[0], leaving at[0] just after it. */
    private static String readName(byte[] w, int[] at) {
        StringBuilder name = new StringBuilder();
        int pos = at[0];
        int end = -1;
        int pointers = 0;
        int octets = 0;
        while (true) {
            need(w, pos, 1);
            int len = w[pos] & 0xff;
            if ((len & 0xc0) == 0xc0) {
                need(w, pos, 2);
                if (++pointers > MAX_POINTERS) {
                    throw new IllegalArgumentException("DNS name with a compression loop");
                }
                if (end < 0) {
                    end = pos + 2;
                }
                int target = ((len & 0x3f) << 8) | (w[pos + 1] & 0xff);
                if (target >= pos) {
                    // RFC 1035 4.1.4: a pointer refers to a prior occurrence (so none loops).
                    throw new IllegalArgumentException("DNS name with a compression loop or a forward pointer");
                }
                pos = target;
                continue;
            }
            if ((len & 0xc0) != 0) {
                throw new IllegalArgumentException("DNS name with an unknown label type");
            }
            if (len == 0) {
                pos++;
                break;
            }
            need(w, pos + 1, len);
            octets += len + 1;
            if (octets + 1 > 255) {   // with the root's zero octet
                throw new IllegalArgumentException("DNS name longer than 255 octets");
            }
            if (name.length() > 0) {
                name.append('.');
            }
            for (int i = 0; i < len; i++) {
                char c = (char) (w[pos + 1 + i] & 0xff);
                if (c == '.' || c <= ' ' || c > '~') {
                    // Written out, "a.b" as one label would equal two labels.
                    throw new IllegalArgumentException("DNS label with a dot, a space or a control byte");
                }
                name.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
            }
            pos += 1 + len;
        }
        at[0] = end >= 0 ? end : pos;
        return name.toString();
    }

    private static void need(byte[] w, int from, int count) {
        if (from < 0 || count < 0 || from + count > w.length) {
            throw new IllegalArgumentException("DNS message truncated at byte " + from);
        }
    }

    private static int u16(byte[] w, int at) {
        need(w, at, 2);
        return ((w[at] & 0xff) << 8) | (w[at + 1] & 0xff);
    }

    private static long u32(byte[] w, int at) {
        need(w, at, 4);
        return ((long) u16(w, at) << 16) | u16(w, at + 2);
    }
}
