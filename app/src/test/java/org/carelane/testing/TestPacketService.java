package org.carelane.testing;

import org.onlab.packet.DeserializationException;
import org.onlab.packet.Ethernet;
import org.onosproject.net.ConnectPoint;
import org.onosproject.net.DeviceId;
import org.onosproject.net.PortNumber;
import org.onosproject.net.packet.DefaultInboundPacket;
import org.onosproject.net.packet.DefaultPacketContext;
import org.onosproject.net.packet.OutboundPacket;
import org.onosproject.net.packet.PacketProcessor;
import org.onosproject.net.packet.PacketServiceAdapter;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * ONOS 2.7.0's PacketManager as an app sees it: every processor gets every packet-in, in order
 * of priority (lowest value first), on the caller's thread, and a context a processor blocked
 * is handled for those after it; emit sends a packet-out.
 */
public final class TestPacketService extends PacketServiceAdapter {
    private final Map<Integer, PacketProcessor> processors = new ConcurrentSkipListMap<>();
    /** Packet-outs, in order. */
    public final List<OutboundPacket> emitted = new CopyOnWriteArrayList<>();
    /** Told of each packet-out as it is sent (e.g. to look at the switch then). */
    public volatile Consumer<OutboundPacket> onEmit = p -> { };

    @Override
    public void addProcessor(PacketProcessor processor, int priority) {
        processors.put(priority, processor);
    }

    @Override
    public void removeProcessor(PacketProcessor processor) {
        processors.values().remove(processor);
    }

    @Override
    public List<org.onosproject.net.packet.PacketProcessorEntry> getProcessors() {
        return new ArrayList<>();
    }

    @Override
    public void emit(OutboundPacket packet) {
        emitted.add(packet);
        onEmit.accept(packet);
    }

    /** A packet-in from a switch: returns true if a processor blocked (took) it. */
    public boolean receive(DeviceId device, PortNumber port, byte[] frame) {
        Ethernet parsed;
        try {
            parsed = Ethernet.deserializer().deserialize(frame, 0, frame.length);
        } catch (DeserializationException e) {
            throw new IllegalArgumentException(e);
        }
        DefaultInboundPacket in = new DefaultInboundPacket(new ConnectPoint(device, port), parsed,
                ByteBuffer.wrap(frame.clone()).asReadOnlyBuffer());
        DefaultPacketContext context = new DefaultPacketContext(System.currentTimeMillis(), in, null, false) {
            @Override
            public void send() {
                throw new UnsupportedOperationException("not modelled");
            }
        };
        processors.values().forEach(p -> p.process(context));
        return context.isHandled();
    }
}
