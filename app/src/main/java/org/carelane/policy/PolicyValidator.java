package org.carelane.policy;

import org.carelane.api.ClassifierRule;
import org.carelane.api.DeviceUplink;
import org.carelane.api.EgressLink;
import org.carelane.api.PolicyException;
import org.carelane.api.Profile;
import org.carelane.api.SliceDefinition;
import org.carelane.api.SlicePolicy;
import org.carelane.api.SliceRates;
import org.carelane.api.Steering;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Cross-field checks of a parsed policy. */
public final class PolicyValidator {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    private PolicyValidator() {
    }

    /** Checks names, priorities, prefix lists, ports and capacity. @throws PolicyException naming the field */
    public static void validate(SlicePolicy policy) {
        Set<Object> devices = new HashSet<>();
        for (int i = 0; i < policy.devices().size(); i++) {
            if (!devices.add(policy.devices().get(i).deviceId())) {
                throw new PolicyException("devices[" + i + "].deviceId", "is listed twice");
            }
        }
        Set<String> names = new HashSet<>();
        Map<Integer, String> priorities = new HashMap<>();
        for (int i = 0; i < policy.slices().size(); i++) {
            SliceDefinition s = policy.slices().get(i);
            String at = "slices[" + i + "]";
            if (!NAME.matcher(s.name()).matches()) {
                throw new PolicyException(at + ".name", "must be lower-case letters, digits or '-', got '"
                        + s.name() + "'");
            }
            if (!names.add(s.name())) {
                throw new PolicyException(at + ".name", "duplicate slice name '" + s.name() + "'");
            }
            String other = priorities.putIfAbsent(s.priority(), s.name());
            if (other != null) {
                throw new PolicyException(at + ".priority", "same priority as slice '" + other + "'");
            }
            validateRules(policy, s.rules(), at + ".rules");
            validateEgress(policy, s, at);
        }
        for (Profile p : Profile.values()) {
            validateCapacity(policy, p);
        }
    }

    private static void validateRules(SlicePolicy policy, List<ClassifierRule> rules, String at) {
        for (int i = 0; i < rules.size(); i++) {
            ClassifierRule r = rules.get(i);
            String rp = at + "[" + i + "]";
            checkList(policy, r.srcPrefixList(), rp + ".srcPrefixList");
            checkList(policy, r.dstPrefixList(), rp + ".dstPrefixList");
            if (!FlowCompiler.matchesSomething(policy, r)) {
                throw new PolicyException(rp, "matches nothing: its source and destination prefixes (and ipProto) "
                        + "are of different IP versions");
            }
            boolean ports = r.srcPort() != null || r.dstPort() != null;
            if (ports && r.ipProto() != null && r.ipProto() != 6 && r.ipProto() != 17) {
                throw new PolicyException(rp + ".ipProto", "L4 ports need tcp (6) or udp (17), got "
                        + r.ipProto());
            }
        }
    }

    private static void checkList(SlicePolicy policy, String name, String at) {
        if (name != null && !policy.prefixLists().containsKey(name)) {
            throw new PolicyException(at, "unknown prefix list '" + name + "'");
        }
    }

    /**
     * Rates must fit every way out of every device: each slice's max, and the sum of the
     * reservations, on the link the slice leaves by in that profile (the WAN uplink, or the
     * egress link it is steered to), each link on its own.
     */
    public static void validateCapacity(SlicePolicy policy, Profile profile) {
        for (DeviceUplink d : policy.devices()) {
            Map<String, Long> reserved = new HashMap<>();
            for (int i = 0; i < policy.slices().size(); i++) {
                SliceDefinition s = policy.slices().get(i);
                SliceRates r = s.rates(profile);
                if (s.drop() || r == null) {
                    continue;
                }
                Optional<EgressLink> link = d.egressOf(s, profile);
                long capacity = link.map(EgressLink::kbps).orElse(d.uplinkKbps());
                String where = link.map(l -> "link '" + l.name() + "'").orElse("uplink");
                String at = "slices[" + i + "].rates." + profile.jsonName();
                if (r.maxKbps() > capacity) {
                    throw new PolicyException(at + ".maxKbps", r.maxKbps() + " kbps exceeds " + where + " capacity "
                            + capacity + " kbps of " + d.deviceId());
                }
                long total = reserved.merge(link.map(EgressLink::name).orElse(""), r.minKbps(), Long::sum);
                if (total > capacity) {
                    throw new PolicyException(at + ".minKbps", "reservations total " + total
                            + " kbps, above " + where + " capacity " + capacity + " kbps of " + d.deviceId());
                }
            }
        }
    }

    /** A steered slice's link must exist, and must not be where the slice's traffic comes in. */
    private static void validateEgress(SlicePolicy policy, SliceDefinition s, String at) {
        Steering egress = s.egress();
        if (egress == null) {
            return;
        }
        boolean found = false;
        for (DeviceUplink d : policy.devices()) {
            EgressLink link = d.links().get(egress.link());
            if (link == null) {
                continue;
            }
            found = true;
            for (int j = 0; j < s.rules().size(); j++) {
                ClassifierRule r = s.rules().get(j);
                boolean steered = !FlowCompiler.carriesReplies(r);
                if (steered && r.ingress() != null && r.ingress().deviceId().equals(d.deviceId())
                        && r.ingress().port().equals(link.port())) {
                    throw new PolicyException(at + ".egress", "egress loop on " + d.deviceId() + ": rules[" + j
                            + "] takes the slice in on port " + link.port() + ", the port of link '" + link.name()
                            + "'");
                }
            }
        }
        if (!found) {
            throw new PolicyException(at + ".egress.link", "no device has a link '" + egress.link()
                    + "' (devices[].links)");
        }
    }
}
