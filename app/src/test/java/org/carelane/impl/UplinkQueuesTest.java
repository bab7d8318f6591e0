package org.carelane.impl;

import org.carelane.api.DeviceUplink;
import org.carelane.api.Profile;
import org.carelane.api.SlicePolicy;
import org.carelane.policy.PolicyCodec;
import org.carelane.policy.QueuePlan;
import org.carelane.testing.SampleConfig;
import org.junit.jupiter.api.Test;
import org.onosproject.net.AnnotationKeys;
import org.onosproject.net.DefaultAnnotations;
import org.onosproject.net.DefaultPort;
import org.onosproject.net.DeviceId;
import org.onosproject.net.Port;
import org.onosproject.net.PortNumber;
import org.onosproject.net.device.DeviceServiceAdapter;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UplinkQueuesTest {
    static final DeviceId OVSDB = DeviceId.deviceId("ovsdb:127.0.0.1");

    /**
     * OVSDB as ONOS's client shows it: every add inserts a row, a new row is invisible to reads
     * for a few reads (the monitor update lags the transaction), and a QoS binds only the queues
     * already visible when it is added.
     */
    static final class FakeOvsdb implements QueueConfigurator {
        final Map<String, long[]> queues = new HashMap<>();
        final Map<String, Map<Long, String>> qoses = new HashMap<>();
        final Map<String, Long> qosRates = new HashMap<>();
        final Map<String, String> portQos = new HashMap<>();
        final Map<String, Integer> hiddenFor = new HashMap<>();
        String unsupported;
        int lag = 3;
        int adds;

        private Set<String> visible(Set<String> names) {
            names.forEach(n -> hiddenFor.computeIfPresent(n, (k, v) -> v - 1));
            return names.stream().filter(n -> hiddenFor.getOrDefault(n, 0) <= 0).collect(Collectors.toSet());
        }

        @Override
        public Optional<String> unsupported(DeviceId ovsdb) {
            return Optional.ofNullable(unsupported);
        }

        @Override
        public Set<String> queueNames(DeviceId ovsdb) {
            return visible(queues.keySet());
        }

        @Override
        public Set<String> qosNames(DeviceId ovsdb) {
            return visible(qoses.keySet());
        }

        /** While set, every call waits here, as ONOS's OVSDB client does on a paused server. */
        volatile java.util.concurrent.CountDownLatch paused;

        private void maybePaused() {
            java.util.concurrent.CountDownLatch p = paused;
            if (p != null) {
                try {
                    p.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void addQueue(DeviceId ovsdb, String name, long minBps, long maxBps, long burstBits) {
            maybePaused();
            adds++;
            queues.put(name, new long[]{minBps, maxBps, burstBits});
            hiddenFor.put(name, lag);
        }

        @Override
        public void addQos(DeviceId ovsdb, String name, long maxBps, Map<Long, String> queuesById) {
            adds++;
            Set<String> seen = queues.keySet().stream().filter(n -> hiddenFor.getOrDefault(n, 0) <= 0)
                    .collect(Collectors.toSet());
            Map<Long, String> bound = new HashMap<>();
            queuesById.forEach((id, q) -> {
                if (seen.contains(q)) {
                    bound.put(id, q);
                }
            });
            qoses.put(name, bound);
            qosRates.put(name, maxBps);
            hiddenFor.put(name, lag);
        }

        @Override
        public void applyQos(DeviceId ovsdb, String portName, String qosName) {
            if (qoses.containsKey(qosName) && hiddenFor.getOrDefault(qosName, 0) <= 0) {
                portQos.put(portName, qosName);
            }
        }

        @Override
        public void detachQos(DeviceId ovsdb, String portName) {
            portQos.remove(portName);
        }

        @Override
        public void deleteQos(DeviceId ovsdb, String name) {
            qoses.remove(name);
            portQos.values().removeIf(name::equals);
        }

        @Override
        public void deleteQueue(DeviceId ovsdb, String name) {
            queues.remove(name);
        }

        /** {queue id: [min, max]} of what the port's QoS holds. */
        Map<Long, List<Long>> onPort(String port) {
            Map<Long, List<Long>> out = new HashMap<>();
            qoses.get(portQos.get(port)).forEach((id, q) -> out.put(id, List.of(queues.get(q)[0], queues.get(q)[1])));
            return out;
        }
    }

    private final FakeOvsdb ovsdb = new FakeOvsdb();
    private final AtomicLong millis = new AtomicLong(1_800_000_000_000L);
    private final UplinkQueues queues = new UplinkQueues(ovsdb, new DeviceServiceAdapter() {
        @Override
        public Port getPort(DeviceId deviceId, PortNumber portNumber) {
            return portNumber.toLong() == 1 ? new DefaultPort(null, portNumber, true,
                    DefaultAnnotations.builder().set(AnnotationKeys.PORT_NAME, "gw-eth1").build()) : null;
        }
    }, UplinkQueues.Record.inMemory(), millis::incrementAndGet);

    static SlicePolicy policy() {
        return PolicyCodec.parse(policyJson());
    }

    /** The sample hospital, its uplink on port 1 with queues through {@link #OVSDB}. */
    static com.fasterxml.jackson.databind.node.ObjectNode policyJson() {
        var doc = SampleConfig.hospital();
        ((com.fasterxml.jackson.databind.node.ObjectNode) doc.get("devices").get(0)).put("uplinkPort", 1)
                .put("ovsdb", OVSDB.toString());
        return doc;
    }

    /**
     * ONOS's OVSDB calls wait without a timeout, so a paused ovsdb-server held CareLane's queue
     * thread, and every later queue change, for as long as it was paused, with /status saying
     * nothing. Now the change is reported FAILED after the timeout, and lands when OVSDB answers.
     */
    @Test
    void aPausedOvsdbIsReportedAndTheChangeLandsWhenItAnswers() throws Exception {
        UplinkQueues timed = new UplinkQueues(ovsdb, new DeviceServiceAdapter() {
            @Override
            public Port getPort(DeviceId deviceId, PortNumber portNumber) {
                return new DefaultPort(null, portNumber, true,
                        DefaultAnnotations.builder().set(AnnotationKeys.PORT_NAME, "gw-eth1").build());
            }
        }, UplinkQueues.Record.inMemory(), millis::incrementAndGet, java.time.Duration.ofMillis(200));
        SlicePolicy p = policy();
        DeviceUplink d = p.devices().get(0);
        ovsdb.paused = new java.util.concurrent.CountDownLatch(1);
        timed.apply(d, QueuePlan.of(p, d, Profile.OFF_PEAK)).get(2, java.util.concurrent.TimeUnit.SECONDS);
        UplinkQueues.Status failed = timed.status(d.deviceId()).orElseThrow();
        assertEquals(UplinkQueues.State.FAILED, failed.state);
        assertTrue(failed.reason.contains("did not answer"), failed.reason);
        // A later change queues behind it, and is answered promptly too.
        timed.apply(d, QueuePlan.of(p, d, Profile.PEAK)).get(2, java.util.concurrent.TimeUnit.SECONDS);
        ovsdb.paused.countDown();   // SIGCONT
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (timed.status(d.deviceId()).orElseThrow().state != UplinkQueues.State.APPLIED
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        UplinkQueues.Status applied = timed.status(d.deviceId()).orElseThrow();
        assertEquals(UplinkQueues.State.APPLIED, applied.state, String.valueOf(applied.reason));
        assertEquals(QueuePlan.of(p, d, Profile.PEAK), applied.plan, "the latest change, not the older one");
        assertEquals(1, ovsdb.qoses.size(), "one generation left: " + ovsdb.qoses.keySet());
        timed.stop();
    }

    private void apply(Profile profile) throws Exception {
        SlicePolicy p = policy();
        DeviceUplink d = p.devices().get(0);
        queues.apply(d, QueuePlan.of(p, d, profile)).get();
    }

    @Test
    void theUplinkGetsOneQueuePerSliceAtTheProfilesRatesAndTheyFollowTheProfile() throws Exception {
        apply(Profile.PEAK);
        // clinical queue 0, default 1, social 2 (sample config): min/max in bit/s at peak
        assertEquals(Map.of(0L, List.of(15_000_000L, 20_000_000L), 1L, List.of(1_000_000L, 20_000_000L),
                2L, List.of(4_000_000L, 4_000_000L)), ovsdb.onPort("gw-eth1"));
        assertEquals(20_000_000L, ovsdb.qosRates.get(ovsdb.portQos.get("gw-eth1")));
        String social = ovsdb.qoses.get(ovsdb.portQos.get("gw-eth1")).get(2L);
        assertEquals(1_200_000L, ovsdb.queues.get(social)[2], "burst: 300 ms at social's 4 Mbit/s, as its meter");
        DeviceId id = policy().devices().get(0).deviceId();
        assertEquals(UplinkQueues.State.APPLIED, queues.status(id).orElseThrow().state);

        apply(Profile.OFF_PEAK);
        assertEquals(Map.of(0L, List.of(10_000_000L, 20_000_000L), 1L, List.of(2_000_000L, 20_000_000L),
                2L, List.of(4_000_000L, 15_000_000L)), ovsdb.onPort("gw-eth1"));
        assertEquals(1, ovsdb.qoses.size(), "the peak generation is deleted: " + ovsdb.qoses.keySet());
        assertEquals(3, ovsdb.queues.size(), ovsdb.queues.keySet().toString());
        assertTrue(ovsdb.qoses.keySet().iterator().next().startsWith("carelane-0000000000000001-"));

        int adds = ovsdb.adds;
        apply(Profile.OFF_PEAK);
        assertEquals(adds, ovsdb.adds, "the same plan again changes nothing");
    }

    @Test
    void deactivationLeavesNoCareLaneQueueOrQos() throws Exception {
        apply(Profile.PEAK);
        queues.removeAndStop(queues.working(), Duration.ofSeconds(5));
        assertTrue(ovsdb.portQos.isEmpty() && ovsdb.qoses.isEmpty() && ovsdb.queues.isEmpty(),
                ovsdb.qoses + " " + ovsdb.queues.keySet());
    }

    @Test
    void aDeviceWithoutTheBehavioursIsReportedAndNothingIsWritten() throws Exception {
        ovsdb.unsupported = "ovsdb:127.0.0.1 has driver 'default', which lacks [QosConfigBehaviour]";
        apply(Profile.PEAK);
        UplinkQueues.Status s = queues.status(policy().devices().get(0).deviceId()).orElseThrow();
        assertEquals(UplinkQueues.State.UNSUPPORTED, s.state);
        assertTrue(s.reason.contains("lacks [QosConfigBehaviour]"), s.reason);
        assertEquals(0, ovsdb.adds);
    }
}
