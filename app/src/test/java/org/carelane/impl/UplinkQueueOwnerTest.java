package org.carelane.impl;

import org.carelane.api.CareLaneStore;
import org.carelane.api.DeviceStatus;
import org.carelane.api.Profile;
import org.carelane.api.SlicePolicy;
import org.carelane.policy.PolicyCodec;
import org.carelane.store.SharedStorageService;
import org.carelane.store.TestStores;
import org.carelane.testing.TestMastership;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.onosproject.net.AnnotationKeys;
import org.onosproject.net.DefaultAnnotations;
import org.onosproject.net.DefaultDevice;
import org.onosproject.net.DefaultPort;
import org.onosproject.net.Device;
import org.onosproject.net.DeviceId;
import org.onosproject.net.Port;
import org.onosproject.net.PortNumber;
import org.onosproject.net.device.DeviceServiceAdapter;
import org.onosproject.net.provider.ProviderId;
import org.onlab.packet.ChassisId;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Uplink queues in a cluster. ONOS's OVSDB client exists only on a node that holds a session
 * with the switch's ovsdb-server; the queues were configured by the OpenFlow device's master,
 * which need not hold one. Now the master of the {@code ovsdb:} device does the work, from the
 * queue profile in the store, and every node shows the result.
 */
class UplinkQueueOwnerTest {
    private static final DeviceId OVSDB = DeviceId.deviceId("ovsdb:127.0.0.1");
    private static final String PORT = "gw-eth1";

    /**
     * One node's view of the switch's OVSDB through ONOS's drivers: its own session, or, on a
     * node without one, what ONOS 2.7.0's OvsdbQueueConfig and OvsdbQosConfig do with a null
     * client: getQueues() is empty, getQoses() null (none), and a write throws a
     * NullPointerException (OvsdbQueueConfig.addQueue, 2.7.0).
     */
    static final class NodeSession implements QueueConfigurator {
        private final UplinkQueuesTest.FakeOvsdb ovs;
        volatile boolean connected;
        /** While set, this node's OVSDB writes wait here (its session hangs; others' do not). */
        volatile java.util.concurrent.CountDownLatch hung;
        final List<String> writes = new java.util.concurrent.CopyOnWriteArrayList<>();

        NodeSession(UplinkQueuesTest.FakeOvsdb ovs) {
            this.ovs = ovs;
        }

