package org.carelane.impl;

import org.carelane.names.DnsMessage;
import org.carelane.names.DnsWire;
import org.carelane.policy.FlowCompiler;
import org.carelane.testing.Probe;
import org.carelane.testing.Await;
import org.carelane.testing.SampleConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.onlab.packet.Data;
import org.onlab.packet.Ethernet;
import org.onlab.packet.IPv4;
import org.onlab.packet.MacAddress;
import org.onlab.packet.UDP;
import org.onosproject.net.DeviceId;
import org.onosproject.net.PortNumber;
import org.onosproject.net.flow.FlowEntry;
import org.onosproject.net.flow.TrafficTreatment;
import org.onosproject.net.flow.instructions.Instruction;
import org.onosproject.net.flow.instructions.Instructions;
import org.onosproject.net.flow.instructions.L3ModificationInstruction;
import org.onosproject.net.packet.OutboundPacket;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Classification by name (issue 17): answers from the site's resolvers teach the switch. */
class NameLearningTest {
    private static final DeviceId GW = DeviceId.deviceId("of:0000000000000001");
    private static final Instant WED_MORNING = Instant.parse("2026-01-14T09:00:00Z");
    private static final String RESOLVER = "10.1.0.53";
    private static final String CLIENT = "10.1.2.21";
    private static final PortNumber RESOLVER_PORT = PortNumber.portNumber(4);
    private CareLaneTestBed bed;

    @AfterEach
    void tearDown() {
        if (bed != null) {
            bed.close();
        }
    }

    private void start() {
        start(SampleConfig.withNames());
    }

    /** The test bed on this config, once its punt rule is on the switch. */
    private void start(com.fasterxml.jackson.databind.node.ObjectNode config) {
        bed = new CareLaneTestBed(WED_MORNING, config);
        bed.manager.awaitIdle();
        Await.until(() -> puntRules().size() == 1, Duration.ofSeconds(5));
    }

    private List<FlowEntry> namesRules() {
        short names = new org.onosproject.TestApplicationId(CareLaneManager.APP_NAME + ".names").id();
        return bed.flows.devices(GW).stream().filter(e -> e.appId() == names).collect(Collectors.toList());
    }

    private List<FlowEntry> puntRules() {
        return namesRules().stream().filter(e -> e.priority() >= DnsPunt.PRIORITY)
                .collect(Collectors.toList());
    }

    private static byte[] frame(byte[] dns) {
        UDP udp = new UDP();
        udp.setSourcePort(53);
        udp.setDestinationPort(40000);
        udp.setPayload(new Data(dns));
        IPv4 ip = new IPv4();
        ip.setSourceAddress(RESOLVER);
        ip.setDestinationAddress(CLIENT);
        ip.setProtocol(IPv4.PROTOCOL_UDP);
        ip.setTtl((byte) 64);
        ip.setPayload(udp);
        Ethernet eth = new Ethernet();
        eth.setEtherType(Ethernet.TYPE_IPV4);
        eth.setSourceMACAddress(MacAddress.valueOf("00:00:00:00:00:53"));
        eth.setDestinationMACAddress(MacAddress.valueOf("00:00:00:00:00:21"));
        eth.setPayload(ip);
        return eth.serialize();
    }

    private static Optional<Integer> dscp(TrafficTreatment t) {
        if (t == null) {
            return Optional.empty();
        }
        for (Instruction i : t.allInstructions()) {
            if (i instanceof L3ModificationInstruction.ModDscpInstruction) {
                return Optional.of((int) ((L3ModificationInstruction.ModDscpInstruction) i).dscp());
            }
        }
        return Optional.empty();
    }

    private static DnsMessage dnsOf(OutboundPacket p) throws Exception {
        byte[] data = new byte[p.data().remaining()];
        p.data().duplicate().get(data);
        Ethernet eth = Ethernet.deserializer().deserialize(data, 0, data.length);
        UDP udp = (UDP) eth.getPayload().getPayload();
        return DnsMessage.parse(udp.getPayload().serialize());
    }

