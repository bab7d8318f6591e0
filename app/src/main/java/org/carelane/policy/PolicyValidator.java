package org.carelane.policy;

import org.carelane.api.ClassifierRule;
import org.carelane.api.DevicePolicy;
import org.carelane.api.DeviceUplink;
import org.carelane.api.EgressLink;
import org.carelane.api.PolicyException;
import org.carelane.api.Profile;
import org.carelane.api.ScopeOverride;
import org.carelane.api.SliceDefinition;
import org.carelane.api.SlicePolicy;
import org.carelane.api.SliceRates;
import org.carelane.api.Steering;

import java.util.ArrayList;
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
                throw new PolicyException(policy.devicePath(i) + ".deviceId", "is listed twice (each site is "
                        + "configured once: in devices[] or in its own devices.\"<id>\".carelane)");
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
        validateScopes(policy);
        for (Profile p : Profile.values()) {
            validateCapacity(policy, p);
        }
    }

    /**
     * A site's board and class are declared; scopes change only slices that have rates (a
     * blocked slice stays blocked at every scope); a site's own lists extend national ones.
     */
    private static void validateScopes(SlicePolicy policy) {
        policy.boards().forEach((name, scope) -> checkScope(policy, scope, "boards." + name));
        policy.siteClasses().forEach((name, scope) -> checkScope(policy, scope, "siteClasses." + name));
        for (int i = 0; i < policy.devices().size(); i++) {
            DeviceUplink d = policy.devices().get(i);
            String at = policy.devicePath(i);
            if (d.board().isPresent() && !policy.boards().containsKey(d.board().get())) {
                throw new PolicyException(at + ".board", "unknown board '" + d.board().get()
                        + "' (declare it under boards, {} if it changes nothing)");
            }
            if (d.siteClass().isPresent() && !policy.siteClasses().containsKey(d.siteClass().get())) {
                throw new PolicyException(at + ".siteClass", "unknown site class '" + d.siteClass().get()
                        + "' (declare it under siteClasses, {} if it changes nothing)");
            }
            checkScope(policy, d.site(), at);
            for (String list : d.localLists().keySet()) {
                if (!policy.prefixLists().containsKey(list)) {
                    throw new PolicyException(at + ".prefixLists." + list, "a site's lists extend national ones; "
                            + "there is no prefixLists." + list);
                }
            }
        }
    }

    private static void checkScope(SlicePolicy policy, ScopeOverride scope, String at) {
        scope.egress().forEach((slice, egress) -> {
            String sliceAt = at + ".slices." + slice;
            Optional<SliceDefinition> s = policy.slice(slice);
            if (s.isEmpty()) {
                throw new PolicyException(sliceAt, "unknown slice '" + slice + "'");
            }
            if (s.get().drop()) {
                throw new PolicyException(sliceAt + ".egress", "slice '" + slice + "' drops traffic and sends "
                        + "nothing anywhere");
            }
            if (egress.isPresent() && policy.devices().stream()
                    .noneMatch(d -> d.links().containsKey(egress.get().link()))) {
                throw new PolicyException(sliceAt + ".egress.link", "no device has a link '" + egress.get().link()
                        + "' (devices[].links)");
            }
        });
        for (String slice : scope.rates().keySet()) {
            Optional<SliceDefinition> s = policy.slice(slice);
            if (s.isEmpty()) {
                throw new PolicyException(at + ".slices." + slice, "unknown slice '" + slice + "'");
            }
            if (s.get().drop()) {
                throw new PolicyException(at + ".slices." + slice, "slice '" + slice
                        + "' drops traffic at every scope; it has no rates to change");
            }
        }
    }

    private static void validateRules(SlicePolicy policy, List<ClassifierRule> rules, String at) {
        for (int i = 0; i < rules.size(); i++) {
            ClassifierRule r = rules.get(i);
            String rp = at + "[" + i + "]";
            checkList(policy, r.srcPrefixList(), rp + ".srcPrefixList");
            checkList(policy, r.dstPrefixList(), rp + ".dstPrefixList");
            if (r.dstNameList() != null) {
                if (!policy.names().lists().containsKey(r.dstNameList())) {
                    throw new PolicyException(rp + ".dstNameList", "unknown name list '" + r.dstNameList() + "'");
                }
                if (!r.dstPrefixes().isEmpty() || r.dstPrefixList() != null) {
                    throw new PolicyException(rp + ".dstNameList", "names give the destination: a rule takes "
                            + "dstNameList or destination prefixes, not both");
                }
                if (policy.names().resolvers().isEmpty()) {
                    throw new PolicyException("dns.resolvers", "rule " + rp + " classifies by name, which needs the "
                            + "site's resolvers, whose answers CareLane learns from");
                }
            }
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
     * Each device's effective rates must fit every way out of it: each slice's max, and the
     * sum of the reservations, on the link the slice leaves by in that profile (the WAN uplink,
     * or the egress link it is steered to), each link on its own. An error names the field
     * that set the value (national, board, site class or site), the device and the scope.
     */
    public static void validateCapacity(SlicePolicy policy, Profile profile) {
        for (DeviceUplink d : policy.devices()) {
            DevicePolicy effective = policy.forDevice(d.deviceId()).orElseThrow();
            Map<String, List<Reservation>> reserved = new HashMap<>();
            for (SliceDefinition s : effective.policy().slices()) {
                SliceRates r = s.rates(profile);
                if (s.drop() || r == null) {
                    continue;
                }
                DevicePolicy.Source max = effective.source(s.name(), profile, true).orElseThrow();
                DevicePolicy.Source min = effective.source(s.name(), profile, false).orElseThrow();
                Optional<EgressLink> link = d.egressOf(s, profile);
                long capacity = link.map(EgressLink::kbps).orElse(d.uplinkKbps());
                String where = link.map(l -> "link '" + l.name() + "'").orElse("uplink");
                if (r.maxKbps() < 1) {
                    throw new PolicyException(max.field(), "is 0 kbps on " + on(d, max) + ": the share is too small");
                }
                if (r.maxKbps() > capacity) {
                    throw new PolicyException(max.field(), r.maxKbps() + " kbps exceeds " + where + " capacity "
                            + capacity + " kbps of " + on(d, max));
                }
                if (r.minKbps() > r.maxKbps()) {
                    // The more specific scope broke it: a site that lowered its cap, or raised its reservation.
                    DevicePolicy.Source blamed = max.rank() > min.rank() ? max : min;
                    throw new PolicyException(blamed.field(), "a reservation of " + r.minKbps() + " kbps ("
                            + min.scope() + ") exceeds the cap " + r.maxKbps() + " kbps (" + max.scope() + ") on "
                            + on(d, blamed));
                }
                List<Reservation> onLink = reserved.computeIfAbsent(link.map(EgressLink::name).orElse(""),
                        k -> new ArrayList<>());
                onLink.add(new Reservation(s.name(), r.minKbps(), min));
                long total = onLink.stream().mapToLong(x -> x.kbps).sum();
                if (total > capacity) {
                    throw overbooked(d, where, capacity, total, onLink);
                }
            }
        }
    }

    /** One slice's reservation on a link, and where it comes from. */
    private static final class Reservation {
        final String slice;
        final long kbps;
        final DevicePolicy.Source source;

        Reservation(String slice, long kbps, DevicePolicy.Source source) {
            this.slice = slice;
            this.kbps = kbps;
            this.source = source;
        }
    }

    /**
     * Reservations above a link's capacity: the field named is the one that tipped the total,
     * unless a more specific scope (board, class, site) set another: that change broke the
     * arithmetic of the scopes before it.
     */
    private static PolicyException overbooked(DeviceUplink d, String where, long capacity, long total,
                                              List<Reservation> onLink) {
        Reservation blamed = onLink.get(onLink.size() - 1);   // the one that tipped it
        for (Reservation x : onLink) {
            if (x.kbps > 0 && x.source.rank() > blamed.source.rank()) {
                blamed = x;
            }
        }
        StringBuilder parts = new StringBuilder();
        onLink.stream().filter(x -> x.kbps > 0).forEach(x -> parts.append(parts.length() == 0 ? "" : ", ")
                .append(x.slice).append(' ').append(x.kbps).append(" (").append(x.source.scope()).append(')'));
        return new PolicyException(blamed.source.field(), "reservations total " + total + " kbps, above " + where
                + " capacity " + capacity + " kbps of " + on(d, blamed.source) + ": " + parts);
    }

    /** "of:...01 (set by board 'x')": the device, and the scope that set the value. */
    private static String on(DeviceUplink d, DevicePolicy.Source source) {
        return d.deviceId() + " (set by " + source.scope() + ")";
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
