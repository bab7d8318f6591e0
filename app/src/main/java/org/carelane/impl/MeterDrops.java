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
    /**
     * One meter's counters in one stats reply: what entered it and what its drop band dropped,
     * read together, so that what it forwarded (the difference) is consistent.
     */
    static final class Reading {
        final long meterId;
        /** How long the meter has existed: orders replies that ONOS handles out of order. */
        final long durationNanos;
        final long packets;
        final long bytes;
        final long inPackets;
        final long inBytes;

        Reading(long meterId, long durationNanos, long packets, long bytes, long inPackets, long inBytes) {
            this.meterId = meterId;
            this.durationNanos = durationNanos;
            this.packets = packets;
            this.bytes = bytes;
            this.inPackets = inPackets;
            this.inBytes = inBytes;
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
                        .computeIfAbsent(t.slice, s -> new long[4]);
                add(r, t.last);
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

    private static void add(long[] sum, Reading r) {
        sum[0] += r.packets;
        sum[1] += r.bytes;
        sum[2] += r.inPackets;
        sum[3] += r.inBytes;
    }

    /** A slice's meter counters on a device: what its meters dropped and let through. */
    static final class Counts {
        private final long[] totals;

        /** @param totals {dropped packets, dropped bytes, packets in, bytes in} */
        private Counts(long[] totals) {
            this.totals = totals;
        }

        /** {packets, bytes} dropped, as last reported. */
        long[] dropped() {
            return new long[]{totals[0], totals[1]};
        }

        /**
         * {packets, bytes} forwarded: what entered the meters less what they dropped, both from
         * the same replies. Subtracting the drops from the flow counters instead mixes ONOS's
         * flow poll (5 s) with its meter poll (10 s), and over-counts.
         */
        long[] forwarded() {
            return new long[]{Math.max(0, totals[2] - totals[0]), Math.max(0, totals[3] - totals[1])};
        }
    }

    /** The counters of a slice's meters on a device, replaced ones included. */
    synchronized Counts counts(DeviceId device, String slice) {
        long[] out = retired.getOrDefault(device, Map.of()).getOrDefault(slice, new long[4]).clone();
        for (Tracked t : current.getOrDefault(device, Map.of()).values()) {
            if (t.slice.equals(slice)) {
                add(out, t.last);
            }
        }
        return new Counts(out);
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