    @Test
    void theSwitchSendsTheResolversAnswersToTheControllerByARuleThatRunsOutWithoutCareLane() {
        start();
        FlowEntry punt = puntRules().get(0);
        assertTrue(punt.selector().toString().contains(RESOLVER + "/32"), punt.selector().toString());
        assertTrue(punt.selector().toString().contains("UDP_SRC:53"), punt.selector().toString());
        assertEquals(List.of(Instructions.createOutput(PortNumber.CONTROLLER)), punt.treatment().allInstructions());
        assertEquals(DnsPunt.SECONDS, punt.hardTimeout());
        assertTrue(punt.priority() > FlowCompiler.ALTERNATE_STAGE_BASE_PRIORITY + 2 * FlowCompiler.ND_OFFSET + 1,
                "above every band");
    }

    /**
     * ONOS deletes a rule with a hard_timeout once its flow poll first saw it longer ago than the
     * timeout, even if it was added again since (FlowRuleManager.checkRuleLiveness): renewing the
     * punt rule in place would lose it every 15 s. Polled every 5 s for a minute, as ONOS does.
     */
    @Test
    void thePuntRuleIsAlwaysOnTheSwitchWhileCareLaneRenewsIt() throws Exception {
        start();
        bed.flows.pollClock = () -> bed.clock.millis();
        for (int s = 0; s <= 60; s++) {
            bed.clock.set(WED_MORNING.plusSeconds(s));
            bed.manager.nameLearning().tickNow();
            if (s % 5 == 0) {
                bed.flows.pollFlows(GW);
            }
            assertEquals(1, punts(bed.flows), "at " + s + " s: " + bed.flows.switchRules(GW));
        }
    }

    /**
     * A control cut longer than the punt rule's hard_timeout: the switch drops the rule, and ONOS
     * never hears it (the FLOW_REMOVED is lost), so ONOS's firstSeen of that rule stays. Once the
     * device is mastered again, with ONOS's flow poll every 5 s, the punt rule is on the switch
     * at every second (the names thread having caught up).
     */
    @Test
    void thePuntRuleIsOnTheSwitchAfterAControlCutLongerThanItsTimeout() throws Exception {
        try (TestCluster cluster = new TestCluster(SampleConfig.withNames(), java.util.Map.of(GW, "a"))) {
            CareLaneTestBed a = cluster.start("a", WED_MORNING);
            cluster.awaitIdle();
            cluster.flows.pollClock = () -> a.clock.millis();
            Await.until(() -> punts(cluster.flows) == 1, Duration.ofSeconds(5));
            for (int s = 0; s <= 3; s++) {
                a.clock.set(WED_MORNING.plusSeconds(s));
                a.manager.nameLearning().tickNow();
                if (s == 0) {
                    cluster.flows.pollFlows(GW);
                }
            }
            cluster.mastership.clearMaster(GW);   // the cut: no node masters the switch
            a.manager.nameLearning().tickNow();
            a.clock.set(WED_MORNING.plusSeconds(20));
            assertEquals(1, cluster.flows.expireHardTimeouts(GW, false), "the punt rule ran out, unheard");
            cluster.mastership.setMaster(GW, "a");   // back
            for (int s = 20; s <= 60; s++) {
                a.clock.set(WED_MORNING.plusSeconds(s));
                a.manager.nameLearning().tickNow();
                if (s % 5 == 0) {
                    cluster.flows.pollFlows(GW);
                }
                a.manager.nameLearning().tickNow();
                assertEquals(1, punts(cluster.flows), "at " + s + " s: " + cluster.flows.switchRules(GW));
            }
        }
    }

