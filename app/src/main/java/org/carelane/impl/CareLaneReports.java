package org.carelane.impl;

import org.carelane.api.BoardSummary;
import org.carelane.api.CareLaneStore;
import org.carelane.api.DeviceStatus;
import org.carelane.api.DeviceUplink;
import org.carelane.api.SlicePolicy;
import org.carelane.api.SliceStats;
import org.carelane.policy.FlowCompiler;
import org.onosproject.core.ApplicationId;
import org.onosproject.mastership.MastershipService;
import org.onosproject.net.DeviceId;
import org.onosproject.net.device.DeviceService;
import org.onosproject.net.flow.FlowEntry;
import org.onosproject.net.flow.FlowRuleService;
import org.onosproject.net.flow.FlowRuleStoreException;
import org.onosproject.net.meter.Meter;
import org.onosproject.net.meter.MeterId;
import org.onosproject.net.meter.MeterService;
import org.slf4j.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.slf4j.LoggerFactory.getLogger;

/**
 * What {@code /status} and {@code /stats} show of the devices: their sync state, rules and
 * meters, and the per-slice counters, read from ONOS's services and CareLane's store.
 */
final class CareLaneReports {
    private final Logger log = getLogger(getClass());
    private final ApplicationId appId;
    private final CareLaneStore store;
    private final FlowRuleService flowRuleService;
    private final MeterService meterService;
    private final DeviceService deviceService;
    private final MastershipService mastershipService;
    private final DeviceSyncTracker sync;
    private final RetiredCounters retired;

    CareLaneReports(ApplicationId appId, CareLaneStore store, FlowRuleService flowRuleService,
                    MeterService meterService, DeviceService deviceService, MastershipService mastershipService,
                    DeviceSyncTracker sync, RetiredCounters retired) {
        this.appId = appId;
        this.store = store;
        this.flowRuleService = flowRuleService;
        this.meterService = meterService;
        this.deviceService = deviceService;
        this.mastershipService = mastershipService;
        this.sync = sync;
        this.retired = retired;
    }

    /** One entry per device of the policy or with CareLane meters, in id order. */
    List<DeviceStatus> devices() {
        List<DeviceStatus> out = new ArrayList<>();
        for (DeviceId id : policyDevices()) {
            Integer rules = null;
            long added = 0;
            String unreadable = null;
            try {
                List<FlowEntry> entries = carelaneFlows(id);
                rules = entries.size();
                added = entries.stream().filter(e -> e.state() == FlowEntry.FlowEntryState.ADDED).count();
            } catch (FlowRuleStoreException e) {
                unreadable = unreadableFlows(e);
            }
            Map<String, DeviceStatus.Meter> meters = new java.util.LinkedHashMap<>();
            store.installedMeters(id).forEach((slice, m) -> {
                Meter live = meterService.getMeter(id, MeterId.meterId(m.meterId()));
                meters.put(slice, new DeviceStatus.Meter(m, live == null ? "UNKNOWN" : live.state().name()));
            });
            Optional<org.carelane.api.ShadowGeneration> shadow = store.shadow(id);
            Map<String, org.carelane.api.InstalledMeter> staged = store.stagedMeters(id);
            out.add(new DeviceStatus(id, deviceService.isAvailable(id), mastershipService.isLocalMaster(id),
                    sync.get(id).map(DeviceSyncTracker.Entry::toStatus).orElse(null),
                    store.queueStatus(id).orElse(null), rules, added, unreadable,
                    meters, shadow.isEmpty() && staged.isEmpty() ? null
                            : new DeviceStatus.Staged(shadow.orElse(null), staged)));
        }
        return out;
    }

    /**
     * The devices by health board (as the policy places them; "(none)" for the rest): in sync,
     * pending or failed here, programmed elsewhere, and the reason of the device that failed most.
     */
    List<BoardSummary> boards(List<DeviceStatus> devices) {
        Optional<SlicePolicy> policy = store.policy();
        if (policy.isEmpty() || policy.get().boards().isEmpty()) {
            return List.of();
        }
        Map<String, List<DeviceStatus>> byBoard = new java.util.TreeMap<>();
        for (DeviceStatus d : devices) {
            String board = policy.get().device(d.deviceId()).flatMap(DeviceUplink::board).orElse("(none)");
            byBoard.computeIfAbsent(board, b -> new ArrayList<>()).add(d);
        }
        List<BoardSummary> out = new ArrayList<>();
        byBoard.forEach((board, list) -> {
            int[] counts = new int[4];
            DeviceStatus.Sync worst = null;
            for (DeviceStatus d : list) {
                String state = d.sync().map(DeviceStatus.Sync::state).orElse(null);
                counts["IN_SYNC".equals(state) ? 0 : "PENDING".equals(state) ? 1 : "FAILED".equals(state) ? 2 : 3]++;
                if ("FAILED".equals(state) && (worst == null || d.sync().get().failures() > worst.failures())) {
                    worst = d.sync().get();
                }
            }
            out.add(new BoardSummary(board, list.size(), counts[0], counts[1], counts[2], counts[3],
                    worst == null ? null : worst.reason().orElse(null)));
        });
        return out;
    }

