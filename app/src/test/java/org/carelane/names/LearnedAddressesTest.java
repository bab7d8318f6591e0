package org.carelane.names;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LearnedAddressesTest {
    private static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");

    private static DnsMessage.Answer answer(String address, long ttl) throws Exception {
        return new DnsMessage.Answer(InetAddress.getByName(address), ttl);
    }

    private static LearnedAddresses table(int max, int perName) {
        return new LearnedAddresses(max, perName, Duration.ofSeconds(30), Duration.ofHours(1));
    }

    private static List<String> addresses(List<LearnedAddresses.Entry> entries) {
        return entries.stream().map(e -> e.address.getHostAddress()).collect(Collectors.toList());
    }

    @Test
    void anAnswersTtlIsClampedToTheBounds() throws Exception {
        LearnedAddresses t = table(100, 10);
        t.learn("a.example.org", "social", 1200, List.of(answer("192.0.2.1", 5), answer("192.0.2.2", 86400)), T0);
        assertEquals(T0.plusSeconds(30), t.get(InetAddress.getByName("192.0.2.1")).get().expires);
        assertEquals(T0.plusSeconds(3600), t.get(InetAddress.getByName("192.0.2.2")).get().expires);
    }

    @Test
    void aLaterAnswerExtendsTheExpiryAndACachedOneNeverShortensIt() throws Exception {
        LearnedAddresses t = table(100, 10);
        LearnedAddresses.Change first = t.learn("a.example.org", "social", 1200, List.of(answer("192.0.2.1", 300)), T0);
        assertEquals(List.of("192.0.2.1"), addresses(first.installed));
        LearnedAddresses.Change cached = t.learn("a.example.org", "social", 1200,
                List.of(answer("192.0.2.1", 40)), T0.plusSeconds(100));   // another answer, 40 s left
        assertEquals(List.of(), cached.refreshed, "an earlier expiry changes nothing");
        assertEquals(List.of(), cached.installed, "the rule stays as it is");
        assertEquals(T0.plusSeconds(300), t.get(InetAddress.getByName("192.0.2.1")).get().expires);
        LearnedAddresses.Change later = t.learn("a.example.org", "social", 1200, List.of(answer("192.0.2.1", 300)),
                T0.plusSeconds(250));   // e.g. the resolver's cache, 300 s left
        assertEquals(List.of("192.0.2.1"), addresses(later.refreshed), "its rule is re-added with the time left");
        assertEquals(List.of(), t.expire(T0.plusSeconds(549)));
        assertEquals(List.of("192.0.2.1"), addresses(t.expire(T0.plusSeconds(550))));
        assertEquals(0, t.size());
    }

    @Test
    void theLeastRecentlyAnsweredAddressGoesFirstAndEvictionsAreCounted() throws Exception {
        LearnedAddresses t = table(3, 10);
        t.learn("a.example.org", "social", 1200, List.of(answer("192.0.2.1", 300)), T0);
        t.learn("b.example.org", "social", 1200, List.of(answer("192.0.2.2", 300)), T0);
        t.learn("c.example.org", "social", 1200, List.of(answer("192.0.2.3", 300)), T0);
        t.learn("a.example.org", "social", 1200, List.of(answer("192.0.2.1", 300)), T0.plusSeconds(1));
        LearnedAddresses.Change d = t.learn("d.example.org", "social", 1200, List.of(answer("192.0.2.4", 300)),
                T0.plusSeconds(2));
        assertEquals(List.of("192.0.2.2"), addresses(d.evicted));
        assertEquals(List.of("192.0.2.3", "192.0.2.1", "192.0.2.4"), addresses(t.entries()));
        assertEquals(1, t.evictions());
    }

    @Test
    void aNameKeepsAtMostItsCapOfAddresses() throws Exception {
        LearnedAddresses t = table(100, 2);
        LearnedAddresses.Change c = t.learn("cdn.example.org", "social", 1200,
                List.of(answer("192.0.2.1", 300), answer("192.0.2.2", 300), answer("192.0.2.3", 300)), T0);
        assertEquals(List.of("192.0.2.1"), addresses(c.evicted));
        assertEquals(List.of("192.0.2.2", "192.0.2.3"), addresses(c.installed));
        assertEquals(2, t.size());
    }

    @Test
    void anAddressStaysInTheSliceOfHigherRankWhileItIsLearnedThere() throws Exception {
        LearnedAddresses t = table(100, 10);
        t.learn("portal.example.org", "work-internet", 1500, List.of(answer("192.0.2.9", 60)), T0);
        LearnedAddresses.Change shared = t.learn("social.example.org", "social", 1200,
                List.of(answer("192.0.2.9", 300)), T0.plusSeconds(10));
        assertTrue(shared.installed.isEmpty() && shared.refreshed.isEmpty(), "a shared CDN address keeps work's slice");
        assertEquals("work-internet", t.get(InetAddress.getByName("192.0.2.9")).get().slice);
        LearnedAddresses.Change later = t.learn("social.example.org", "social", 1200,
                List.of(answer("192.0.2.9", 300)), T0.plusSeconds(61));
        assertEquals(List.of("192.0.2.9"), addresses(later.installed), "once work's answer has run out");
        assertEquals("social", t.get(InetAddress.getByName("192.0.2.9")).get().slice);
        assertEquals(List.of(), t.expire(T0.plusSeconds(300)), "work's stale expiry does not remove social's");
    }

    @Test
    void anAddressAnsweredForAnotherNameCountsForThatNameOnly() throws Exception {
        LearnedAddresses t = table(100, 1);
        t.learn("a.example.org", "social", 1200, List.of(answer("192.0.2.1", 300)), T0);
        t.learn("b.example.org", "social", 1200, List.of(answer("192.0.2.1", 600)), T0);   // one CDN address
        LearnedAddresses.Change c = t.learn("a.example.org", "social", 1200, List.of(answer("192.0.2.2", 300)), T0);
        assertEquals(List.of(), c.evicted, "a.example.org holds one address: the shared one is b's now");
        assertEquals(2, t.size());
        LearnedAddresses.Change d = t.learn("b.example.org", "social", 1200, List.of(answer("192.0.2.3", 300)), T0);
        assertEquals(List.of("192.0.2.1"), addresses(d.evicted));
        assertEquals(List.of("192.0.2.2", "192.0.2.3"), addresses(t.entries()));
    }

    @Test
    void expiringLeavesTheOrderOfAnswersAlone() throws Exception {
        LearnedAddresses t = table(2, 10);
        t.learn("a.example.org", "social", 1200, List.of(answer("192.0.2.1", 300)), T0);
        t.learn("a.example.org", "social", 1200, List.of(answer("192.0.2.1", 400)), T0);   // a stale expiry left
        t.learn("b.example.org", "social", 1200, List.of(answer("192.0.2.2", 300)), T0.plusSeconds(1));
        assertEquals(List.of(), t.expire(T0.plusSeconds(300)));
        LearnedAddresses.Change c = t.learn("c.example.org", "social", 1200, List.of(answer("192.0.2.3", 300)),
                T0.plusSeconds(2));
        assertEquals(List.of("192.0.2.1"), addresses(c.evicted), "a was answered least recently");
    }

    @Test
    void anAnswerForAnAddressWhoseTimeIsUpLearnsItAnew() throws Exception {
        LearnedAddresses t = table(100, 10);
        t.learn("a.example.org", "social", 1200, List.of(answer("192.0.2.1", 60)), T0);
        LearnedAddresses.Change c = t.learn("a.example.org", "social", 1200, List.of(answer("192.0.2.1", 60)),
                T0.plusSeconds(61));   // before expire() ran: its rule has left the switch
        assertEquals(List.of("192.0.2.1"), addresses(c.installed));
        assertEquals(List.of(), t.expire(T0.plusSeconds(100)), "the first answer's expiry removes nothing");
        assertEquals(1, t.size());
    }

    @Test
    void fiftyThousandAddressesStayWithinTheCap() throws Exception {
        LearnedAddresses t = table(20_000, 64);
        for (int i = 0; i < 50_000; i++) {
            String address = "10." + (i >> 16) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff);
            t.learn("n" + i + ".example.org", "social", 1200, List.of(answer(address, 300)), T0.plusMillis(i));
        }
        assertEquals(20_000, t.size());
        assertEquals(30_000, t.evictions());
        assertEquals(20_000, t.expire(T0.plusSeconds(400)).size());
    }
}
