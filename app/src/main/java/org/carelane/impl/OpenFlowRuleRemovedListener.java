package org.carelane.impl;

import org.carelane.policy.FlowCompiler;
import org.onosproject.core.ApplicationId;
import org.onosproject.net.DeviceId;
import org.onosproject.net.flow.FlowId;
import org.onosproject.openflow.controller.Dpid;
import org.onosproject.openflow.controller.OpenFlowEventListener;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFType;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;

/**
 * Hands the switch's reports of deleted CareLane rules (FLOW_REMOVED, reason DELETE) to the
 * {@link RuleKeeper}, the final counters of a staged boundary's shadows, which the switch
 * expires (reason HARD_TIMEOUT), to the {@link RetiredCounters}, and deleted rules of the names
 * app to {@link NameLearning} (on its own thread). ONOS sets SEND_FLOW_REM on
 * every rule it installs, and its controller passes FLOW_REMOVED messages to its event
 * listeners; the switch sends them to its master.
 */
final class OpenFlowRuleRemovedListener implements OpenFlowEventListener {
    private final ApplicationId appId;
    private final RuleKeeper keeper;
    private final RetiredCounters retired;
    private final Executor carelane;
    private final ApplicationId namesAppId;
    private final BiConsumer<DeviceId, FlowId> namesDeleted;

    /**
     * @param carelane     the CareLane thread, where the keeper runs (never ONOS's OpenFlow threads)
     * @param namesDeleted told of each deleted rule of {@code namesAppId}; it must not block
     */
    OpenFlowRuleRemovedListener(ApplicationId appId, RuleKeeper keeper, RetiredCounters retired, Executor carelane,
                                ApplicationId namesAppId, BiConsumer<DeviceId, FlowId> namesDeleted) {
        this.appId = appId;
        this.keeper = keeper;
        this.retired = retired;
        this.carelane = carelane;
        this.namesAppId = namesAppId;
        this.namesDeleted = namesDeleted;
    }

    @Override
    public void handleMessage(Dpid dpid, OFMessage msg) {
        if (msg.getType() != OFType.FLOW_REMOVED) {
            return;
        }
        OFFlowRemoved removed = (OFFlowRemoved) msg;
        long cookie = removed.getCookie().getValue();
        DeviceId device = DeviceId.deviceId(Dpid.uri(dpid));
        // ONOS puts the app id in a rule's cookie's top 16 bits (DefaultFlowRule).
        short app = (short) (cookie >>> 48);
        if (app == namesAppId.id() && removed.getReason() == OFFlowRemovedReason.DELETE) {
            namesDeleted.accept(device, FlowId.valueOf(cookie));
            return;
        }
        if (app != appId.id()) {
            return;
        }
        if (removed.getReason() == OFFlowRemovedReason.HARD_TIMEOUT && FlowCompiler.shadow(removed.getPriority())) {
            retired.retire(device, FlowCompiler.slicePriority(removed.getPriority()),
                    removed.getByteCount().getValue(), removed.getPacketCount().getValue());
            return;
        }
        if (removed.getReason() != OFFlowRemovedReason.DELETE) {
            return;
        }
        try {
            carelane.execute(() -> keeper.removedFromSwitch(device, cookie));
        } catch (RejectedExecutionException e) {
            return;   // CareLane is stopping
        }
    }
}