    /** Bytes, packets, rules and meters per slice, over the devices this node can read. */
    List<SliceStats> stats() {
        Optional<SlicePolicy> policy = store.policy();
        if (policy.isEmpty()) {
            return List.of();
        }
        Map<String, long[]> totals = new HashMap<>();
        policy.get().slices().forEach(s -> totals.put(s.name(), new long[4]));
        countersByDevice(policy.get()).values().forEach(bySlice -> bySlice.forEach((slice, c) -> {
            long[] t = totals.get(slice);
            for (int i = 0; i < 3; i++) {
                t[i] += c[i];
            }
        }));
        for (DeviceId id : store.devicesWithMeters()) {
            store.installedMeters(id).keySet().forEach(slice -> {
                long[] t = totals.get(slice);
                if (t != null) {
                    t[3]++;
                }
            });
        }
        List<SliceStats> out = new ArrayList<>();
        policy.get().slices().forEach(s -> {
            long[] c = totals.get(s.name());
            out.add(new SliceStats(s.name(), c[0], c[1], (int) c[2], (int) c[3]));
        });
        return out;
    }

    /**
     * {bytes, packets, rules} per slice of each device whose flows this node can read: its
     * current rules, and the rules that changes replaced (see {@link RetiredCounters}).
     */
    Map<DeviceId, Map<String, long[]>> countersByDevice(SlicePolicy policy) {
        Map<Integer, String> sliceByPriority = new HashMap<>();
        policy.slices().forEach(s -> sliceByPriority.put(s.priority(), s.name()));
        Map<DeviceId, Map<String, long[]>> out = new java.util.TreeMap<>(
                java.util.Comparator.comparing(DeviceId::toString));
        for (DeviceId id : policyDevices()) {
            List<FlowEntry> entries;
            try {
                entries = carelaneFlows(id);
            } catch (FlowRuleStoreException e) {
                log.debug("CareLane stats leave out {}: {}", id, unreadableFlows(e));
                continue;   // /status names the device and the reason
            }
            Map<String, long[]> counters = new java.util.LinkedHashMap<>();
            policy.slices().forEach(s -> counters.put(s.name(), new long[3]));
            for (FlowEntry e : entries) {
                long[] c = FlowCompiler.inBand(e.priority())
                        ? counters.get(sliceByPriority.get(FlowCompiler.slicePriority(e.priority()))) : null;
                if (c != null) {
                    c[0] += e.bytes();
                    c[1] += e.packets();
                    c[2]++;
                }
            }
            sliceByPriority.forEach((priority, slice) -> {
                long[] r = retired.of(id, priority);
                counters.get(slice)[0] += r[0];
                counters.get(slice)[1] += r[1];
            });
            out.put(id, counters);
        }
        return out;
    }

    /** The devices of the policy and those CareLane still has meters on, in id order. */
    Set<DeviceId> policyDevices() {
        Set<DeviceId> ids = new java.util.TreeSet<>(java.util.Comparator.comparing(DeviceId::toString));
        store.policy().ifPresent(p -> p.devices().forEach(d -> ids.add(d.deviceId())));
        ids.addAll(store.devicesWithMeters());
        return ids;
    }

    /**
     * CareLane's flow entries on one device. A node that is not the device's master asks the
     * master, and in ONOS 2.7.0 that fails for CareLane's rules: the flow store's serializer
     * (KryoNamespaces.API) does not register L3ModificationInstruction.ModDscpInstruction.
     *
     * @throws FlowRuleStoreException when ONOS cannot read them on this node
     */
    List<FlowEntry> carelaneFlows(DeviceId id) {
        List<FlowEntry> out = new ArrayList<>();
        for (FlowEntry e : flowRuleService.getFlowEntries(id)) {
            if (e.appId() == appId.id()) {
                out.add(e);
            }
        }
        return out;
    }

    private static String unreadableFlows(FlowRuleStoreException e) {
        return "ONOS could not read the device's flows on this node (ask its master): "
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }
}
