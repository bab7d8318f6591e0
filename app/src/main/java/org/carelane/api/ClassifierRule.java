package org.carelane.api;

import org.onlab.packet.IpPrefix;
import org.onosproject.net.ConnectPoint;

import java.util.List;
import java.util.Objects;

/**
 * One classifier rule. Every set field must match; unset fields are wildcards.
 * Prefix fields and the named lists they reference are OR-ed together.
 */
public final class ClassifierRule {
    private final List<IpPrefix> srcPrefixes;
    private final List<IpPrefix> dstPrefixes;
    private final String srcPrefixList;
    private final String dstPrefixList;
    private final Integer ipProto;
    private final Integer srcPort;
    private final Integer dstPort;
    private final Integer dscp;
    private final ConnectPoint ingress;
    /** Destinations by name: the addresses learned from DNS answers for the list's names. */
    private final String dstNameList;

    public ClassifierRule(List<IpPrefix> srcPrefixes, List<IpPrefix> dstPrefixes, String srcPrefixList,
                           String dstPrefixList, Integer ipProto, Integer srcPort, Integer dstPort, Integer dscp,
                           ConnectPoint ingress) {
        this(srcPrefixes, dstPrefixes, srcPrefixList, dstPrefixList, ipProto, srcPort, dstPort, dscp, ingress, null);
    }

    public ClassifierRule(List<IpPrefix> srcPrefixes, List<IpPrefix> dstPrefixes, String srcPrefixList,
                           String dstPrefixList, Integer ipProto, Integer srcPort, Integer dstPort, Integer dscp,
                           ConnectPoint ingress, String dstNameList) {
        this.dstNameList = dstNameList;
        this.srcPrefixes = List.copyOf(srcPrefixes);
        this.dstPrefixes = List.copyOf(dstPrefixes);

        this.srcPrefixList = srcPrefixList;
        this.dstPrefixList = dstPrefixList;
        this.ipProto = ipProto;
        this.srcPort = srcPort;
        this.dstPort = dstPort;
        this.dscp = dscp;
        this.ingress = ingress;
    }

    public List<IpPrefix> srcPrefixes() {
        return srcPrefixes;
    }

    public List<IpPrefix> dstPrefixes() {
        return dstPrefixes;
    }

    public String srcPrefixList() {
        return srcPrefixList;
    }

    public String dstPrefixList() {
        return dstPrefixList;
    }

    /** The name list whose learned addresses are this rule's destinations, or null. */
    public String dstNameList() {
        return dstNameList;
    }

    /** This rule with the destination {@code dst}: a learned address of its name list. */
    public ClassifierRule toLearned(IpPrefix dst) {
        return new ClassifierRule(srcPrefixes, List.of(dst), srcPrefixList, null, ipProto, srcPort, dstPort, dscp,
                ingress, null);
    }

    public Integer ipProto() {
        return ipProto;
    }

    public Integer srcPort() {
        return srcPort;
    }

    public Integer dstPort() {
        return dstPort;
    }

    public Integer dscp() {
        return dscp;
    }

    public ConnectPoint ingress() {
        return ingress;
    }

    /** A rule that matches all IPv4 traffic. */
    public static ClassifierRule matchAll() {
        return new ClassifierRule(List.of(), List.of(), null, null, null, null, null, null, null);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ClassifierRule)) {
            return false;
        }
        ClassifierRule other = (ClassifierRule) o;
        return Objects.equals(srcPrefixes, other.srcPrefixes)
                && Objects.equals(dstPrefixes, other.dstPrefixes)
                && Objects.equals(srcPrefixList, other.srcPrefixList)
                && Objects.equals(dstPrefixList, other.dstPrefixList)
                && Objects.equals(ipProto, other.ipProto)
                && Objects.equals(srcPort, other.srcPort)
                && Objects.equals(dstPort, other.dstPort)
                && Objects.equals(dscp, other.dscp)
                && Objects.equals(ingress, other.ingress)
                && Objects.equals(dstNameList, other.dstNameList);
    }

    @Override
    public int hashCode() {
        return Objects.hash(srcPrefixes, dstPrefixes, srcPrefixList, dstPrefixList,
                ipProto, srcPort, dstPort, dscp, ingress, dstNameList);
    }

    @Override
    public String toString() {
        return "ClassifierRule[srcPrefixes=" + srcPrefixes + ", dstPrefixes=" + dstPrefixes
                + ", srcPrefixList=" + srcPrefixList + ", dstPrefixList=" + dstPrefixList + ", ipProto=" + ipProto
                + ", srcPort=" + srcPort + ", dstPort=" + dstPort + ", dscp=" + dscp + ", ingress=" + ingress
                + (dstNameList == null ? "" : ", dstNameList=" + dstNameList) + "]";
    }
}
