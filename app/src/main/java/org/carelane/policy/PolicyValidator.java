package org.carelane.policy;

import org.carelane.api.ClassifierRule;
import org.carelane.api.DeviceUplink;
import org.carelane.api.PolicyException;
import org.carelane.api.Profile;
import org.carelane.api.SliceDefinition;
import org.carelane.api.SlicePolicy;
import org.carelane.api.SliceRates;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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

    /** Rates must fit every device uplink: max per slice, and the sum of reservations. */
    public static void validateCapacity(SlicePolicy policy, Profile profile) {
        for (DeviceUplink d : policy.devices()) {
            long reserved = 0;
            for (int i = 0; i < policy.slices().size(); i++) {
                SliceDefinition s = policy.slices().get(i);
                SliceRates r = s.rates(profile);
                if (s.drop() || r == null) {
                    continue;
                }
                String at = "slices[" + i + "].rates." + profile.jsonName();
                if (r.maxKbps() > d.uplinkKbps()) {
                    throw new PolicyException(at + ".maxKbps", r.maxKbps() + " kbps exceeds uplink capacity "
                            + d.uplinkKbps() + " kbps of " + d.deviceId());
                }
                reserved += r.minKbps();
                if (reserved > d.uplinkKbps()) {
                    throw new PolicyException(at + ".minKbps", "reservations total " + reserved
                            + " kbps, above uplink capacity " + d.uplinkKbps() + " kbps of " + d.deviceId());
                }
            }
        }
    }
}
