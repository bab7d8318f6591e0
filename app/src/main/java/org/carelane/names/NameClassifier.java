package org.carelane.names;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which slice a name belongs to: the slices that use a name list, each with its priority, and
 * a name on the lists of several slices goes to the one of highest priority. The names of a
 * whole answer count (the question and every CNAME on its chain), so that a blog behind a
 * host's CDN name, or a CDN name behind a listed one, is classed by whichever is listed.
 */
public final class NameClassifier {
    /** A slice's rule that matches names: the slice, its priority and its list's entries. */
    public static final class Entry {
        final String slice;
        final int priority;
        final List<NamePattern> patterns;

        public Entry(String slice, int priority, List<NamePattern> patterns) {
            this.slice = slice;
            this.priority = priority;
            this.patterns = List.copyOf(patterns);
        }
    }

    private final List<Entry> entries;

    /** @param entries the slices' name rules, in any order */
    public NameClassifier(Collection<Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingInt((Entry e) -> e.priority).reversed());
        this.entries = List.copyOf(sorted);
    }

    /** The slice of the highest-priority rule that lists any of these names. */
    public Optional<String> sliceOf(Collection<String> names) {
        List<String> normalised = new ArrayList<>();
        names.forEach(n -> normalised.add(DnsName.normalise(n)));
        for (Entry e : entries) {
            for (NamePattern p : e.patterns) {
                if (normalised.stream().anyMatch(p::matches)) {
                    return Optional.of(e.slice);
                }
            }
        }
        return Optional.empty();
    }
}