    /** A node taking the device over starts from the punt rules in ONOS's store: they go once its own are in. */
    @Test
    void aNewMasterReplacesThePuntRulesItInheritsAtTheOtherPriority() throws Exception {
        try (TestCluster cluster = new TestCluster(SampleConfig.withNames(), java.util.Map.of(GW, "a"))) {
            cluster.start("a", WED_MORNING);
            cluster.start("b", WED_MORNING);
            cluster.awaitIdle();
            Await.until(() -> punts(cluster.flows) == 1, Duration.ofSeconds(5));
            List<String> inherited = cluster.flows.switchRules(GW).stream().filter(NameLearningTest::isPunt)
                    .collect(Collectors.toList());
            cluster.stopNode("a");
            cluster.mastership.setMaster(GW, "b");
            cluster.node("b").manager.nameLearning().tickNow();
            List<String> now = cluster.flows.switchRules(GW).stream().filter(NameLearningTest::isPunt)
                    .collect(Collectors.toList());
            assertEquals(1, now.size(), now.toString());
            assertFalse(inherited.contains(now.get(0)), "not added again under the inherited rule's id: " + now);
        }
    }

    /**
     * The previous master renewed the punt rule and ONOS still holds its old one, PENDING_REMOVE
     * until the next flow poll, when another node takes over: the switch holds a punt rule at
     * every operation of the take-over.
     */
    @Test
    void aNewMasterKeepsAPuntRuleOnTheSwitchWhileThePreviousMastersRemovalIsPending() throws Exception {
        try (TestCluster cluster = new TestCluster(SampleConfig.withNames(), java.util.Map.of(GW, "a"))) {
            cluster.flows.removedStayPending = true;
            CareLaneTestBed a = cluster.start("a", WED_MORNING);
            CareLaneTestBed b = cluster.start("b", WED_MORNING);
            cluster.awaitIdle();
            Await.until(() -> punts(cluster.flows) == 1, Duration.ofSeconds(5));
            a.clock.set(WED_MORNING.plusSeconds(5));
            a.manager.nameLearning().tickNow();   // renewed at the other priority
            assertEquals(List.of(FlowEntry.FlowEntryState.ADDED, FlowEntry.FlowEntryState.PENDING_REMOVE),
                    cluster.flows.devices(GW).stream().filter(e -> e.priority() >= DnsPunt.PRIORITY)
                            .map(FlowEntry::state).sorted().collect(Collectors.toList()));
            cluster.stopNode("a");
            List<List<String>> gaps = new java.util.concurrent.CopyOnWriteArrayList<>();
            cluster.flows.onEachOperation(() -> {
                if (punts(cluster.flows) == 0) {
                    gaps.add(cluster.flows.switchRules(GW));
                }
            });
            b.clock.set(WED_MORNING.plusSeconds(6));
            cluster.mastership.setMaster(GW, "b");
            b.manager.nameLearning().tickNow();
            cluster.awaitIdle();
            assertEquals(List.of(), gaps, "moments without a punt rule");
            assertEquals(1, punts(cluster.flows), cluster.flows.switchRules(GW).toString());
        }
    }

    /**
     * ONOS's firstSeen lives on each node, and only the master hears the switch's reports: a
     * node that gets the device back may still hold the firstSeen of a rule from its first term.
     * Over a failover and a failback, polled every 5 s by the master, a punt rule is on the
     * switch at every second.
     */
    @Test
    void thePuntRuleIsOnTheSwitchAtEverySecondOverAFailoverAndAFailback() throws Exception {
        try (TestCluster cluster = new TestCluster(SampleConfig.withNames(), java.util.Map.of(GW, "a"))) {
            CareLaneTestBed a = cluster.start("a", WED_MORNING);
            CareLaneTestBed b = cluster.start("b", WED_MORNING);
            cluster.awaitIdle();
            cluster.flows.pollClock = () -> a.clock.millis();
            Await.until(() -> punts(cluster.flows) == 1, Duration.ofSeconds(5));
            for (int s = 0; s <= 90; s++) {
                if (s == 30) {
                    cluster.mastership.setMaster(GW, "b");
                } else if (s == 60) {
                    cluster.mastership.setMaster(GW, "a");
                }
                cluster.setTime(WED_MORNING.plusSeconds(s));
                for (CareLaneTestBed node : List.of(a, b)) {
                    node.manager.nameLearning().tickNow();
                }
                if (s % 5 == 2) {
                    cluster.flows.pollFlows(GW);
                }
                for (CareLaneTestBed node : List.of(a, b)) {
                    node.manager.nameLearning().tickNow();
                }
                assertEquals(1, punts(cluster.flows), "at " + s + " s: " + cluster.flows.switchRules(GW));
            }
        }
    }

