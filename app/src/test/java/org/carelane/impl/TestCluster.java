package org.carelane.impl;

import com.fasterxml.jackson.databind.JsonNode;
import org.carelane.store.SharedStorageService;
import org.carelane.store.TestStores;
import org.carelane.testing.FakeNetworkConfig;
import org.carelane.testing.RecordingFlowRuleService;
import org.carelane.testing.RecordingMeterService;
import org.carelane.testing.TestMastership;
import org.onosproject.net.DeviceId;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Several CareLane nodes as ONOS runs them: each with its own manager and store component,
 * sharing the cluster's storage (with its map events), netcfg, flow and meter services, and
 * mastership (one master per device, MASTER_CHANGED heard by every node).
 */
final class TestCluster implements AutoCloseable {
    final SharedStorageService storage = new SharedStorageService();
    final FakeNetworkConfig netcfg = new FakeNetworkConfig();
    final RecordingFlowRuleService flows = new RecordingFlowRuleService();
    final RecordingMeterService meters = new RecordingMeterService();
    final TestMastership mastership = new TestMastership();
    private final Map<String, CareLaneTestBed> nodes = new LinkedHashMap<>();

    TestCluster(JsonNode carelaneBlock, Map<DeviceId, String> masters) {
        netcfg.preload(carelaneBlock);
        flows.masterNode = d -> mastership.masterOf(d).map(Object::toString).orElse("");
        masters.forEach(mastership::setMaster);
    }

    /** Starts CareLane on a node (the app activating there, or the node joining). */
    CareLaneTestBed start(String node, Instant at) {
        var view = mastership.forNode(node);
        CareLaneTestBed bed = new CareLaneTestBed(at, netcfg, flows,
                flows.forNode(view::isLocalMaster, mastership::masterReaches), meters,
                TestStores.newStore(storage), view);
        nodes.put(node, bed);
        return bed;
    }

    CareLaneTestBed node(String node) {
        return nodes.get(node);
    }

    /** Stops a node with the app still active (ONOS shutting down there); it leaves the cluster. */
    void stopNode(String node) {
        nodes.remove(node).stopNode();
    }

    /**
     * Waits until the whole cluster is quiet: one node's store write reaches the others as an
     * event, handled on their own threads, possibly after they were looked at; so passes repeat
     * until one starts no attempt anywhere and finds every node settled (10 s at most).
     */
    void awaitIdle() {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (true) {
            long before = attemptsStarted();
            nodes.values().forEach(n -> n.manager.awaitIdle());
            boolean quiet = attemptsStarted() == before && nodes.values().stream().allMatch(n -> n.manager.settled());
            // Tests that hold attempts (stalled batches, retries with backoff) are never quiet:
            // they get the cluster as it is after 10 s, and assert on that.
            if (quiet || System.nanoTime() - deadline > 0) {
                return;
            }
        }
    }

    private long attemptsStarted() {
        return nodes.values().stream().mapToLong(n -> n.manager.attemptsStarted()).sum();
    }

    /** Sets every node's clock. */
    void setTime(Instant at) {
        nodes.values().forEach(n -> n.clock.set(at));
    }

    /** Deactivates the app: ONOS stops the component on every node. */
    void deactivateApp() {
        List<CareLaneTestBed> all = new ArrayList<>(nodes.values());
        all.forEach(CareLaneTestBed::close);
    }

    @Override
    public void close() {
        deactivateApp();
    }
}
