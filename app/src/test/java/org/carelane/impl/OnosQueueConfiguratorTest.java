package org.carelane.impl;

import org.junit.jupiter.api.Test;
import org.onosproject.net.DefaultDevice;
import org.onosproject.net.Device;
import org.onosproject.net.DeviceId;
import org.onosproject.net.device.DeviceServiceAdapter;
import org.onosproject.net.driver.Driver;
import org.onosproject.net.driver.DriverHandler;
import org.onosproject.net.driver.DriverServiceAdapter;
import org.onosproject.net.provider.ProviderId;
import org.onlab.packet.ChassisId;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link OnosQueueConfigurator} over behaviours that answer as ONOS 2.7.0's OVSDB drivers do:
 * OvsdbQueueConfig.addQueue and OvsdbQosConfig.addQoS return the client's result (false when
 * ovsdb-server refuses the transaction), and OvsdbQosConfig.getQoses returns null on a node
 * without a client.
 */
class OnosQueueConfiguratorTest {
    private static final DeviceId OVSDB = DeviceId.deviceId("ovsdb:127.0.0.1");

    private final List<String> calls = new ArrayList<>();
    private boolean accept = true;

    private <T> T behaviour(Class<T> type) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type}, (p, m, args) -> {
            calls.add(m.getName());
            switch (m.getName()) {
                case "addQueue":
                case "addQoS":
                    return accept;
                case "getQoses":
                    return null;
                case "getQueues":
                    return List.of();
                default:
                    return null;
            }
        }));
    }

    private final DriverHandler handler = (DriverHandler) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[]{DriverHandler.class}, (p, m, args) -> {
                switch (m.getName()) {
                    case "hasBehaviour":
                        return true;
                    case "behaviour":
                        return behaviour((Class<?>) args[0]);
                    case "driver":
                        return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Driver.class},
                                (d, dm, da) -> "name".equals(dm.getName()) ? "ovs" : null);
                    default:
                        return null;
                }
            });

    private final OnosQueueConfigurator configurator = new OnosQueueConfigurator(new DriverServiceAdapter() {
        @Override
        public DriverHandler createHandler(DeviceId deviceId, String... credentials) {
            return handler;
        }
    }, new DeviceServiceAdapter() {
        @Override
        public Device getDevice(DeviceId deviceId) {
            return new DefaultDevice(ProviderId.NONE, deviceId, Device.Type.CONTROLLER, "", "", "", "",
                    new ChassisId());
        }

        @Override
        public boolean isAvailable(DeviceId deviceId) {
            return true;
        }
    });

    @Test
    void aRefusedQueueOrQosIsAFailureNamingIt() {
        assertEquals(Optional.empty(), configurator.unsupported(OVSDB));
        configurator.addQueue(OVSDB, "carelane-1-q0", 1000, 2000, 300);
        configurator.addQos(OVSDB, "carelane-1", 2000, Map.of(0L, "carelane-1-q0"));
        accept = false;
        IllegalStateException queue = assertThrows(IllegalStateException.class,
                () -> configurator.addQueue(OVSDB, "carelane-2-q0", 1000, 2000, 300));
        assertTrue(queue.getMessage().contains("refused queue carelane-2-q0"), queue.getMessage());
        IllegalStateException qos = assertThrows(IllegalStateException.class,
                () -> configurator.addQos(OVSDB, "carelane-2", 2000, Map.of()));
        assertTrue(qos.getMessage().contains("refused QoS carelane-2"), qos.getMessage());
    }

    @Test
    void noQosListFromANodeWithoutAClientReadsAsNone() {
        assertEquals(Set.of(), configurator.qosNames(OVSDB));
        assertEquals(Set.of(), configurator.queueNames(OVSDB));
        configurator.applyQos(OVSDB, "gw-eth1", "carelane-1");
        configurator.detachQos(OVSDB, "gw-eth1");
        configurator.deleteQos(OVSDB, "carelane-1");
        configurator.deleteQueue(OVSDB, "carelane-1-q0");
        assertEquals(List.of("getQoses", "getQueues", "applyQoS", "removeQoS", "deleteQoS", "deleteQueue"), calls);
    }
}
