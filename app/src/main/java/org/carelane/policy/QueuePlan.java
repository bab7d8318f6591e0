package org.carelane.policy;

import org.carelane.api.DeviceUplink;
import org.carelane.api.Profile;
import org.carelane.api.SliceDefinition;
import org.carelane.api.SlicePolicy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The queues a device's WAN uplink port needs in a profile: one per slice that has a queue id
 * and leaves by the uplink then, guaranteed its {@code minKbps} and capped at its
 * {@code maxKbps}, under a port rate of {@code uplinkKbps}.
 */
public final class QueuePlan {
    /**
     * One queue: its OpenFlow queue id (set_queue), its slice, its rates in bit/s, and its burst
     * in bits: the slice's burst time (as for its meter) at its max rate. Linux HTB's own
     * default burst is one MTU, with which a queue that lives on borrowed capacity (min 0)
     * starved under load in the lunchtime run.
     */
    public static final class Queue {
        private final long key;
        private final String slice;
        private final long minBps;
        private final long maxBps;
        private final long burstBits;

        Queue(long key, String slice, long minBps, long maxBps, long burstBits) {
            this.key = key;
            this.slice = slice;
            this.minBps = minBps;
            this.maxBps = maxBps;
            this.burstBits = burstBits;
        }

        public long key() {
            return key;
        }

        public String slice() {
            return slice;
        }

        public long minBps() {
            return minBps;
        }

        public long maxBps() {
            return maxBps;
        }

        public long burstBits() {
            return burstBits;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Queue && ((Queue) o).key == key && ((Queue) o).slice.equals(slice)
                    && ((Queue) o).minBps == minBps && ((Queue) o).maxBps == maxBps
                    && ((Queue) o).burstBits == burstBits;
        }

        @Override
        public int hashCode() {
            return Objects.hash(key, slice, minBps, maxBps, burstBits);
        }

        @Override
        public String toString() {
            return "queue " + key + " (" + slice + ") min " + minBps + " max " + maxBps + " bit/s, burst "
                    + burstBits + " bit";
        }
    }

    private final long portBps;
    private final List<Queue> queues;

    private QueuePlan(long portBps, List<Queue> queues) {
        this.portBps = portBps;
        this.queues = Collections.unmodifiableList(queues);
    }

    /** The plan for a device's uplink in a profile. */
    public static QueuePlan of(SlicePolicy policy, DeviceUplink device, Profile profile) {
        List<Queue> queues = new ArrayList<>();
        for (SliceDefinition s : policy.slices()) {
            if (s.drop() || s.queueId() == null || device.egressOf(s, profile).isPresent()) {
                continue;
            }
            long maxBps = s.rates(profile).maxKbps() * 1000;
            int burstMs = s.burstMs() != null ? s.burstMs() : policy.burstMs();
            queues.add(new Queue(s.queueId(), s.name(), s.rates(profile).minKbps() * 1000, maxBps,
                    maxBps * burstMs / 1000));
        }
        queues.sort(java.util.Comparator.comparingLong(Queue::key));
        return new QueuePlan(device.uplinkKbps() * 1000, queues);
    }

    /** The port's rate (the QoS max-rate), bit/s. */
    public long portBps() {
        return portBps;
    }

    /** By queue id. */
    public List<Queue> queues() {
        return queues;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QueuePlan && ((QueuePlan) o).portBps == portBps && ((QueuePlan) o).queues.equals(queues);
    }

    @Override
    public int hashCode() {
        return Objects.hash(portBps, queues);
    }

    @Override
    public String toString() {
        return "QueuePlan[" + portBps + " bit/s, " + queues + "]";
    }
}
