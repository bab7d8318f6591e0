package org.carelane.impl;

import org.carelane.api.InstalledMeter;
import org.onosproject.net.DeviceId;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Packets and bytes CareLane's meters dropped, per device and slice. ONOS 2.7.0 keeps no
 * meter band counters (DistributedMeterStore.updateMeterState copies only packets and bytes
 * seen), so the counts come from the switches' meter-stats replies to ONOS's own poll (every
 * 10 s; see {@link OpenFlowMeterStatsListener}). A slice's count keeps growing across meter
 * swaps: a replaced meter's last reading is kept. Only the device's master sees the replies.
 */
final class MeterDrops {
    /** One meter's drop-band counters in one stats reply. */
    static final class Reading {
        final long meterId;
        /** How long the meter has existed: orders replies that ONOS handles out of order. */
        final long durationNanos;
        final long packets;
        final long bytes;

        Reading(long meterId, long durationNanos, long packets, long bytes) {
            this.meterId = meterId;
            this.durationNanos = durationNanos;
            this.packets = packets;
            this.bytes = bytes;
        }
    }

    /** The latest reading of one installed meter. */
    private static final class Tracked {
        final String slice;
        final InstalledMeter meter;
        Reading last;

        Tracked(String slice, InstalledMeter meter, Reading last) {
            this.slice = slice;
            this.meter = meter;
            this.last = last;
        }
    }

    private final Function<DeviceId, Map<String, InstalledMeter>> installed;
    private final Map<DeviceId, Map<Long, Tracked>> current = new HashMap<>();
    private final Map<DeviceId, Map<String, long[]>> retired = new HashMap<>();

    /** @param installed CareLane's meters of a device, by slice */
    MeterDrops(Function<DeviceId, Map<String, InstalledMeter>> installed) {
        this.installed = installed;
    }

    /** Takes the readings of one stats reply (or part of one) from a device. */
    void record(DeviceId device, List<Reading> readings) {
        Map<Long, Map.Entry<String, InstalledMeter>> byId = new HashMap<>();
        installed.apply(device).forEach((slice, m) -> byId.put(m.meterId(), Map.entry(slice, m)));
        synchronized (this) {
            Map<Long, Tracked> tracked = current.computeIfAbsent(device, d -> new HashMap<>());
            tracked.values().removeIf(t -> {
                Map.Entry<String, InstalledMeter> now = byId.get(t.meter.meterId());
                if (now != null && now.getValue().equals(t.meter)) {
                    return false;
                }
                long[] r = retired.computeIfAbsent(device, d -> new HashMap<>())
                        .computeIfAbsent(t.slice, s -> new long[2]);
                r[0] += t.last.packets;
                r[1] += t.last.bytes;
                return true;
            });
            for (Reading reading : readings) {
                Map.Entry<String, InstalledMeter> meter = byId.get(reading.meterId);
                if (meter == null) {
                    continue;   // not CareLane's, or already replaced
                }
                Tracked t = tracked.get(reading.meterId);
                if (t == null) {
                    tracked.put(reading.meterId, new Tracked(meter.getKey(), meter.getValue(), reading));
                } else if (reading.durationNanos >= t.last.durationNanos) {
                    t.last = reading;   // a reply handled late is older: ignored
                }
            }
        }
    }

    /** {packets, bytes} dropped by a slice's meters on a device, as last reported. */
    synchronized long[] dropped(DeviceId device, String slice) {
        long[] out = retired.getOrDefault(device, Map.of()).getOrDefault(slice, new long[2]).clone();
        for (Tracked t : current.getOrDefault(device, Map.of()).values()) {
            if (t.slice.equals(slice)) {
                out[0] += t.last.packets;
                out[1] += t.last.bytes;
            }
        }
        return out;
    }

    /** True if a meter-stats reply of the device has reached this node. */
    synchronized boolean seen(DeviceId device) {
        return current.containsKey(device) || retired.containsKey(device);
    }

    synchronized void forget(DeviceId device) {
        current.remove(device);
        retired.remove(device);
    }
}
