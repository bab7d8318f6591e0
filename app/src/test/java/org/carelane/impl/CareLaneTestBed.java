package org.carelane.impl;

import com.fasterxml.jackson.databind.JsonNode;
import org.carelane.store.DistributedCareLaneStore;
import org.carelane.store.TestStores;
import org.carelane.testing.FakeNetworkConfig;
import org.carelane.testing.MutableClock;
import org.carelane.testing.RecordingFlowRuleService;
import org.carelane.testing.RecordingMeterService;
import org.carelane.testing.TestMastership;
import org.onosproject.TestApplicationId;
import org.onosproject.core.ApplicationId;
import org.onosproject.core.CoreServiceAdapter;
import org.onosproject.net.DeviceId;
import org.onosproject.net.flow.FlowRuleService;
import org.onosproject.net.device.DeviceServiceAdapter;
import org.onosproject.net.device.DeviceEvent;
import org.onosproject.net.device.DeviceListener;
import org.onosproject.net.Device;
import org.onosproject.net.DefaultDevice;
import org.onosproject.net.provider.ProviderId;
import org.onlab.packet.ChassisId;

import java.time.Instant;

/**
 * The real CareLaneManager and store, wired to in-memory ONOS services. Used by the
 * unit tests and by the OVS harness that exports the produced rules and meters.
 */
public final class CareLaneTestBed implements AutoCloseable {
    public final RecordingFlowRuleService flows;
    /** Ports of every device in the doubles. */
    public static final int PORTS = 8;
    /** ONOS gives an app one id on every node of the cluster. */
    static final ApplicationId APP_ID = new TestApplicationId(CareLaneManager.APP_NAME);
    public final RecordingMeterService meters;
    public final FakeNetworkConfig netcfg;
    public final MutableClock clock;
    public final DistributedCareLaneStore store;
    public final CareLaneManager manager = new CareLaneManager();
    /** This node's OpenFlow controller: the switches of the devices it masters report deleted rules to it. */
    public final org.carelane.testing.TestOpenFlowController openFlow =
            new org.carelane.testing.TestOpenFlowController();
    /** This node's packet service: packet-ins from the switches of the devices it masters. */
    public final org.carelane.testing.TestPacketService packets = new org.carelane.testing.TestPacketService();
    /** Devices that DeviceService reports unavailable. */
    public final java.util.Set<DeviceId> offline = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.List<DeviceListener> deviceListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean active;
    /** The app's state in ONOS when the component stops: INSTALLED after a deactivation. */
    private volatile org.onosproject.app.ApplicationState appState = org.onosproject.app.ApplicationState.INSTALLED;

    public CareLaneTestBed(Instant start, JsonNode carelaneBlock) {
        this(start, carelaneBlock, new RecordingFlowRuleService(), new RecordingMeterService());
    }

    /** With services of the caller's, e.g. ones that also program a real switch. */
    public CareLaneTestBed(Instant start, JsonNode carelaneBlock, RecordingFlowRuleService flows,
                           RecordingMeterService meters) {
        this(start, carelaneBlock, flows, meters, TestStores.newStore(), d -> true);
    }

    /**
     * One node of a cluster: the store is shared with the other nodes, and this node is
     * master only of the devices {@code masterOf} accepts.
     */
    public CareLaneTestBed(Instant start, JsonNode carelaneBlock, RecordingFlowRuleService flows,
                           RecordingMeterService meters, DistributedCareLaneStore store,
                           java.util.function.Predicate<DeviceId> masterOf) {
        this(start, preloaded(carelaneBlock), flows, flows, meters, store, TestMastership.fixed(masterOf));
    }

    /**
     * One node of a cluster (see {@link TestCluster}): netcfg, flow and meter services and
     * mastership are the cluster's; the store is this node's, over the cluster's storage.
     *
     * @param nodeFlows the flow service as this node sees it
     */
    public CareLaneTestBed(Instant start, FakeNetworkConfig netcfg, RecordingFlowRuleService flows,
                           FlowRuleService nodeFlows, RecordingMeterService meters, DistributedCareLaneStore store,
                           org.onosproject.mastership.MastershipService mastership) {
        this(start, netcfg, flows, nodeFlows, meters, store, mastership, n -> n >= 1 && n <= PORTS);
    }

    /**
     * With devices whose ports are those {@code portExists} accepts: an offline export has no
     * switch to ask, so it takes every port the netcfg names to exist.
     */
    public CareLaneTestBed(Instant start, JsonNode carelaneBlock, java.util.function.LongPredicate portExists) {
        this(start, preloaded(carelaneBlock), new RecordingFlowRuleService(), null, new RecordingMeterService(),
                TestStores.newStore(), TestMastership.fixed(d -> true), portExists);
    }