    private static boolean isPunt(String rule) {
        return rule.contains("@" + DnsPunt.PRIORITY + " ") || rule.contains("@" + (DnsPunt.PRIORITY + 1) + " ");
    }

    private static long punts(org.carelane.testing.RecordingFlowRuleService flows) {
        return flows.switchRules(GW).stream().filter(NameLearningTest::isPunt).count();
    }

    @Test
    void anAnswerGoesOnOnlyOnceItsAddressesHaveTheirSlicesRulesOnTheSwitch() throws Exception {
        start();
        Probe toCdn = new Probe(CLIENT, "10.200.1.10", 6);
        assertEquals(Optional.of(8), dscp(bed.flows.switchTreatment(GW, toCdn)), "social (CS1) by prefix before");
        AtomicReference<TrafficTreatment> atRelease = new AtomicReference<>();
        bed.packets.onEmit = p -> atRelease.set(bed.flows.switchTreatment(GW, toCdn));
        byte[] answer = new DnsWire("www.nhs.wales", DnsMessage.TYPE_A)
                .cname("www.nhs.wales", 300, "nhs-wales.cdn.example.net")
                .a("nhs-wales.cdn.example.net", 60, "10.200.1.10").bytes();
        byte[] frame = frame(answer);
        assertTrue(bed.packets.receive(GW, RESOLVER_PORT, frame), "taken from ONOS's other processors");
        Await.until(() -> !bed.packets.emitted.isEmpty(), Duration.ofSeconds(5));
        assertEquals(1, bed.packets.emitted.size());
        assertEquals(Optional.of(18), dscp(atRelease.get()), "work-internet (AF21) on the switch when the client"
                + " gets the answer");
        OutboundPacket out = bed.packets.emitted.get(0);
        byte[] sent = new byte[out.data().remaining()];
        out.data().duplicate().get(sent);
        assertEquals(java.util.Arrays.toString(frame), java.util.Arrays.toString(sent), "the answer unchanged");
        assertEquals(RESOLVER_PORT, out.inPort());
        assertEquals(List.of(Instructions.createOutput(PortNumber.NORMAL)), out.treatment().allInstructions());
        assertEquals(Optional.of(8), dscp(bed.flows.switchTreatment(GW, new Probe(CLIENT, "10.200.1.11", 6))),
                "another address keeps its class");
        assertEquals(Optional.of(18), dscp(bed.flows.switchTreatment(GW, new Probe("10.200.1.10", CLIENT, 6))),
                "and the replies: a download from a work site is not social's");
        var learned = bed.manager.learnedNames(GW).orElseThrow();
        assertEquals(1, learned.size());
        assertEquals("10.200.1.10", learned.get(0).address().toString());
        assertEquals("www.nhs.wales", learned.get(0).name());
        assertEquals("work-internet", learned.get(0).slice());
        assertEquals(WED_MORNING.plusSeconds(60), learned.get(0).expires(), "the chain's shortest TTL");
        String metrics = bed.manager.metrics();
        assertTrue(metrics.contains("carelane_names_held_total 1\n"), metrics);
        assertTrue(metrics.contains("carelane_names_learned 1\n"), metrics);
        assertTrue(metrics.contains("carelane_names_hold_seconds_count 1\n"), metrics);
        assertTrue(metrics.contains("carelane_names_hold_seconds_bucket{le=\"+Inf\"} 1\n"), metrics);
    }

