package org.carelane.testing;

import com.google.common.collect.ImmutableMap;
import org.onosproject.cluster.NodeId;
import org.onosproject.mastership.MastershipEvent;
import org.onosproject.mastership.MastershipInfo;
import org.onosproject.mastership.MastershipListener;
import org.onosproject.mastership.MastershipServiceAdapter;
import org.onosproject.net.DeviceId;
import org.onosproject.net.MastershipRole;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Mastership of a cluster: one master per device, every node's listeners hear
 * MASTER_CHANGED when it moves, as ONOS's MastershipManager delivers it on every node.
 */
public final class TestMastership {
    private final Map<DeviceId, NodeId> masters = new ConcurrentHashMap<>();
    /** The term number of each device's mastership: it grows with every change of master. */
    private final Map<DeviceId, Long> terms = new ConcurrentHashMap<>();
    private final List<MastershipListener> listeners = new CopyOnWriteArrayList<>();
    /** The nodes a device's switch is connected to; a device not here is connected to every node. */
    private final Map<DeviceId, java.util.Set<NodeId>> connections = new ConcurrentHashMap<>();

    /** Makes {@code node} master of {@code device} and tells every node. */
    public void setMaster(DeviceId device, String node) {
        NodeId before = masters.put(device, NodeId.nodeId(node));
        if (!NodeId.nodeId(node).equals(before)) {
            long term = terms.merge(device, 1L, Long::sum);
            MastershipEvent event = new MastershipEvent(MastershipEvent.Type.MASTER_CHANGED, device,
                    new MastershipInfo(term, Optional.of(NodeId.nodeId(node)), ImmutableMap.of()));
            listeners.forEach(l -> l.event(event));
        }
    }

    /** No node masters the device any more (its switch is connected to none), as ONOS tells it. */
    public void clearMaster(DeviceId device) {
        if (masters.remove(device) != null) {
            long term = terms.merge(device, 1L, Long::sum);
            MastershipEvent event = new MastershipEvent(MastershipEvent.Type.MASTER_CHANGED, device,
                    new MastershipInfo(term, Optional.empty(), ImmutableMap.of()));
            listeners.forEach(l -> l.event(event));
        }
    }

    /**
     * The device's switch is connected to these nodes only (none: to no node). ONOS 2.7.0 still
     * names masters among the others: DeviceManager's mastership check and a relinquishing
     * node hand the role on, and a node named master relinquishes only when it notices it
     * cannot reach the switch.
     */
    public void connectOnly(DeviceId device, String... nodes) {
        java.util.Set<NodeId> to = ConcurrentHashMap.newKeySet();
        for (String n : nodes) {
            to.add(NodeId.nodeId(n));
        }
        connections.put(device, to);
    }

    /**
     * True if the device has a master and that node holds a connection to its switch: what
     * ONOS needs to send it anything. With no master, ECFlowRuleStore.storeBatch fails the
     * batch ("No master for"); a master without the connection fails it in
     * OpenFlowRuleProvider.executeBatch (no switch for the dpid).
     */
    public boolean masterReaches(DeviceId device) {
        NodeId master = masters.get(device);
        java.util.Set<NodeId> to = connections.get(device);
        return master != null && (to == null || to.contains(master));
    }

    /** The view of one node. */
    public MastershipServiceAdapter forNode(String node) {
        NodeId local = NodeId.nodeId(node);
        return new MastershipServiceAdapter() {
            @Override
            public MastershipRole getLocalRole(DeviceId deviceId) {
                return local.equals(masters.get(deviceId)) ? MastershipRole.MASTER : MastershipRole.STANDBY;
            }

            @Override
            public NodeId getMasterFor(DeviceId deviceId) {
                return masters.get(deviceId);
            }

            /** As ConsistentDeviceMastershipStore: the leadership term and the master. */
            @Override
            public MastershipInfo getMastershipFor(DeviceId deviceId) {
                return new MastershipInfo(terms.getOrDefault(deviceId, 0L),
                        Optional.ofNullable(masters.get(deviceId)), com.google.common.collect.ImmutableMap.of());
            }

            @Override
            public void addListener(MastershipListener listener) {
                listeners.add(listener);
            }

            @Override
            public void removeListener(MastershipListener listener) {
                listeners.remove(listener);
            }
        };
    }

    /**
     * A single-node view whose node is master of the devices {@code masterOf} accepts; the
     * others have no master.
     */
    public static MastershipServiceAdapter fixed(Predicate<DeviceId> masterOf) {
        return new MastershipServiceAdapter() {
            @Override
            public MastershipRole getLocalRole(DeviceId deviceId) {
                return masterOf.test(deviceId) ? MastershipRole.MASTER : MastershipRole.STANDBY;
            }

            @Override
            public NodeId getMasterFor(DeviceId deviceId) {
                return masterOf.test(deviceId) ? NodeId.nodeId("local") : null;
            }
        };
    }

    /**
     * ONOS 2.7.0's DeviceManager.roleCheck on a device whose provider never acknowledges a role,
     * as the OVSDB provider (its roleChanged is a TODO): 10-20 s after each role request it
     * relinquishes the mastership, then requests it again. Every node hears MASTER_CHANGED with
     * no master, then with a master again; here the same node, as when it alone holds a session.
     * {@code between} runs while the device has no master.
     */
    public void roleCheckRelinquishes(DeviceId device, Runnable between) {
        NodeId master = masters.get(device);
        clearMaster(device);
        between.run();
        if (master != null) {
            setMaster(device, master.toString());
        }
    }

    public Optional<NodeId> masterOf(DeviceId device) {
        return Optional.ofNullable(masters.get(device));
    }
}
