package org.carelane.names;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DnsMessageTest {
    private static List<String> answers(DnsMessage m) {
        return m.addresses().stream().map(DnsMessage.Answer::toString).collect(Collectors.toList());
    }

    @Test
    void aCnameChainGivesTheQuestionItsAddressesWithTheShortestTtlOnTheWay() throws Exception {
        byte[] wire = new DnsWire("WWW.Facebook.com", DnsMessage.TYPE_A)
                .cname("WWW.Facebook.com", 300, "star-mini.c10r.facebook.com")
                .a("star-mini.c10r.facebook.com", 60, "157.240.1.35")
                .aaaa("star-mini.c10r.facebook.com", 600, "2a03:2880:f12f:83:face:b00c:0:25de")
                .bytes();
        DnsMessage m = DnsMessage.parse(wire);
        assertTrue(m.isResponse());
        assertEquals(0, m.rcode());
        assertEquals("www.facebook.com", m.question());
        assertEquals(List.of("www.facebook.com", "star-mini.c10r.facebook.com"), m.chain());
        assertEquals(List.of("157.240.1.35 for 60 s", "2a03:2880:f12f:83:face:b00c:0:25de for 300 s"), answers(m));
    }

    /** n0.example.org CNAME n1 ... CNAME n{links}, which has an A record 192.0.2.{links}. */
    private static DnsMessage chainOf(int links) throws Exception {
        DnsWire wire = new DnsWire("n0.example.org", DnsMessage.TYPE_A);
        for (int i = 0; i < links; i++) {
            wire.cname("n" + i + ".example.org", 100, "n" + (i + 1) + ".example.org");
        }
        return DnsMessage.parse(wire.a("n" + links + ".example.org", 100, "192.0.2." + links).bytes());
    }

    @Test
    void aChainOfTenLinksIsFollowedAndOneOfElevenTeachesNothing() throws Exception {
        assertEquals(List.of("192.0.2.10 for 100 s"), answers(chainOf(10)));
        assertEquals(List.of(), answers(chainOf(11)));
    }

    @Test
    void aCnameLoopTeachesNothing() throws Exception {
        byte[] wire = new DnsWire("a.example.org", DnsMessage.TYPE_A)
                .cname("a.example.org", 100, "b.example.org")
                .cname("b.example.org", 100, "a.example.org")
                .a("a.example.org", 100, "192.0.2.1")
                .bytes();
        DnsMessage m = DnsMessage.parse(wire);
        assertEquals(List.of("a.example.org", "b.example.org"), m.chain());
        assertEquals(List.of(), answers(m));
    }

    @Test
    void addressesOfOtherNamesInTheAnswerAreNotTheQuestions() throws Exception {
        byte[] wire = new DnsWire("social.example.org", DnsMessage.TYPE_A)
                .a("social.example.org", 100, "192.0.2.1")
                .a("other.example.org", 100, "192.0.2.2")
                .bytes();
        assertEquals(List.of("192.0.2.1 for 100 s"), answers(DnsMessage.parse(wire)));
    }

    @Test
    void aTtlWithItsTopBitSetCountsAsZero() throws Exception {
        byte[] wire = new DnsWire("x.example.org", DnsMessage.TYPE_A).a("x.example.org", 0x80000000L, "192.0.2.1")
                .bytes();
        assertEquals(List.of("192.0.2.1 for 0 s"), answers(DnsMessage.parse(wire)));
    }

    @Test
    void malformedMessagesAreRefusedWithoutReadingOutsideThem() throws Exception {
        byte[] wire = new DnsWire("x.example.org", DnsMessage.TYPE_A).a("x.example.org", 60, "192.0.2.1").bytes();
        for (int cut = 0; cut < wire.length; cut++) {
            byte[] part = Arrays.copyOf(wire, cut);
            assertThrows(IllegalArgumentException.class, () -> DnsMessage.parse(part), "cut at " + cut);
        }
        byte[] loop = new DnsWire("x.example.org", DnsMessage.TYPE_A).bytes();
        loop[12] = (byte) 0xc0;   // the question's name points at itself
        loop[13] = 12;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DnsMessage.parse(loop));
        assertTrue(e.getMessage().contains("loop"), e.getMessage());
    }

    @Test
    void aForwardPointerALabelWithADotAndANameOver255OctetsAreRefused() throws Exception {
        byte[] forward = new DnsWire("x.example.org", DnsMessage.TYPE_A).a("x.example.org", 60, "192.0.2.1").bytes();
        forward[12] = (byte) 0xc0;   // the question's name points at the answer after it
        forward[13] = (byte) (forward.length - 16);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DnsMessage.parse(forward)).getMessage()
                .contains("forward pointer"));
        byte[] dotted = new DnsWire("a-b.example.org", DnsMessage.TYPE_A).bytes();
        dotted[14] = '.';   // the label "a.b"
        assertThrows(IllegalArgumentException.class, () -> DnsMessage.parse(dotted));
        String label = "a".repeat(63);
        String longest = String.join(".", label, label, label, "a".repeat(61));   // 253 characters, 255 octets
        assertEquals(longest, DnsMessage.parse(new DnsWire(longest, DnsMessage.TYPE_A).bytes()).question());
        String tooLong = String.join(".", label, label, label, "a".repeat(62));
        assertThrows(IllegalArgumentException.class,
                () -> DnsMessage.parse(new DnsWire(tooLong, DnsMessage.TYPE_A).bytes()));
    }

    @Test
    void aQueryOrAFailedAnswerTeachesNothing() throws Exception {
        byte[] query = new DnsWire("x.example.org", DnsMessage.TYPE_A, 0x0100).a("x.example.org", 60, "192.0.2.1")
                .bytes();
        assertEquals(List.of(), answers(DnsMessage.parse(query)));
        byte[] servfail = new DnsWire("x.example.org", DnsMessage.TYPE_A, 0x8182).a("x.example.org", 60, "192.0.2.1")
                .bytes();
        assertEquals(List.of(), answers(DnsMessage.parse(servfail)));
    }

    @Test
    void aBlockedNameIsAnsweredNxdomainWithItsQuestionAndNoRecords() throws Exception {
        byte[] wire = new DnsWire("blocked.example.org", DnsMessage.TYPE_AAAA)
                .aaaa("blocked.example.org", 60, "2001:db8::1").bytes();
        DnsMessage refused = DnsMessage.parse(DnsMessage.parse(wire).nxdomain());
        assertEquals(0x1234, refused.id());
        assertTrue(refused.isResponse());
        assertEquals(DnsMessage.RCODE_NXDOMAIN, refused.rcode());
        assertEquals("blocked.example.org", refused.question());
        assertEquals(DnsMessage.TYPE_AAAA, refused.questionType());
        assertEquals(List.of(), refused.addresses());
        byte[] query = new DnsWire("blocked.example.org", DnsMessage.TYPE_A, 0x0710).bytes();   // AA, TC, RD, CD
        byte[] raw = DnsMessage.parse(query).nxdomain();
        assertEquals(0x8193, ((raw[2] & 0xff) << 8) | (raw[3] & 0xff), "QR, RD, RA, CD and NXDOMAIN; not AA or TC");
        assertEquals(List.of(0, 1, 0, 0, 0, 0), List.of(raw[4] & 0xff, raw[5] & 0xff, raw[6] & 0xff, raw[7] & 0xff,
                raw[10] & 0xff, raw[11] & 0xff), "one question, no records");
        assertEquals(InetAddress.getByName("2001:db8::1"), DnsMessage.parse(wire).addresses().get(0).address);
    }
}