    @Test
    void anAnswerForABlockedNameReachesTheClientAsNxdomainAndTeachesNothing() throws Exception {
        start();
        byte[] answer = new DnsWire("badsite.example", DnsMessage.TYPE_A).a("badsite.example", 60, "10.201.0.66")
                .bytes();
        bed.packets.receive(GW, RESOLVER_PORT, frame(answer));
        Await.until(() -> !bed.packets.emitted.isEmpty(), Duration.ofSeconds(5));
        DnsMessage sent = dnsOf(bed.packets.emitted.get(0));
        assertEquals(DnsMessage.RCODE_NXDOMAIN, sent.rcode());
        assertEquals("badsite.example", sent.question());
        assertTrue(sent.addresses().isEmpty());
        assertEquals(1, namesRules().size(), "only the punt rule");
    }

    @Test
    void anAnswerForAnUnlistedNameOrFromAnotherServerGoesOnUntouched() throws Exception {
        start();
        byte[] answer = new DnsWire("example.org", DnsMessage.TYPE_A).a("example.org", 60, "10.202.0.1").bytes();
        assertTrue(bed.packets.receive(GW, RESOLVER_PORT, frame(answer)));
        Await.until(() -> !bed.packets.emitted.isEmpty(), Duration.ofSeconds(5));
        assertEquals(1, bed.packets.emitted.size());
        assertEquals(1, namesRules().size());
        Ethernet other = Ethernet.deserializer().deserialize(frame(answer), 0, frame(answer).length);
        ((IPv4) other.getPayload()).setSourceAddress("10.1.0.99");
        ((IPv4) other.getPayload()).resetChecksum();
        byte[] fromElsewhere = other.serialize();
        assertTrue(!bed.packets.receive(GW, RESOLVER_PORT, fromElsewhere), "left to ONOS's other processors");
    }

    @Test
    void aLearnedAddressLeavesTheSwitchWhenItsTtlRunsOutAndALaterAnswerExtendsIt() throws Exception {
        start();
        byte[] answer = new DnsWire("facebook.com", DnsMessage.TYPE_A).a("facebook.com", 30, "10.203.0.7").bytes();
        Probe toFacebook = new Probe(CLIENT, "10.203.0.7", 6);
        assertEquals(Optional.of(0), dscp(bed.flows.switchTreatment(GW, toFacebook)), "default (BE) before");
        bed.packets.receive(GW, RESOLVER_PORT, frame(answer));
        Await.until(() -> bed.packets.emitted.size() == 1, Duration.ofSeconds(5));
        assertEquals(Optional.of(8), dscp(bed.flows.switchTreatment(GW, toFacebook)), "social by name");
        bed.clock.set(WED_MORNING.plusSeconds(20));
        bed.packets.receive(GW, RESOLVER_PORT, frame(answer));   // from the resolver's cache: the TTL again
        Await.until(() -> bed.packets.emitted.size() == 2, Duration.ofSeconds(5));
        bed.clock.set(WED_MORNING.plusSeconds(31));
        Thread.sleep(2 * NameLearning.TICK.toMillis());
        assertEquals(Optional.of(8), dscp(bed.flows.switchTreatment(GW, toFacebook)), "extended to 50 s");
        bed.clock.set(WED_MORNING.plusSeconds(51));
        Await.until(() -> dscp(bed.flows.switchTreatment(GW, toFacebook)).equals(Optional.of(0)),
                Duration.ofSeconds(3));
        assertEquals(Optional.of(0), dscp(bed.flows.switchTreatment(GW, toFacebook)), "gone once its time is up");
        assertEquals(1, namesRules().size());
    }

    @Test
    void learnedAddressesAreCappedLeastRecentlyAnsweredFirst() throws Exception {
        start();
        for (int i = 1; i <= 6; i++) {
            byte[] answer = new DnsWire("img" + i + ".fbcdn.net", DnsMessage.TYPE_A)
                    .a("img" + i + ".fbcdn.net", 60, "10.203.1." + i).bytes();
            bed.packets.receive(GW, RESOLVER_PORT, frame(answer));
        }
        Await.until(() -> bed.packets.emitted.size() == 6, Duration.ofSeconds(5));
        assertEquals(4 * 2, namesRules().size() - 1, "maxLearned 4, each with a rule each way");
        assertEquals(Optional.of(0), dscp(bed.flows.switchTreatment(GW, new Probe(CLIENT, "10.203.1.1", 6))));
        assertEquals(Optional.of(8), dscp(bed.flows.switchTreatment(GW, new Probe(CLIENT, "10.203.1.6", 6))));
        assertEquals(2L, bed.manager.nameCounters().get("evicted"));
    }

