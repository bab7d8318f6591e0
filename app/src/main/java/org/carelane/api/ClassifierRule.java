package org.carelane.api;

import org.onlab.packet.IpPrefix;
import org.onosproject.net.ConnectPoint;

import java.util.List;

/**
 * One classifier rule. Every set field must match; unset fields are wildcards.
 * Prefix fields and the named lists they reference are OR-ed together.
 */
public record ClassifierRule(List<IpPrefix> srcPrefixes,
                             List<IpPrefix> dstPrefixes,
                             String srcPrefixList,
                             String dstPrefixList,
                             Integer ipProto,
                             Integer srcPort,
                             Integer dstPort,
                             Integer dscp,
                             ConnectPoint ingress) {

    public ClassifierRule {
        srcPrefixes = List.copyOf(srcPrefixes);
        dstPrefixes = List.copyOf(dstPrefixes);
    }

    /** A rule that matches all IPv4 traffic. */
    public static ClassifierRule matchAll() {
        return new ClassifierRule(List.of(), List.of(), null, null, null, null, null, null, null);
    }
}