        private void write(String what) {
            if (!connected) {
                throw new NullPointerException("no OVSDB client on this node");
            }
            writes.add(what);
            java.util.concurrent.CountDownLatch h = hung;
            if (h != null) {
                try {
                    h.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public Optional<String> unsupported(DeviceId ovsdb) {
            return Optional.empty();   // the device and its driver are cluster-wide
        }

        @Override
        public Set<String> queueNames(DeviceId ovsdb) {
            return connected ? ovs.queueNames(ovsdb) : Set.of();
        }

        @Override
        public Set<String> qosNames(DeviceId ovsdb) {
            return connected ? ovs.qosNames(ovsdb) : Set.of();
        }

        @Override
        public void addQueue(DeviceId ovsdb, String name, long minBps, long maxBps, long burstBits) {
            write("addQueue " + name);
            ovs.addQueue(ovsdb, name, minBps, maxBps, burstBits);
        }

        @Override
        public void addQos(DeviceId ovsdb, String name, long maxBps, Map<Long, String> queuesById) {
            write("addQos " + name);
            ovs.addQos(ovsdb, name, maxBps, queuesById);
        }

        @Override
        public void applyQos(DeviceId ovsdb, String portName, String qosName) {
            write("applyQos " + qosName);
            ovs.applyQos(ovsdb, portName, qosName);
        }

        @Override
        public void detachQos(DeviceId ovsdb, String portName) {
            write("detachQos " + portName);
            ovs.detachQos(ovsdb, portName);
        }

        @Override
        public void deleteQos(DeviceId ovsdb, String name) {
            write("deleteQos " + name);
            ovs.deleteQos(ovsdb, name);
        }

        @Override
        public void deleteQueue(DeviceId ovsdb, String name) {
            write("deleteQueue " + name);
            ovs.deleteQueue(ovsdb, name);
        }
    }

    /** One ONOS node: its store over the shared storage, its OVSDB session, its queue owner. */
    final class Node {
        final CareLaneStore store = TestStores.newStore(storage);
        final NodeSession session = new NodeSession(ovs);
        final UplinkQueues queues = new UplinkQueues(session, devices, UplinkQueues.Record.of(store),
                millis::incrementAndGet, Duration.ofSeconds(1));
        final UplinkQueueOwner owner;

        Node(String name) {
            owner = new UplinkQueueOwner(store, queues, mastership.forNode(name), devices);
        }

        void settle() throws Exception {
            queues.flush().get(5, TimeUnit.SECONDS);
        }
    }

    /** ONOS's devices, the same on every node: the uplink port's name, and the OVSDB device if known. */
    private volatile boolean ovsdbKnown = true;
    private final DeviceServiceAdapter devices = new DeviceServiceAdapter() {
        @Override
        public Port getPort(DeviceId deviceId, PortNumber portNumber) {
            return new DefaultPort(null, portNumber, true,
                    DefaultAnnotations.builder().set(AnnotationKeys.PORT_NAME, PORT).build());
        }

        @Override
        public Device getDevice(DeviceId deviceId) {
            return deviceId.equals(OVSDB) && ovsdbKnown ? new DefaultDevice(ProviderId.NONE, OVSDB,
                    Device.Type.CONTROLLER, "", "", "", "", new ChassisId()) : null;
        }
    };
    private final SharedStorageService storage = new SharedStorageService();
    private final TestMastership mastership = new TestMastership();
    private final UplinkQueuesTest.FakeOvsdb ovs = new UplinkQueuesTest.FakeOvsdb();
    private final AtomicLong millis = new AtomicLong(1_800_000_000_000L);
    private final Node n1 = new Node("n1");
    private final Node n2 = new Node("n2");
    private final SlicePolicy policy = UplinkQueuesTest.policy();
    private final DeviceId gateway = policy.devices().get(0).deviceId();

    @AfterEach
    void stop() {
        n1.owner.stop();
        n2.owner.stop();
    }

    /** Each node hears the store's QUEUES_WANTED for the device, as the reconciler hands it on. */
    private void wanted() throws Exception {
        for (Node n : List.of(n1, n2)) {
            n.owner.wanted(gateway);
            n.settle();
        }
    }

    /** n1 masters the switch, n2 holds the only OVSDB session and masters the ovsdb: device. */
    private void appliedByTheOvsdbMaster() throws Exception {
        mastership.setMaster(gateway, "n1");
        mastership.setMaster(OVSDB, "n2");
        n2.session.connected = true;
        n1.store.setPolicy(policy);
        n1.store.setQueueProfile(gateway, Optional.of(Profile.PEAK));   // n1: the device is in sync
        wanted();
    }

    /** The policy with social's peak cap at 6 Mbit/s instead of 4. */
    private static SlicePolicy socialCappedAt6Mbit() {
        var wider = UplinkQueuesTest.policyJson();
        ((com.fasterxml.jackson.databind.node.ObjectNode) wider.get("slices").get(2).get("rates").get("peak"))
                .put("maxKbps", 6000);
        return PolicyCodec.parse(wider);
    }

    @Test
    void theNodeHoldingTheOvsdbSessionAppliesTheQueuesAndEveryNodeShowsThem() throws Exception {
        appliedByTheOvsdbMaster();
        assertEquals(Map.of(0L, List.of(15_000_000L, 20_000_000L), 1L, List.of(1_000_000L, 20_000_000L),
                2L, List.of(4_000_000L, 4_000_000L)), ovs.onPort(PORT));
        assertEquals(List.of(), n1.session.writes, "the switch's master, without a session, writes nothing");
        for (Node n : List.of(n1, n2)) {
            DeviceStatus.Queues shown = n.store.queueStatus(gateway).orElseThrow();
            assertEquals("APPLIED", shown.state(), shown.reason().orElse(""));
            assertEquals(3, shown.queues().size());
            assertEquals(Optional.of(PORT), shown.port());
        }
    }

    @Test
    void whenTheOvsdbMasterDiesTheNextOneKeepsItsQueuesAppliesTheNextChangeAndCleansUp() throws Exception {
        appliedByTheOvsdbMaster();
        int adds = ovs.adds;
        n2.owner.stop();   // SIGKILL: no clean-up from n2
        n1.session.connected = true;
        mastership.setMaster(OVSDB, "n1");
        n1.owner.wantedAll();   // MASTER_CHANGED of the ovsdb: device
        n1.settle();
        assertEquals(adds, ovs.adds, "the same plan, applied by n2, is kept: no new generation");

        n1.store.setPolicy(socialCappedAt6Mbit());
        n1.owner.wantedAll();   // POLICY_CHANGED
        n1.settle();
        assertEquals(List.of(4_000_000L, 6_000_000L), ovs.onPort(PORT).get(2L), "n1 applies the next change");
        assertEquals(1, ovs.qoses.size(), "n2's generation is swept: " + ovs.qoses.keySet());

        n1.store.clearPolicy();   // the gateway leaves the policy
        n1.store.setQueueProfile(gateway, Optional.empty());
        n1.owner.wanted(gateway);
        n1.settle();
        assertTrue(ovs.portQos.isEmpty() && ovs.qoses.isEmpty() && ovs.queues.isEmpty(),
                ovs.qoses + " " + ovs.queues.keySet());
        assertEquals(Optional.empty(), n1.store.queueStatus(gateway));
    }

    @Test
    void aNodeThatLosesTheOvsdbMastershipStopsAndTheRecordStaysWithTheNewOwner() throws Exception {
        appliedByTheOvsdbMaster();
        n1.session.connected = true;
        mastership.setMaster(OVSDB, "n1");
        n2.owner.wantedAll();
        n2.settle();
        assertEquals(Set.of(), n2.queues.working(), "n2 forgets the device");
        assertEquals("APPLIED", n1.store.queueStatus(gateway).orElseThrow().state(), "and leaves the record");
        assertEquals(1, ovs.qoses.size());
    }

    @Test
    void anOvsdbDeviceOnosDoesNotKnowIsLeftToTheSwitchsMasterWhichSaysWhy() throws Exception {
        ovsdbKnown = false;
        mastership.setMaster(gateway, "n1");
        n1.session.connected = true;
        n1.store.setPolicy(policy);
        n1.store.setQueueProfile(gateway, Optional.of(Profile.OFF_PEAK));
        wanted();
        assertEquals(1, ovs.qoses.size());
        assertEquals(List.of(), n2.session.writes);
    }

    /**
     * Review: with the OVSDB device known but masterless (its session dropped everywhere), the
     * switch's master took the queues over, failed without a session, and overwrote the
     * record. Now nobody touches them until a node holds a session again.
     */
    @Test
    void whileTheOvsdbDeviceHasNoMasterNobodyTouchesTheQueuesUntilOneHoldsASession() throws Exception {
        appliedByTheOvsdbMaster();
        DeviceStatus.Queues before = n1.store.queueStatus(gateway).orElseThrow();
        mastership.clearMaster(OVSDB);
        n1.store.setPolicy(socialCappedAt6Mbit());
        for (Node n : List.of(n1, n2)) {
            n.owner.wantedAll();
            n.settle();
        }
        assertEquals(before, n1.store.queueStatus(gateway).orElseThrow(), "the record stays as it was");
        assertEquals(List.of(), n1.session.writes);

        n1.session.connected = true;
        mastership.setMaster(OVSDB, "n1");
        n1.owner.wantedOn(OVSDB);
        n1.settle();
        assertEquals(List.of(4_000_000L, 6_000_000L), ovs.onPort(PORT).get(2L), "the change lands then");
    }

    /**
     * Review: a release queued behind a hung OVSDB call let the old owner report FAILED over
     * the new owner's APPLIED once its call timed out. Release now acts at once.
     */
    @Test
    void anOwnerWhoseSessionHungAndThatLostTheOvsdbDeviceReportsNothingMore() throws Exception {
        appliedByTheOvsdbMaster();
        n2.session.hung = new java.util.concurrent.CountDownLatch(1);
        n1.store.setPolicy(socialCappedAt6Mbit());
        int writesBefore = n2.session.writes.size();
        n2.owner.wantedAll();   // n2's first OVSDB write hangs; its worker waits up to 1 s
        Thread.sleep(200);
        n1.session.connected = true;
        mastership.setMaster(OVSDB, "n1");
        n2.owner.wantedOn(OVSDB);
        n1.owner.wantedOn(OVSDB);
        n1.settle();
        DeviceStatus.Queues applied = n1.store.queueStatus(gateway).orElseThrow();
        assertEquals("APPLIED", applied.state());
        Thread.sleep(1300);   // n2's wait runs out
        n2.session.hung.countDown();
        n2.settle();
        Thread.sleep(200);
        assertEquals(applied, n1.store.queueStatus(gateway).orElseThrow(), "n2 wrote nothing over n1's record");
        assertEquals(writesBefore + 1, n2.session.writes.size(),
                "n2 went no further than its hung write: " + n2.session.writes);
    }

    /**
     * CI of 8887c73: with ovsdb-server paused, the queues never showed FAILED. ONOS re-asserts
     * the ovsdb: device's role every 10-20 s; its owner heard MASTER_CHANGED with no master,
     * released the device and dropped its work in flight, whose timeout then reported nothing.
     * Now a masterless moment changes no ownership.
     */
    @Test
    void onosReassertingTheOvsdbRoleLeavesTheOwnersWorkInFlightToReportItsTimeout() throws Exception {
        appliedByTheOvsdbMaster();
        n2.session.hung = new java.util.concurrent.CountDownLatch(1);
        n2.store.setPolicy(socialCappedAt6Mbit());
        n2.owner.wantedAll();   // n2's first OVSDB write hangs; its worker waits up to 1 s
        Thread.sleep(200);
        mastership.roleCheckRelinquishes(OVSDB, () -> {
            n1.owner.wantedOn(OVSDB);
            n2.owner.wantedOn(OVSDB);
            assertTrue(n2.queues.working().contains(gateway), "n2 keeps the device while nobody masters it");
        });
        n2.owner.wantedOn(OVSDB);   // MASTER_CHANGED: n2 again
        n2.settle();
        DeviceStatus.Queues failed = n1.store.queueStatus(gateway).orElseThrow();
        assertEquals("FAILED", failed.state());
        assertTrue(failed.reason().orElse("").contains("did not answer"), failed.toString());
        assertEquals(List.of(), n1.session.writes);

        n2.session.hung.countDown();   // ovsdb-server answers again
        org.carelane.testing.Await.until(() -> n1.store.queueStatus(gateway).orElseThrow().state().equals("APPLIED"),
                Duration.ofSeconds(5));
        assertEquals(List.of(4_000_000L, 6_000_000L), ovs.onPort(PORT).get(2L));
    }

    @Test
    void aNodeThatNoLongerMastersTheSwitchRecordsNoQueueProfile() throws Exception {
        mastership.setMaster(gateway, "n1");
        n1.store.setPolicy(policy);
        n2.owner.inForce(gateway, Profile.PEAK);   // n2's backlog after losing the switch
        n1.owner.inForce(gateway, Profile.OFF_PEAK);
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (n1.store.queueProfile(gateway).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(100);
        assertEquals(Optional.of(Profile.OFF_PEAK), n1.store.queueProfile(gateway));
    }

    @Test
    void aNodeWithoutASessionCannotWriteAndEveryNodeSeesWhy() throws Exception {
        // The switch's master (n1) without an OVSDB session, as ONOS's client is absent there.
        mastership.setMaster(gateway, "n1");
        n1.store.setPolicy(policy);
        var d = policy.forDevice(gateway).orElseThrow();
        n1.queues.apply(d.device(), org.carelane.policy.QueuePlan.of(d.policy(), d.device(), Profile.PEAK))
                .get(5, TimeUnit.SECONDS);
        DeviceStatus.Queues shown = n2.store.queueStatus(gateway).orElseThrow();
        assertEquals("FAILED", shown.state());
        assertTrue(ovs.qoses.isEmpty());
    }
}
