package org.carelane.impl;

import org.onosproject.net.DeviceId;
import org.onosproject.net.flow.FlowEntry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bytes and packets of rules that a change replaced, by device and slice priority, so that a
 * slice's counters keep growing across rule generations. Counts are ONOS's last poll of each
 * rule (every 5 s), and this node's only: a new master starts from its own rules.
 */
final class RetiredCounters {
    private final Map<DeviceId, Map<Integer, long[]>> retired = new ConcurrentHashMap<>();

    /** Adds a removed rule's counters under its slice priority. */
    void retire(FlowEntry removed, int slicePriority) {
        retire(removed.deviceId(), slicePriority, removed.bytes(), removed.packets());
    }

    /** Adds the final counters a switch reported for a rule that expired (FLOW_REMOVED). */
    void retire(DeviceId device, int slicePriority, long bytes, long packets) {
        long[] c = retired.computeIfAbsent(device, d -> new ConcurrentHashMap<>())
                .computeIfAbsent(slicePriority, p -> new long[2]);
        synchronized (c) {
            c[0] += bytes;
            c[1] += packets;
        }
    }

    /** {bytes, packets} retired on a device for a slice priority. */
    long[] of(DeviceId device, int slicePriority) {
        long[] c = retired.getOrDefault(device, Map.of()).get(slicePriority);
        if (c == null) {
            return new long[2];
        }
        synchronized (c) {
            return c.clone();
        }
    }

    void forget(DeviceId device) {
        retired.remove(device);
    }
}
