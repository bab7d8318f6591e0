package org.carelane.policy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carelane.api.Profile;
import org.carelane.api.SlicePolicy;
import org.carelane.testing.SampleConfig;
import org.junit.jupiter.api.Test;
import org.onlab.packet.IpPrefix;
import org.onlab.packet.MacAddress;
import org.onosproject.TestApplicationId;
import org.onosproject.net.PortNumber;
import org.onosproject.net.flow.FlowRule;
import org.onosproject.net.flow.criteria.Criterion;
import org.onosproject.net.flow.criteria.IPCriterion;
import org.onosproject.net.flow.criteria.IPProtocolCriterion;
import org.onosproject.net.flow.criteria.PortCriterion;
import org.onosproject.net.flow.instructions.Instruction;
import org.onosproject.net.flow.instructions.Instructions;
import org.onosproject.net.flow.instructions.L2ModificationInstruction;
import org.onosproject.net.flow.instructions.L3ModificationInstruction;
import org.onosproject.net.meter.MeterId;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlowCompilerTest {
    private static final TestApplicationId APP = new TestApplicationId("org.carelane.app");
    private static final Map<String, MeterId> METERS = Map.of(
            "clinical", MeterId.meterId(1), "social", MeterId.meterId(2), "default", MeterId.meterId(3));

    private static List<FlowRule> compile(ObjectNode block) {
        SlicePolicy p = PolicyCodec.parse(block);
        return FlowCompiler.compile(p, p.devices().get(0), METERS, APP, Profile.OFF_PEAK);
    }

    private static List<FlowRule> atPriority(List<FlowRule> rules, int slicePriority) {
        return rules.stream().filter(r -> r.priority() == FlowCompiler.BASE_PRIORITY + slicePriority)
                .collect(Collectors.toList());
    }

    @Test
    void clinicalGetsMeterEfMarkQueueAndNormalOutput() {
        List<FlowRule> clinical = atPriority(compile(SampleConfig.hospital()), 800);
        assertEquals(2, clinical.size(), "one rule per direction of the nhs-clinical list");
        FlowRule r = clinical.get(0);
        assertEquals(IpPrefix.valueOf("10.100.0.0/24"),
                ((IPCriterion) r.selector().getCriterion(Criterion.Type.IPV4_DST)).ip());
        List<Instruction> all = r.treatment().allInstructions();
        assertEquals(MeterId.meterId(1), r.treatment().meters().iterator().next().meterId());
        assertTrue(all.stream().anyMatch(i -> i instanceof L3ModificationInstruction.ModDscpInstruction
                && ((L3ModificationInstruction.ModDscpInstruction) i).dscp() == Dscp.EF));
        assertTrue(all.stream().anyMatch(i -> i instanceof Instructions.SetQueueInstruction
                && ((Instructions.SetQueueInstruction) i).queueId() == 0));
        assertEquals(PortNumber.NORMAL, ((Instructions.OutputInstruction) r.treatment().immediate().stream()
                .filter(i -> i.type() == Instruction.Type.OUTPUT).findFirst().orElseThrow()).port());
        assertEquals(0, r.tableId());
        assertTrue(r.isPermanent());
    }

    @Test
    void everyRuleOutranksReactiveForwarding() {
        compile(SampleConfig.hospital()).forEach(r -> assertTrue(r.priority() > 10));
    }

    @Test
    void blockedDropsWithoutMeter() {
        List<FlowRule> blocked = atPriority(compile(SampleConfig.hospital()), 900);
        assertEquals(1, blocked.size());
        assertTrue(blocked.get(0).treatment().allInstructions().stream()
                .noneMatch(i -> i.type() == Instruction.Type.OUTPUT), "no output means drop");
        assertTrue(blocked.get(0).treatment().meters().isEmpty());
    }

    @Test
    void defaultMatchesAllIpv4() {
        List<FlowRule> def = atPriority(compile(SampleConfig.hospital()), 100);
        assertEquals(1, def.size());
        assertEquals(1, def.get(0).selector().criteria().size(), "eth_type only");
    }

    @Test
    void portWithoutProtocolExpandsToTcpAndUdp() {
        ObjectNode block = SampleConfig.hospital();
        ((ArrayNode) block.get("slices").get(1).get("rules")).addObject()
                .put("dstPort", 443).putArray("dstPrefixes").add("10.50.0.0/16");
        List<FlowRule> clinical = atPriority(compile(block), 800);
        assertEquals(4, clinical.size());
        List<Integer> protos = clinical.stream()
                .map(r -> (IPProtocolCriterion) r.selector().getCriterion(Criterion.Type.IP_PROTO))
                .filter(c -> c != null).map(c -> (int) c.protocol()).sorted().collect(Collectors.toList());
        assertEquals(List.of(6, 17), protos);
        assertTrue(clinical.stream().anyMatch(r -> r.selector().getCriterion(Criterion.Type.TCP_DST) != null));
        assertTrue(clinical.stream().anyMatch(r -> r.selector().getCriterion(Criterion.Type.UDP_DST) != null));
    }

    @Test
    void ingressRuleAppliesOnlyOnItsDevice() {
        ObjectNode block = SampleConfig.hospital();
        ((ArrayNode) block.get("devices")).addObject().put("deviceId", "of:0000000000000002")
                .put("uplinkKbps", 20000);
        ((ArrayNode) block.get("slices").get(1).get("rules")).addObject()
                .put("ingress", "of:0000000000000002/7").put("dscp", "AF41");
        SlicePolicy p = PolicyCodec.parse(block);
        List<FlowRule> dev1 = atPriority(FlowCompiler.compile(p, p.devices().get(0), METERS, APP, Profile.OFF_PEAK),
                800);
        List<FlowRule> dev2 = atPriority(FlowCompiler.compile(p, p.devices().get(1), METERS, APP, Profile.OFF_PEAK),
                800);
        assertEquals(2, dev1.size());
        assertEquals(3, dev2.size());
        FlowRule ingress = dev2.stream().filter(r -> r.selector().getCriterion(Criterion.Type.IN_PORT) != null)
                .findFirst().orElseThrow();
        assertEquals(PortNumber.portNumber(7),
                ((PortCriterion) ingress.selector().getCriterion(Criterion.Type.IN_PORT)).port());
        assertTrue(ingress.selector().getCriterion(Criterion.Type.IP_DSCP) != null);
    }

    @Test
    void fixedOutputPortIsHonoured() {
        ObjectNode block = SampleConfig.hospital();
        ((ObjectNode) block.get("devices").get(0)).put("output", "3");
        FlowRule r = atPriority(compile(block), 200).get(0);
        assertEquals(PortNumber.portNumber(3), ((Instructions.OutputInstruction) r.treatment().immediate().stream()
                .filter(i -> i.type() == Instruction.Type.OUTPUT).findFirst().orElseThrow()).port());
        assertNull(r.selector().getCriterion(Criterion.Type.IN_PORT));
        assertTrue(r.treatment().immediate().stream().noneMatch(i -> i instanceof L2ModificationInstruction));
    }

    /** The sample with social's internet list and the blocked list dual-stack. */
    private static SlicePolicy dualStack() {
        ObjectNode doc = SampleConfig.hospital().deepCopy();
        ((ArrayNode) doc.get("prefixLists").get("internet")).add("2001:db8:200::/48");
        ((ArrayNode) doc.get("prefixLists").get("blocked-sites")).add("2001:db8:200::66");
        return PolicyCodec.parse(doc);
    }

    private static FlowRule firstMatch(List<FlowRule> rules, org.carelane.testing.Probe packet) {
        return rules.stream().filter(r -> packet.matches(r.selector()))
                .max(java.util.Comparator.comparingInt(FlowRule::priority)).orElse(null);
    }

    @Test
    void anIpv4OnlyPolicyCompilesAsBeforeWithNoIpv6Rule() {
        List<FlowRule> rules = compile(SampleConfig.hospital());
        assertEquals(6, rules.size());
        assertTrue(rules.stream().noneMatch(r -> r.selector().getCriterion(Criterion.Type.IPV6_SRC) != null
                || r.selector().getCriterion(Criterion.Type.ICMPV6_TYPE) != null));
    }

    @Test
    void dualStackSlicesClassifyIpv6WithTheSameTreatment() {
        SlicePolicy p = dualStack();
        List<FlowRule> rules = FlowCompiler.compile(p, p.devices().get(0), METERS, APP, Profile.OFF_PEAK);
        org.carelane.testing.Probe social6 = new org.carelane.testing.Probe("2001:db8:1::10", "2001:db8:200::5", 6);
        FlowRule social = firstMatch(rules, social6);
        assertEquals(FlowCompiler.BASE_PRIORITY + 200, social.priority(), "social's priority: " + social);
        assertEquals(MeterId.meterId(2), social.treatment().meters().iterator().next().meterId());
        assertEquals(FlowCompiler.BASE_PRIORITY + 900, firstMatch(rules, new org.carelane.testing.Probe(
                "2001:db8:1::10", "2001:db8:200::66", 17)).priority(), "the blocked IPv6 host is dropped");
        FlowRule other6 = firstMatch(rules, new org.carelane.testing.Probe("2001:db8:1::10", "2001:db8:9::1", 6));
        assertEquals(FlowCompiler.BASE_PRIORITY + 100, other6.priority(), "default's {} matches IPv6 too");
        assertEquals(MeterId.meterId(2), firstMatch(rules, new org.carelane.testing.Probe("10.1.1.1", "10.200.1.1",
                6)).treatment().meters().iterator().next().meterId(), "IPv4 social unchanged");
    }

    @Test
    void neighbourDiscoveryIsNeverMeteredOrDropped() {
        SlicePolicy p = dualStack();
        List<FlowRule> rules = FlowCompiler.compile(p, p.devices().get(0), METERS, APP, Profile.OFF_PEAK,
                FlowCompiler.ALTERNATE_BASE_PRIORITY);
        for (int type : List.of(133, 134, 135, 136, 137)) {
            // Even to the blocked host, which every other packet from this source reaches only as a drop.
            FlowRule nd = firstMatch(rules, new org.carelane.testing.Probe("fe80::1", "2001:db8:200::66", 58, type));
            assertEquals(FlowCompiler.ALTERNATE_BASE_PRIORITY + FlowCompiler.ND_OFFSET, nd.priority());
            assertTrue(nd.treatment().meters().isEmpty(), "no meter: " + nd);
            assertEquals(List.of(Instruction.Type.OUTPUT), nd.treatment().allInstructions().stream()
                    .map(Instruction::type).collect(Collectors.toList()), "output only: " + nd);
            assertTrue(!FlowCompiler.inBand(nd.priority()), "not counted as a slice");
            assertEquals(FlowCompiler.ALTERNATE_BASE_PRIORITY, FlowCompiler.bandBase(nd.priority()));
        }
        FlowRule echo = firstMatch(rules, new org.carelane.testing.Probe("2001:db8:1::1", "2001:db8:200::66", 58, 128));
        assertTrue(echo.treatment().allInstructions().stream().anyMatch(i -> i.type() == Instruction.Type.NOACTION)
                || echo.treatment().allInstructions().isEmpty(), "other ICMPv6 to the blocked host is dropped");
    }

    @Test
    void aSteeredSliceLeavesByItsLinkWithTheLinksVlanOnlyWhenItsProfileIsInForce() {
        SlicePolicy p = PolicyCodec.parse(SampleConfig.withBreakout());
        FlowRule peak = atPriority(FlowCompiler.compile(p, p.devices().get(0), METERS, APP, Profile.PEAK), 200).get(0);
        List<Instruction> all = peak.treatment().allInstructions();
        assertEquals(PortNumber.portNumber(3), ((Instructions.OutputInstruction) all.stream()
                .filter(i -> i.type() == Instruction.Type.OUTPUT).findFirst().orElseThrow()).port());
        assertTrue(all.stream().anyMatch(i -> i instanceof L2ModificationInstruction.ModVlanIdInstruction
                && ((L2ModificationInstruction.ModVlanIdInstruction) i).vlanId().toShort() == 100), all.toString());
        assertEquals(MeterId.meterId(2), peak.treatment().meters().iterator().next().meterId(), "still metered");
        assertEquals(IpPrefix.valueOf("10.200.0.0/16"),
                ((IPCriterion) peak.selector().getCriterion(Criterion.Type.IPV4_DST)).ip(), "the outbound rule");
        FlowRule replies = atPriority(FlowCompiler.compile(p, p.devices().get(0), METERS, APP, Profile.PEAK), 200)
                .get(1);
        assertEquals(IpPrefix.valueOf("10.200.0.0/16"),
                ((IPCriterion) replies.selector().getCriterion(Criterion.Type.IPV4_SRC)).ip());
        assertEquals(PortNumber.NORMAL, ((Instructions.OutputInstruction) replies.treatment().allInstructions()
                .stream().filter(i -> i.type() == Instruction.Type.OUTPUT).findFirst().orElseThrow()).port(),
                "replies from the internet go towards the LAN, not back out of the breakout");
        assertEquals(MeterId.meterId(2), replies.treatment().meters().iterator().next().meterId());
        FlowRule off = atPriority(FlowCompiler.compile(p, p.devices().get(0), METERS, APP, Profile.OFF_PEAK), 200)
                .get(0);
        assertEquals(PortNumber.NORMAL, ((Instructions.OutputInstruction) off.treatment().allInstructions().stream()
                .filter(i -> i.type() == Instruction.Type.OUTPUT).findFirst().orElseThrow()).port());
        FlowRule clinicalAtPeak = atPriority(FlowCompiler.compile(p, p.devices().get(0), METERS, APP, Profile.PEAK),
                800).get(0);
        assertTrue(clinicalAtPeak.treatment().allInstructions().stream().noneMatch(
                i -> i instanceof L2ModificationInstruction.ModVlanIdInstruction), "clinical stays on the WAN");
        assertTrue(all.stream().noneMatch(i -> i instanceof L2ModificationInstruction.ModEtherInstruction),
                "no next hop declared: the host's destination MAC is kept");
    }

    @Test
    void aLinksNextHopMacBecomesTheSteeredPacketsDestinationMacButNotTheRepliesOrOtherSlices() {
        ObjectNode doc = SampleConfig.withBreakout();
        ((ObjectNode) doc.get("devices").get(0).get("links").get("breakout"))
                .put("nextHopMac", "02:0a:00:00:00:fe");
        SlicePolicy p = PolicyCodec.parse(doc);
        List<FlowRule> social = atPriority(FlowCompiler.compile(p, p.devices().get(0), METERS, APP, Profile.PEAK),
                200);
        List<MacAddress> outbound = ethDst(social.get(0));
        assertEquals(List.of(MacAddress.valueOf("02:0a:00:00:00:fe")), outbound, social.get(0).toString());
        assertEquals(List.of(), ethDst(social.get(1)), "replies keep their MAC: " + social.get(1));
        assertEquals(List.of(), ethDst(atPriority(FlowCompiler.compile(p, p.devices().get(0), METERS, APP,
                Profile.OFF_PEAK), 200).get(0)), "not steered off-peak, so not rewritten");
        assertEquals(List.of(), ethDst(atPriority(FlowCompiler.compile(p, p.devices().get(0), METERS, APP,
                Profile.PEAK), 800).get(0)), "clinical keeps the WAN gateway's MAC");
    }

    private static List<MacAddress> ethDst(FlowRule rule) {
        return rule.treatment().allInstructions().stream()
                .filter(i -> i instanceof L2ModificationInstruction.ModEtherInstruction
                        && ((L2ModificationInstruction) i).subtype() == L2ModificationInstruction.L2SubType.ETH_DST)
                .map(i -> ((L2ModificationInstruction.ModEtherInstruction) i).mac()).collect(Collectors.toList());
    }
}
