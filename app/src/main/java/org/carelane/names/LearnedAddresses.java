package org.carelane.names;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The addresses one device learned from its site's DNS answers, each in its name's slice until
 * its answer's TTL runs out (clamped to a minimum and a maximum). Every later answer, one a
 * resolver served from its cache included, extends it. Bounded: at most {@code maxEntries}
 * addresses, the least recently answered going first, and at most {@code maxPerName} per
 * name; what is evicted is counted. An address answered for names of two slices stays in the
 * slice of higher rank while it is learned there. Not thread-safe: one owner per device.
 */
public final class LearnedAddresses {
    /** One learned address. */
    public static final class Entry {
        public final InetAddress address;
        /** The name that was asked. */
        public final String name;
        public final String slice;
        public final Instant expires;
        final int rank;

        Entry(InetAddress address, String name, String slice, int rank, Instant expires) {
            this.address = address;
            this.name = name;
            this.slice = slice;
            this.rank = rank;
            this.expires = expires;
        }

        @Override
        public String toString() {
            return address.getHostAddress() + " " + name + " " + slice + " until " + expires;
        }
    }

    /** What one answer changed: rules to add (or move to another slice) and rules to remove. */
    public static final class Change {
        /** New addresses, and addresses that moved to another slice. */
        public final List<Entry> installed = new ArrayList<>();
        /**
         * Addresses whose expiry moved on, in the same slice: a rule that expires on the switch
         * by itself (hard_timeout) is re-added with the new time left.
         */
        public final List<Entry> refreshed = new ArrayList<>();
        /** Addresses pushed out by a bound. */
        public final List<Entry> evicted = new ArrayList<>();
    }

    private final int maxEntries;
    private final int maxPerName;
    private final Duration minTtl;
    private final Duration maxTtl;
    /** In order of the last answer that gave each (least recent first); only answers reorder it. */
    private final LinkedHashMap<InetAddress, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    /** The same entries, for lookups that are not answers. */
    private final Map<InetAddress, Entry> index = new HashMap<>();
    private final Map<String, LinkedHashSet<InetAddress>> byName = new HashMap<>();
    /** Expiries, oldest first; an entry refreshed since leaves a stale one behind. */
    private final PriorityQueue<Entry> expiries = new PriorityQueue<>(Comparator.comparing((Entry e) -> e.expires));
    private long evictions;

    public LearnedAddresses(int maxEntries, int maxPerName, Duration minTtl, Duration maxTtl) {
        if (maxEntries < 1 || maxPerName < 1 || minTtl.isNegative() || maxTtl.compareTo(minTtl) < 0) {
            throw new IllegalArgumentException("bounds: maxEntries " + maxEntries + ", maxPerName " + maxPerName
                    + ", TTL " + minTtl + " to " + maxTtl);
        }
        this.maxEntries = maxEntries;
        this.maxPerName = maxPerName;
        this.minTtl = minTtl;
        this.maxTtl = maxTtl;
    }

    /**
     * Learns an answer's addresses for a name in a slice.
     *
     * @param rank the slice's priority: an address keeps the slice of higher rank
     */
    public Change learn(String name, String slice, int rank, Collection<DnsMessage.Answer> answers, Instant now) {
        Change change = new Change();
        String asked = DnsName.normalise(name);
        for (DnsMessage.Answer a : answers) {
            long ttl = Math.max(minTtl.toSeconds(), Math.min(maxTtl.toSeconds(), a.ttlSeconds));
            Instant expires = now.plusSeconds(ttl);
            Entry before = index.get(a.address);
            if (before != null && !before.expires.isAfter(now)) {
                remove(before);   // its time is up (its rule is gone): learned anew
                before = null;
            }
            if (before != null && before.rank > rank) {
                continue;   // learned for a slice of higher rank, still valid
            }
            if (before != null && before.slice.equals(slice)) {
                entries.get(a.address);   // an answer: the most recently answered now
                if (expires.isAfter(before.expires)) {
                    Entry refreshed = new Entry(a.address, asked, slice, rank, expires);
                    replace(refreshed);
                    change.refreshed.add(refreshed);
                }
                continue;
            }
            Entry learned = new Entry(a.address, asked, slice, rank, expires);
            replace(learned);
            change.installed.add(learned);
        }
        bound(asked, change);
        return change;
    }

    /** Removes and returns the addresses whose time is up. */
    public List<Entry> expire(Instant now) {
        List<Entry> gone = new ArrayList<>();
        while (!expiries.isEmpty() && !expiries.peek().expires.isAfter(now)) {
            Entry e = expiries.poll();
            if (index.get(e.address) == e) {
                remove(e);
                gone.add(e);
            }
        }
        if (expiries.size() > 4 * Math.max(16, entries.size())) {
            expiries.clear();
            expiries.addAll(entries.values());   // drop the stale ones refreshes left
        }
        return gone;
    }

    /** When the next address expires, if any is learned. */
    public Optional<Instant> nextExpiry() {
        return entries.values().stream().map(e -> e.expires).min(Comparator.naturalOrder());
    }

    public int size() {
        return entries.size();
    }

    /** Addresses pushed out by a bound so far. */
    public long evictions() {
        return evictions;
    }

    /** Forgets an address (its slice no longer lists its name); true if it was learned. */
    public boolean forget(InetAddress address) {
        Entry e = index.get(address);
        if (e == null) {
            return false;
        }
        remove(e);
        return true;
    }

    /** The learned addresses, least recently answered first. */
    public List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    public Optional<Entry> get(InetAddress address) {
        return Optional.ofNullable(index.get(address));
    }

    /** Puts an entry in place of the address's, if any: the most recently answered. */
    private void replace(Entry after) {
        Entry old = index.put(after.address, after);
        if (old != null && !old.name.equals(after.name)) {
            forgetName(old);
        }
        entries.put(after.address, after);
        expiries.add(after);
        Set<InetAddress> ofName = byName.computeIfAbsent(after.name, n -> new LinkedHashSet<>());
        ofName.remove(after.address);   // moves it last: the most recently answered
        ofName.add(after.address);
    }

    private void remove(Entry e) {
        entries.remove(e.address);
        index.remove(e.address);
        forgetName(e);
    }

    private void forgetName(Entry e) {
        Set<InetAddress> ofName = byName.get(e.name);
        if (ofName != null) {
            ofName.remove(e.address);
            if (ofName.isEmpty()) {
                byName.remove(e.name);
            }
        }
    }

    private void bound(String name, Change change) {
        Set<InetAddress> ofName = byName.getOrDefault(name, new LinkedHashSet<>());
        Iterator<InetAddress> oldestOfName = ofName.iterator();
        while (ofName.size() > maxPerName && oldestOfName.hasNext()) {
            InetAddress address = oldestOfName.next();
            oldestOfName.remove();
            Entry e = index.remove(address);
            entries.remove(address);
            evict(e, change);
        }
        if (ofName.isEmpty()) {
            byName.remove(name);
        }
        Iterator<Entry> oldest = entries.values().iterator();
        while (entries.size() > maxEntries && oldest.hasNext()) {
            Entry e = oldest.next();
            oldest.remove();
            index.remove(e.address);
            forgetName(e);
            evict(e, change);
        }
    }

    private void evict(Entry e, Change change) {
        if (e == null) {
            return;
        }
        evictions++;
        change.evicted.add(e);
        change.installed.remove(e);
        change.refreshed.remove(e);
    }
}
