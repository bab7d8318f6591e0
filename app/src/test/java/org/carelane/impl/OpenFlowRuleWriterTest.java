package org.carelane.impl;

import org.carelane.api.Profile;
import org.carelane.api.SlicePolicy;
import org.carelane.policy.FlowCompiler;
import org.carelane.policy.PolicyCodec;
import org.carelane.testing.SampleConfig;
import org.junit.jupiter.api.Test;
import org.onosproject.TestApplicationId;
import org.onosproject.net.flow.FlowRule;
import org.onosproject.net.meter.MeterId;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFFlowModFlags;
import org.projectfloodlight.openflow.protocol.OFVersion;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The FLOW_MOD ADDs the rule keeper writes past ONOS's store, for every rule CareLane compiles. */
class OpenFlowRuleWriterTest {
    private static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);
    private static final Map<String, MeterId> METERS = Map.of(
            "clinical", MeterId.meterId(1), "social", MeterId.meterId(2), "default", MeterId.meterId(3));

    private static List<FlowRule> compile(SlicePolicy p) {
        return FlowCompiler.compile(p, p.devices().get(0), METERS, new TestApplicationId("org.carelane.app"),
                Profile.PEAK, FlowCompiler.BASE_PRIORITY);
    }

    private static void assertWritable(List<FlowRule> rules) {
        for (FlowRule rule : rules) {
            Optional<OFFlowAdd> add = OpenFlowRuleWriter.flowAdd(OF13, rule);
            assertTrue(add.isPresent(), "no FLOW_MOD for " + rule);
            assertEquals(rule.id().value(), add.get().getCookie().getValue(), "the cookie is ONOS's FlowId");
            assertEquals(rule.priority(), add.get().getPriority());
            assertEquals(Set.of(OFFlowModFlags.SEND_FLOW_REM), add.get().getFlags());
        }
    }

    @Test
    void everyRuleOfTheSamplePolicyHasItsFlowMod() {
        List<FlowRule> rules = compile(PolicyCodec.parse(SampleConfig.hospital()));
        assertWritable(rules);
        FlowRule clinical = rules.stream().filter(r -> r.treatment().metered() != null
                && r.treatment().metered().meterId().equals(MeterId.meterId(1))).findFirst().orElseThrow();
        String text = OpenFlowRuleWriter.flowAdd(OF13, clinical).orElseThrow().toString();
        assertTrue(text.contains("meterId=1"), text);
        assertTrue(text.contains("OFOxmIpDscpVer13(value=0x2e)"), text);   // EF, 46
        assertTrue(text.contains("OFActionSetQueueVer13(queueId=0)"), text);
        assertTrue(text.contains("port=normal"), text);
        FlowRule blocked = rules.stream().filter(r -> r.treatment().metered() == null
                && r.treatment().immediate().stream().anyMatch(i -> i.type().name().equals("NOACTION")))
                .findFirst().orElseThrow();
        assertEquals(List.of(), OpenFlowRuleWriter.flowAdd(OF13, blocked).orElseThrow().getInstructions(),
                "a drop rule has no instruction, as ONOS builds it");
    }

    @Test
    void dualStackAndBreakoutRulesHaveTheirFlowMods() {
        assertWritable(compile(PolicyCodec.parse(SampleConfig.withBreakout())));
        Path twoUplinks = Path.of("../topologies/two-uplinks-netcfg.json");
        assertWritable(compile(PolicyCodec.parse(SampleConfig.block(twoUplinks))));
    }
}