    private CareLaneTestBed(Instant start, FakeNetworkConfig netcfg, RecordingFlowRuleService flows,
                            FlowRuleService nodeFlows, RecordingMeterService meters, DistributedCareLaneStore store,
                            org.onosproject.mastership.MastershipService mastership,
                            java.util.function.LongPredicate portExists) {
        this.flows = flows;
        this.meters = meters;
        this.store = store;
        this.netcfg = netcfg;
        clock = new MutableClock(start);
        manager.coreService = new CoreServiceAdapter() {
            @Override
            public ApplicationId registerApplication(String name) {
                return name.equals(CareLaneManager.APP_NAME) ? APP_ID : new TestApplicationId(name);
            }
        };
        manager.configRegistry = netcfg;
        manager.flowRuleService = nodeFlows == null ? flows : nodeFlows;
        manager.meterService = nodeFlows == null || nodeFlows == flows ? meters
                : meters.forNode(d -> mastership.isLocalMaster(d));
        manager.mastershipService = mastership;
        manager.deviceService = new DeviceServiceAdapter() {
            @Override
            public boolean isAvailable(DeviceId deviceId) {
                return !offline.contains(deviceId);
            }

            @Override
            public void addListener(DeviceListener listener) {
                deviceListeners.add(listener);
            }

            /** By default each device has ports 1 to {@link #PORTS}, as a small switch. */
            @Override
            public org.onosproject.net.Port getPort(DeviceId deviceId, org.onosproject.net.PortNumber portNumber) {
                return portExists.test(portNumber.toLong())
                        ? new org.onosproject.net.DefaultPort(null, portNumber, true) : null;
            }
        };
        manager.store = store;
        manager.driverService = new org.onosproject.net.driver.DriverServiceAdapter();
        manager.packetService = packets;
        manager.applicationService = new org.onosproject.app.ApplicationServiceAdapter() {
            @Override
            public org.onosproject.app.ApplicationState getState(ApplicationId id) {
                return appState;
            }
        };
        manager.setClock(clock);
        manager.meterGrace = java.time.Duration.ZERO;   // the doubles deliver in order at once
        // A rule reaches the switch only if its meter is there (ONOS knows it, and it was sent).
        flows.meterLookup = (device, meterId) -> meters.getMeter(device, meterId) != null
                && meters.onSwitch(device, meterId);
        openFlow.answerMeterConfig(meters::switchMeters);
        openFlow.onMeterDelete(meters::deleteFromSwitch);
        manager.bindOpenFlowController(openFlow);
        manager.bindMeterStore(meters.store());
        flows.onSwitchRemoval((device, rule) -> {
            if (active && mastership.isLocalMaster(device)) {
                openFlow.flowRemoved(device, rule);
            }
        });
        manager.activate();
        active = true;
    }

    private static FakeNetworkConfig preloaded(JsonNode carelaneBlock) {
        FakeNetworkConfig netcfg = new FakeNetworkConfig();
        netcfg.preload(carelaneBlock);
        return netcfg;
    }

    /** Delivers DEVICE_AVAILABILITY_CHANGED as ONOS does when a switch connects. */
    public void fireDeviceAvailable(DeviceId id) {
        fireDeviceEvent(DeviceEvent.Type.DEVICE_AVAILABILITY_CHANGED, id);
    }

    /** A listener blocked longer than this is ejected (ListenerRegistry.LIMIT, ONOS 2.7.0). */
    static final long LISTENER_LIMIT_MILLIS = 1_800;
    /** Listeners ONOS's watchdog removed for good. */
    public final java.util.List<DeviceListener> ejected = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Delivers a device event as ONOS's CoreEventDispatcher does: to the listeners whose
     * isRelevant accepts it, on the dispatcher's thread, and a listener whose event() blocks the
     * dispatcher past ListenerRegistry's limit (1.8 s, once the sink has run 5 s) is removed for good.
     */
    public void fireDeviceEvent(DeviceEvent.Type type, DeviceId id) {
        Device device = new DefaultDevice(new ProviderId("of", "test"), id, Device.Type.SWITCH, "ovs", "3.1",
                "3.1", "1", new ChassisId(1));
        DeviceEvent event = new DeviceEvent(type, device);
        for (DeviceListener l : deviceListeners) {
            if (!l.isRelevant(event)) {
                continue;
            }
            long start = System.nanoTime();
            l.event(event);
            if ((System.nanoTime() - start) / 1_000_000 > LISTENER_LIMIT_MILLIS) {
                deviceListeners.remove(l);
                ejected.add(l);
            }
        }
    }

    /** Stops this node's component with the app still ACTIVE, as when the ONOS node stops. */
    public void stopNode() {
        appState = org.onosproject.app.ApplicationState.ACTIVE;
        close();
    }

    /** Deactivates the app, as "onos-app deactivate" would. */
    @Override
    public void close() {
        if (active) {
            active = false;
            manager.deactivate();
        }
    }
}