    @Test
    void learnedRulesFollowTheirSliceIntoANewGenerationAndGoWithTheApp() throws Exception {
        start();
        byte[] answer = new DnsWire("facebook.com", DnsMessage.TYPE_A).a("facebook.com", 300, "10.203.0.7").bytes();
        bed.packets.receive(GW, RESOLVER_PORT, frame(answer));
        Await.until(() -> bed.packets.emitted.size() == 1, Duration.ofSeconds(5));
        int before = namesRules().stream().filter(e -> e.priority() < DnsPunt.PRIORITY).findFirst()
                .orElseThrow().priority();
        bed.manager.setRates("social", org.carelane.api.Profile.OFF_PEAK, new org.carelane.api.SliceRates(9000, 0),
                "alice", "rest");
        bed.manager.awaitIdle();
        Probe toFacebook = new Probe(CLIENT, "10.203.0.7", 6);
        Await.until(() -> namesRules().stream().anyMatch(e -> e.priority() != before
                && e.priority() < DnsPunt.PRIORITY), Duration.ofSeconds(3));
        Await.until(() -> namesRules().size() == 3, Duration.ofSeconds(3));
        assertEquals(3, namesRules().size(), "the punt rule and the learned address's two: " + namesRules());
        TrafficTreatment t = bed.flows.switchTreatment(GW, toFacebook);
        assertNotNull(t);
        assertEquals(Optional.of(8), dscp(t), "still social, in the new band");
        long rate = bed.meters.getMeter(GW, t.meters().iterator().next().meterId()).bands().iterator().next().rate();
        assertEquals(9000L, rate, "with social's new meter");
        bed.close();
        assertEquals(0, namesRules().size(), "deactivation removes the punt and learned rules");
    }

