package org.carelane.policy;

import org.carelane.api.ClassifierRule;
import org.carelane.api.SliceDefinition;
import org.carelane.api.SlicePolicy;
import org.carelane.names.DnsName;
import org.carelane.names.NamePattern;
import org.onlab.packet.IpAddress;
import org.onlab.packet.IpPrefix;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Which slices a DNS answer's names belong to, by the slices' rules with a {@code dstNameList}:
 * every slice that lists a name of the answer (the question or a name on its CNAME chain),
 * highest priority first. Each gets rules for the answer's addresses, and the switch orders
 * them by priority, so that a rule narrowed by source (the communications team's social media
 * as work) wins only for its sources.
 */
public final class NameRules {
    /** A slice and the name of the answer it lists. */
    public static final class Match {
        private final SliceDefinition slice;
        private final String name;

        Match(SliceDefinition slice, String name) {
            this.slice = slice;
            this.name = name;
        }

        public SliceDefinition slice() {
            return slice;
        }

        /** The first listed name of the answer, normalised. */
        public String name() {
            return name;
        }
    }

    private final SlicePolicy policy;
    private final List<SliceDefinition> byName;

    public NameRules(SlicePolicy policy) {
        this.policy = policy;
        List<SliceDefinition> slices = new ArrayList<>();
        policy.slices().stream().filter(s -> s.rules().stream().anyMatch(r -> r.dstNameList() != null))
                .forEach(slices::add);
        slices.sort(Comparator.comparingInt(SliceDefinition::priority).reversed());
        this.byName = List.copyOf(slices);
    }

    /** True if some slice classifies by name. */
    public boolean any() {
        return !byName.isEmpty();
    }

    /** Every slice that lists one of the names, highest priority first. */
    public List<Match> matches(Collection<String> names) {
        List<Match> out = new ArrayList<>();
        for (SliceDefinition slice : byName) {
            firstListed(slice, names, r -> true).ifPresent(name -> out.add(new Match(slice, name)));
        }
        return out;
    }

    /**
     * The slice all of a client's traffic to the answer's addresses would take by name: the
     * highest priority one whose rule listing a name applies to the client's address (no source,
     * or a source that holds it) whatever the port, protocol or mark. Only such a drop slice
     * may answer NXDOMAIN.
     */
    public Optional<Match> forClient(Collection<String> names, IpAddress client) {
        for (SliceDefinition slice : byName) {
            Optional<String> name = firstListed(slice, names, r -> fromClient(r, client) && r.ingress() == null
                    && r.ipProto() == null && r.srcPort() == null && r.dstPort() == null && r.dscp() == null);
            if (name.isPresent()) {
                return Optional.of(new Match(slice, name.get()));
            }
        }
        return Optional.empty();
    }

    private Optional<String> firstListed(SliceDefinition slice, Collection<String> names,
                                         Predicate<ClassifierRule> applies) {
        for (String n : names) {
            String name = DnsName.normalise(n);
            for (ClassifierRule rule : slice.rules()) {
                if (rule.dstNameList() != null && applies.test(rule)
                        && listed(List.of(name)).test(rule.dstNameList())) {
                    return Optional.of(name);
                }
            }
        }
        return Optional.empty();
    }

    private boolean fromClient(ClassifierRule rule, IpAddress client) {
        if (rule.srcPrefixes().isEmpty() && rule.srcPrefixList() == null) {
            return true;
        }
        List<IpPrefix> sources = new ArrayList<>(rule.srcPrefixes());
        if (rule.srcPrefixList() != null) {
            sources.addAll(policy.prefixLists().getOrDefault(rule.srcPrefixList(), List.of()));
        }
        return sources.stream().anyMatch(p -> p.contains(client));
    }

    /** Whether a name list (by its name) holds any of the names (normalised). */
    public Predicate<String> listed(Collection<String> names) {
        return list -> policy.names().lists().getOrDefault(list, List.of()).stream()
                .anyMatch((NamePattern p) -> names.stream().anyMatch(p::matches));
    }
}
