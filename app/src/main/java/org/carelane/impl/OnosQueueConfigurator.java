package org.carelane.impl;

import org.onlab.util.Bandwidth;
import org.onosproject.net.DeviceId;
import org.onosproject.net.PortNumber;
import org.onosproject.net.behaviour.DefaultQosDescription;
import org.onosproject.net.behaviour.DefaultQueueDescription;
import org.onosproject.net.behaviour.PortConfigBehaviour;
import org.onosproject.net.behaviour.QosConfigBehaviour;
import org.onosproject.net.behaviour.QosDescription;
import org.onosproject.net.behaviour.QosId;
import org.onosproject.net.behaviour.QueueConfigBehaviour;
import org.onosproject.net.behaviour.QueueDescription;
import org.onosproject.net.behaviour.QueueId;
import org.onosproject.net.device.DefaultPortDescription;
import org.onosproject.net.device.DeviceService;
import org.onosproject.net.driver.Behaviour;
import org.onosproject.net.driver.DriverHandler;
import org.onosproject.net.driver.DriverService;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@link QueueConfigurator} through ONOS's device-configuration behaviours, which ONOS's OVSDB
 * drivers implement for Open vSwitch (QosConfigBehaviour, QueueConfigBehaviour and
 * PortConfigBehaviour of the "ovs" driver).
 */
final class OnosQueueConfigurator implements QueueConfigurator {
    private static final List<Class<? extends Behaviour>> NEEDED =
            List.of(QosConfigBehaviour.class, QueueConfigBehaviour.class, PortConfigBehaviour.class);

    private final DriverService drivers;
    private final DeviceService devices;

    OnosQueueConfigurator(DriverService drivers, DeviceService devices) {
        this.drivers = drivers;
        this.devices = devices;
    }

    @Override
    public Optional<String> unsupported(DeviceId ovsdb) {
        if (devices.getDevice(ovsdb) == null) {
            return Optional.of("no OVSDB device " + ovsdb + " in ONOS (activate org.onosproject.ovsdb and "
                    + "org.onosproject.drivers.ovsdb, and point the switch's manager at ONOS: ovs-vsctl "
                    + "set-manager tcp:<onos>:6640)");
        }
        if (!devices.isAvailable(ovsdb)) {
            return Optional.of("OVSDB device " + ovsdb + " is not connected");
        }
        DriverHandler handler;
        try {
            handler = drivers.createHandler(ovsdb);
        } catch (RuntimeException e) {
            return Optional.of("no driver for " + ovsdb + ": " + e.getMessage());
        }
        List<String> missing = NEEDED.stream().filter(b -> !handler.hasBehaviour(b)).map(Class::getSimpleName)
                .collect(Collectors.toList());
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(ovsdb + " has driver '" + handler.driver().name() + "', which lacks " + missing
                + " (ONOS 2.7.0 reports OVSDB devices as unknown hardware, so they get 'default': bind 'ovs' "
                + "with netcfg devices.\"" + ovsdb + "\".basic.driver)");
    }

    private <T extends Behaviour> T behaviour(DeviceId ovsdb, Class<T> type) {
        return drivers.createHandler(ovsdb).behaviour(type);
    }

    @Override
    public Set<String> queueNames(DeviceId ovsdb) {
        return behaviour(ovsdb, QueueConfigBehaviour.class).getQueues().stream()
                .map(q -> q.queueId().name()).collect(Collectors.toSet());
    }

    @Override
    public Set<String> qosNames(DeviceId ovsdb) {
        var qoses = behaviour(ovsdb, QosConfigBehaviour.class).getQoses();
        return qoses == null ? Set.of() : qoses.stream().map(q -> q.qosId().name()).collect(Collectors.toSet());
    }

    @Override
    public void addQueue(DeviceId ovsdb, String name, long minBps, long maxBps, long burstBits) {
        if (!behaviour(ovsdb, QueueConfigBehaviour.class).addQueue(queue(name, minBps, maxBps, burstBits))) {
            throw new IllegalStateException("OVSDB " + ovsdb + " refused queue " + name);
        }
    }

    /** OVS's linux-htb queue: min-rate, max-rate and burst (bits) in other_config. */
    private static QueueDescription queue(String name, long minBps, long maxBps, long burstBits) {
        return DefaultQueueDescription.builder().queueId(QueueId.queueId(name))
                .type(EnumSet.of(QueueDescription.Type.MIN, QueueDescription.Type.MAX, QueueDescription.Type.BURST))
                .minRate(Bandwidth.bps(minBps)).maxRate(Bandwidth.bps(maxBps)).burst(burstBits).build();
    }

    @Override
    public void addQos(DeviceId ovsdb, String name, long maxBps, Map<Long, String> queuesById) {
        Map<Long, QueueDescription> queues = new HashMap<>();
        queuesById.forEach((id, queue) -> queues.put(id, DefaultQueueDescription.builder()
                .queueId(QueueId.queueId(queue)).type(EnumSet.noneOf(QueueDescription.Type.class)).build()));
        if (!behaviour(ovsdb, QosConfigBehaviour.class).addQoS(qos(name, maxBps, queues))) {
            throw new IllegalStateException("OVSDB " + ovsdb + " refused QoS " + name);
        }
    }

    private static QosDescription qos(String name, long maxBps, Map<Long, QueueDescription> queues) {
        return DefaultQosDescription.builder().qosId(QosId.qosId(name)).type(QosDescription.Type.HTB)
                .maxRate(Bandwidth.bps(maxBps)).queues(queues).build();
    }

    @Override
    public void applyQos(DeviceId ovsdb, String portName, String qosName) {
        behaviour(ovsdb, PortConfigBehaviour.class).applyQoS(port(portName),
                DefaultQosDescription.builder().qosId(QosId.qosId(qosName)).type(QosDescription.Type.HTB).build());
    }

    @Override
    public void detachQos(DeviceId ovsdb, String portName) {
        behaviour(ovsdb, PortConfigBehaviour.class).removeQoS(PortNumber.portNumber(0, portName));
    }

    private static DefaultPortDescription port(String portName) {
        // ONOS's OVSDB client finds the port row by the port number's name.
        return DefaultPortDescription.builder().withPortNumber(PortNumber.portNumber(0, portName)).build();
    }

    @Override
    public void deleteQos(DeviceId ovsdb, String name) {
        behaviour(ovsdb, QosConfigBehaviour.class).deleteQoS(QosId.qosId(name));
    }

    @Override
    public void deleteQueue(DeviceId ovsdb, String name) {
        behaviour(ovsdb, QueueConfigBehaviour.class).deleteQueue(QueueId.queueId(name));
    }
}
