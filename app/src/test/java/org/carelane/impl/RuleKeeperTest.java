package org.carelane.impl;

import org.carelane.testing.RecordingFlowRuleService;
import org.carelane.testing.TestMastership;
import org.junit.jupiter.api.Test;
import org.onosproject.net.DeviceId;
import org.onosproject.net.flow.DefaultFlowRule;
import org.onosproject.net.flow.DefaultTrafficSelector;
import org.onosproject.net.flow.DefaultTrafficTreatment;
import org.onosproject.net.flow.FlowRule;
import org.onosproject.openflow.controller.Dpid;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.U64;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which deleted rules the keeper puts back, from the FLOW_REMOVED messages a switch sends. */
class RuleKeeperTest {
    private static final DeviceId GW = DeviceId.deviceId("of:0000000000000001");
    private static final DeviceId OTHER = DeviceId.deviceId("of:0000000000000002");
    private static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);
    private final RecordingFlowRuleService flows = new RecordingFlowRuleService();
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final RuleKeeper keeper = new RuleKeeper(flows, TestMastership.fixed(GW::equals), now::get);
    private final RetiredCounters retired = new RetiredCounters();
    private final OpenFlowRuleRemovedListener listener =
            new OpenFlowRuleRemovedListener(CareLaneTestBed.APP_ID, keeper, retired, Runnable::run,
                    new org.onosproject.TestApplicationId("names"), (device, rule) -> { });

    private static FlowRule rule(DeviceId device, int priority) {
        return DefaultFlowRule.builder().forDevice(device).fromApp(CareLaneTestBed.APP_ID).withPriority(priority)
                .withSelector(DefaultTrafficSelector.builder().matchEthType((short) 0x0800).build())
                .withTreatment(DefaultTrafficTreatment.builder().drop().build()).makePermanent().build();
    }

    private void removed(DeviceId device, long cookie, OFFlowRemovedReason reason) {
        listener.handleMessage(Dpid.dpid(device.uri()), OF13.buildFlowRemoved().setCookie(U64.of(cookie))
                .setReason(reason).setMatch(OF13.buildMatch().build()).build());
    }

    /** A staged boundary's shadow that the switch expired: its final counters stay with its slice. */
    @Test
    void anExpiredShadowsCountersAreRetiredUnderItsSlice() {
        FlowRule shadow = rule(GW, org.carelane.policy.FlowCompiler.STAGE_BASE_PRIORITY + 2 * 300 + 1);
        listener.handleMessage(Dpid.dpid(GW.uri()), OF13.buildFlowRemoved().setCookie(U64.of(shadow.id().value()))
                .setPriority(shadow.priority()).setReason(OFFlowRemovedReason.HARD_TIMEOUT)
                .setByteCount(U64.of(123_456)).setPacketCount(U64.of(789)).setMatch(OF13.buildMatch().build()).build());
        assertEquals(123_456, retired.of(GW, 300)[0]);
        assertEquals(789, retired.of(GW, 300)[1]);
        assertEquals(0, flows.adds, "not put back");
    }

    @Test
    void aWantedRuleDeletedOnAMasteredDeviceGoesBackOncePerInterval() {
        flows.startTerm(GW);   // a new master's flow store, not synced: it knows none of the rules
        FlowRule wanted = rule(GW, 1100);
        keeper.want(GW, List.of(wanted));
        removed(GW, wanted.id().value(), OFFlowRemovedReason.DELETE);
        assertEquals(1, flows.adds);
        assertEquals(1, flows.switchRules(GW).size(), "back on the switch");
        removed(GW, wanted.id().value(), OFFlowRemovedReason.DELETE);
        assertEquals(1, flows.adds, "not again within " + RuleKeeper.RESTORE_INTERVAL_MILLIS + " ms");
        now.addAndGet(RuleKeeper.RESTORE_INTERVAL_MILLIS);
        removed(GW, wanted.id().value(), OFFlowRemovedReason.DELETE);
        assertEquals(2, flows.adds);
        assertEquals(2, keeper.restoredRules());
    }

    @Test
    void otherRulesReasonsAndDevicesAreLeftAlone() {
        FlowRule wanted = rule(GW, 1100);
        FlowRule elsewhere = rule(OTHER, 1100);
        keeper.want(GW, List.of(wanted));
        keeper.want(OTHER, List.of(elsewhere));
        removed(GW, rule(GW, 1200).id().value(), OFFlowRemovedReason.DELETE);       // not wanted: an old generation
        removed(GW, (7L << 48) | 1, OFFlowRemovedReason.DELETE);                      // another app's rule
        removed(GW, wanted.id().value(), OFFlowRemovedReason.IDLE_TIMEOUT);          // not a deletion
        removed(OTHER, elsewhere.id().value(), OFFlowRemovedReason.DELETE);          // another node's device
        keeper.forget(GW);
        removed(GW, wanted.id().value(), OFFlowRemovedReason.DELETE);                // the device was cleared
        assertEquals(0, flows.adds);
        assertEquals(0, keeper.restoredRules());
    }

    @Test
    void aRuleOnosKnowsIsLeftToOnosWhichPutsItBackItself() {
        FlowRule wanted = rule(GW, 1100);
        flows.applyFlowRules(wanted);
        keeper.want(GW, List.of(wanted));
        removed(GW, wanted.id().value(), OFFlowRemovedReason.DELETE);
        assertEquals(1, flows.adds, "only the first add");
        assertEquals(0, keeper.restoredRules());
    }

    @Test
    void aFailedNewGenerationIsNoLongerWantedButTheOneBeforeIs() {
        flows.startTerm(GW);
        FlowRule working = rule(GW, 1100);
        FlowRule next = rule(GW, 3100);
        keeper.want(GW, List.of(working));
        var before = keeper.wantAlso(GW, List.of(next));
        assertEquals(Set.of(working.id().value(), next.id().value()), Set.copyOf(keeper.wantedCookies(GW)));
        keeper.wantAgain(GW, before);
        removed(GW, next.id().value(), OFFlowRemovedReason.DELETE);   // the failed attempt's undo
        assertEquals(0, flows.adds);
        removed(GW, working.id().value(), OFFlowRemovedReason.DELETE);
        assertEquals(1, flows.adds);
    }
}
