package org.carelane.policy;

import org.carelane.api.ClassifierRule;
import org.carelane.api.SliceDefinition;
import org.carelane.api.SlicePolicy;
import org.carelane.names.DnsName;
import org.carelane.names.NamePattern;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Which slice a DNS answer's names belong to, by the slices' rules with a {@code dstNameList}:
 * the slice of highest priority that lists any of them (the question or a name on its CNAME
 * chain), with the name it lists.
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

        /** The listed name, normalised. */
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

    /** The slice of highest priority that lists one of the names, and that name. */
    public Optional<Match> classify(Collection<String> names) {
        for (SliceDefinition slice : byName) {
            for (String n : names) {
                String name = DnsName.normalise(n);
                for (ClassifierRule rule : slice.rules()) {
                    if (rule.dstNameList() != null && listed(name).test(rule.dstNameList())) {
                        return Optional.of(new Match(slice, name));
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** Whether a name list (by its name) holds {@code name} (normalised). */
    public Predicate<String> listed(String name) {
        return list -> policy.names().lists().getOrDefault(list, List.of()).stream()
                .anyMatch((NamePattern p) -> p.matches(name));
    }
}