    @Test
    void aRuleNarrowedBySourceWinsOnlyForItsSources() throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode config = SampleConfig.withNames();
        ((com.fasterxml.jackson.databind.node.ObjectNode) config.get("prefixLists")).putArray("comms-team")
                .add("10.1.3.0/24");
        for (var slice : config.get("slices")) {
            if (slice.get("name").asText().equals("work-internet")) {
                ((com.fasterxml.jackson.databind.node.ArrayNode) slice.get("rules")).addObject()
                        .put("srcPrefixList", "comms-team").put("dstNameList", "social-media");
            }
        }
        start(config);
        byte[] answer = new DnsWire("facebook.com", DnsMessage.TYPE_A).a("facebook.com", 300, "10.203.0.7").bytes();
        bed.packets.receive(GW, RESOLVER_PORT, frame(answer));
        Await.until(() -> bed.packets.emitted.size() == 1, Duration.ofSeconds(5));
        assertEquals(Optional.of(18), dscp(bed.flows.switchTreatment(GW, new Probe("10.1.3.5", "10.203.0.7", 6))),
                "the communications team's social media is work");
        assertEquals(Optional.of(18), dscp(bed.flows.switchTreatment(GW, new Probe("10.203.0.7", "10.1.3.5", 6))),
                "and its replies");
        assertEquals(Optional.of(8), dscp(bed.flows.switchTreatment(GW, new Probe(CLIENT, "10.203.0.7", 6))),
                "everybody else's is social");
        assertEquals(Optional.of(8), dscp(bed.flows.switchTreatment(GW, new Probe("10.203.0.7", CLIENT, 6))));
    }

    @Test
    void aNewMasterRemovesTheLearnedRulesItInheritsAndLearnsAgain() throws Exception {
        try (TestCluster cluster = new TestCluster(SampleConfig.withNames(), java.util.Map.of(GW, "a"))) {
            cluster.start("a", WED_MORNING);
            cluster.start("b", WED_MORNING);
            cluster.awaitIdle();
            short names = new org.onosproject.TestApplicationId(CareLaneManager.APP_NAME + ".names").id();
            java.util.function.Supplier<List<FlowEntry>> learned = () -> cluster.flows.devices(GW).stream()
                    .filter(e -> e.appId() == names && e.priority() < DnsPunt.PRIORITY)
                    .collect(Collectors.toList());
            Await.until(() -> cluster.flows.devices(GW).stream().anyMatch(e -> e.appId() == names),
                    Duration.ofSeconds(5));
            byte[] answer = new DnsWire("facebook.com", DnsMessage.TYPE_A).a("facebook.com", 300, "10.203.0.7")
                    .bytes();
            assertTrue(cluster.node("a").packets.receive(GW, RESOLVER_PORT, frame(answer)));
            Await.until(() -> learned.get().size() == 2, Duration.ofSeconds(5));
            assertEquals(2, learned.get().size());
            cluster.stopNode("a");
            cluster.mastership.setMaster(GW, "b");
            Await.until(() -> learned.get().isEmpty(), Duration.ofSeconds(5));
            assertEquals(List.of(), learned.get(), "b knows neither their names nor their TTLs");
            assertTrue(cluster.node("b").packets.receive(GW, RESOLVER_PORT, frame(answer)), "b reads the answers");
            Await.until(() -> learned.get().size() == 2, Duration.ofSeconds(5));
            assertEquals(Optional.of(8), dscp(cluster.flows.switchTreatment(GW, new Probe(CLIENT, "10.203.0.7", 6))),
                    "learned again from the next answer");
        }
    }

    @Test
    void aDropRuleNarrowedByProtocolDropsThatProtocolButTheNameStillResolves() throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode config = SampleConfig.withNames();
        for (var slice : config.get("slices")) {
            if (slice.get("name").asText().equals("blocked")) {
                ((com.fasterxml.jackson.databind.node.ArrayNode) slice.get("rules")).addObject()
                        .put("dstNameList", "social-media").put("ipProto", 17);   // e.g. QUIC to social media
            }
        }
        start(config);
        byte[] answer = new DnsWire("facebook.com", DnsMessage.TYPE_A).a("facebook.com", 300, "10.203.0.7").bytes();
        bed.packets.receive(GW, RESOLVER_PORT, frame(answer));
        Await.until(() -> bed.packets.emitted.size() == 1, Duration.ofSeconds(5));
        assertEquals(List.of("10.203.0.7"), dnsOf(bed.packets.emitted.get(0)).addresses().stream()
                .map(a -> a.address.getHostAddress()).collect(Collectors.toList()), "not NXDOMAIN");
        TrafficTreatment udp = bed.flows.switchTreatment(GW, new Probe(CLIENT, "10.203.0.7", 17));
        assertTrue(udp.meters().isEmpty() && dscp(udp).isEmpty(), "UDP dropped: " + udp);
        assertEquals(Optional.of(8), dscp(bed.flows.switchTreatment(GW, new Probe(CLIENT, "10.203.0.7", 6))));
    }

    @Test
    void anAaaaAnswerInAnIpv4OnlyPolicyTeachesNoRule() throws Exception {
        start();
        byte[] answer = new DnsWire("facebook.com", DnsMessage.TYPE_AAAA).aaaa("facebook.com", 300, "2001:db8:203::7")
                .bytes();
        bed.packets.receive(GW, RESOLVER_PORT, frame(answer));
        Await.until(() -> bed.packets.emitted.size() == 1, Duration.ofSeconds(5));
        assertEquals(1, bed.packets.emitted.size(), "sent on at once");
        assertEquals(1, namesRules().size(), "only the punt rule: IPv6 is not classified in an IPv4-only policy");
    }
}
