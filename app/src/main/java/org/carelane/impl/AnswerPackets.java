package org.carelane.impl;

import org.carelane.names.DnsMessage;
import org.onlab.packet.Data;
import org.onlab.packet.DeserializationException;
import org.onlab.packet.Ethernet;
import org.onlab.packet.IPv4;
import org.onlab.packet.IPv6;
import org.onlab.packet.IpAddress;
import org.onlab.packet.UDP;
import org.onosproject.net.DeviceId;
import org.onosproject.net.PortNumber;
import org.onosproject.net.flow.DefaultTrafficTreatment;
import org.onosproject.net.packet.DefaultOutboundPacket;
import org.onosproject.net.packet.PacketService;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.Set;

/** DNS answers as packets: which packet-ins are answers from the site's resolvers, and sending them on. */
final class AnswerPackets {
    static final int DNS_PORT = 53;

    /** One answer: where it came in, its frame, its DNS message's bytes, and its client. */
    static final class Answer {
        final DeviceId device;
        final PortNumber inPort;
        final byte[] frame;
        final byte[] dns;
        final IpAddress client;
        final long receivedNanos = System.nanoTime();

        Answer(DeviceId device, PortNumber inPort, byte[] frame, byte[] dns, IpAddress client) {
            this.device = device;
            this.inPort = inPort;
            this.frame = frame;
            this.dns = dns;
            this.client = client;
        }
    }

    private final PacketService packets;

    AnswerPackets(PacketService packets) {
        this.packets = packets;
    }

    /** The UDP answer from one of the resolvers in a parsed frame, if it is one. */
    static Optional<UDP> fromResolver(Ethernet eth, Set<IpAddress> resolvers) {
        if (eth == null) {
            return Optional.empty();
        }
        IpAddress src;
        Object payload;
        if (eth.getEtherType() == Ethernet.TYPE_IPV4 && eth.getPayload() instanceof IPv4) {
            IPv4 ip = (IPv4) eth.getPayload();
            if (ip.getProtocol() != IPv4.PROTOCOL_UDP) {
                return Optional.empty();
            }
            src = IpAddress.valueOf(ip.getSourceAddress());
            payload = ip.getPayload();
        } else if (eth.getEtherType() == Ethernet.TYPE_IPV6 && eth.getPayload() instanceof IPv6) {
            IPv6 ip = (IPv6) eth.getPayload();
            if (ip.getNextHeader() != IPv6.PROTOCOL_UDP) {
                return Optional.empty();
            }
            src = IpAddress.valueOf(IpAddress.Version.INET6, ip.getSourceAddress());
            payload = ip.getPayload();
        } else {
            return Optional.empty();
        }
        if (!(payload instanceof UDP) || ((UDP) payload).getSourcePort() != DNS_PORT || !resolvers.contains(src)) {
            return Optional.empty();
        }
        return Optional.of((UDP) payload);
    }

    /** The destination (the client) of an IPv4 or IPv6 frame. */
    static IpAddress client(Ethernet eth) {
        if (eth.getPayload() instanceof IPv4) {
            return IpAddress.valueOf(((IPv4) eth.getPayload()).getDestinationAddress());
        }
        return IpAddress.valueOf(IpAddress.Version.INET6, ((IPv6) eth.getPayload()).getDestinationAddress());
    }

    /** Sends the answer on as the switch would have: NORMAL, as if it came in where it did. */
    void release(Answer answer) {
        send(answer, answer.frame);
    }

    /** Sends the answer on as an NXDOMAIN for its question. */
    void releaseAsNxdomain(Answer answer, DnsMessage message) {
        send(answer, nxdomain(answer.frame, message));
    }

    private void send(Answer answer, byte[] frame) {
        packets.emit(new DefaultOutboundPacket(answer.device, DefaultTrafficTreatment.builder()
                .setOutput(PortNumber.NORMAL).build(), ByteBuffer.wrap(frame), answer.inPort));
    }

    /** The frame, its DNS message replaced by the NXDOMAIN, lengths and checksums redone. */
    static byte[] nxdomain(byte[] frame, DnsMessage message) {
        Ethernet copy;
        try {
            copy = Ethernet.deserializer().deserialize(frame, 0, frame.length);
        } catch (DeserializationException e) {
            throw new IllegalArgumentException(e);
        }
        UDP udp = (UDP) copy.getPayload().getPayload();
        udp.setPayload(new Data(message.nxdomain()));
        udp.resetChecksum();
        if (copy.getPayload() instanceof IPv4) {
            ((IPv4) copy.getPayload()).resetChecksum();
        }
        return copy.serialize();
    }
}
