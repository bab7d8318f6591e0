package org.carelane.api;

import org.carelane.names.NamePattern;
import org.onlab.packet.IpAddress;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Classification by name (issue 17): the name lists slice rules use ({@code dstNameList}), and
 * how addresses are learned from the site's DNS answers.
 */
public final class NameSettings {
    public static final Duration DEFAULT_MIN_TTL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MAX_TTL = Duration.ofHours(1);
    public static final int DEFAULT_MAX_LEARNED = 20_000;
    public static final int DEFAULT_MAX_PER_NAME = 256;
    public static final int DEFAULT_HOLD_MS = 50;
    /** No name lists and no resolvers: nothing is learned. */
    public static final NameSettings NONE = new NameSettings(Map.of(), List.of(), DEFAULT_MIN_TTL, DEFAULT_MAX_TTL,
            DEFAULT_MAX_LEARNED, DEFAULT_MAX_PER_NAME, DEFAULT_HOLD_MS);

    private final Map<String, List<NamePattern>> lists;
    private final List<IpAddress> resolvers;
    private final Duration minTtl;
    private final Duration maxTtl;
    private final int maxLearned;
    private final int maxPerName;
    private final int holdMs;

    /**
     * @param lists      name lists by name
     * @param resolvers  the site's resolvers, whose answers are learned from
     * @param maxLearned learned addresses per device
     * @param holdMs     how long an answer waits at the controller for its rules
     */
    public NameSettings(Map<String, List<NamePattern>> lists, List<IpAddress> resolvers, Duration minTtl,
                        Duration maxTtl, int maxLearned, int maxPerName, int holdMs) {
        Map<String, List<NamePattern>> copy = new java.util.LinkedHashMap<>();
        lists.forEach((name, patterns) -> copy.put(name, List.copyOf(patterns)));
        this.lists = java.util.Collections.unmodifiableMap(copy);
        this.resolvers = List.copyOf(resolvers);
        this.minTtl = minTtl;
        this.maxTtl = maxTtl;
        this.maxLearned = maxLearned;
        this.maxPerName = maxPerName;
        this.holdMs = holdMs;
    }

    public Map<String, List<NamePattern>> lists() {
        return lists;
    }

    public List<IpAddress> resolvers() {
        return resolvers;
    }

    public Duration minTtl() {
        return minTtl;
    }

    public Duration maxTtl() {
        return maxTtl;
    }

    public int maxLearned() {
        return maxLearned;
    }

    public int maxPerName() {
        return maxPerName;
    }

    public int holdMs() {
        return holdMs;
    }

    /** True if the DNS settings are the defaults (none given in netcfg). */
    public boolean defaultDns() {
        return resolvers.isEmpty() && minTtl.equals(DEFAULT_MIN_TTL) && maxTtl.equals(DEFAULT_MAX_TTL)
                && maxLearned == DEFAULT_MAX_LEARNED && maxPerName == DEFAULT_MAX_PER_NAME
                && holdMs == DEFAULT_HOLD_MS;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof NameSettings)) {
            return false;
        }
        NameSettings other = (NameSettings) o;
        return lists.equals(other.lists) && resolvers.equals(other.resolvers) && minTtl.equals(other.minTtl)
                && maxTtl.equals(other.maxTtl) && maxLearned == other.maxLearned && maxPerName == other.maxPerName
                && holdMs == other.holdMs;
    }

    @Override
    public int hashCode() {
        return Objects.hash(lists, resolvers, minTtl, maxTtl, maxLearned, maxPerName, holdMs);
    }

    @Override
    public String toString() {
        return "NameSettings[lists=" + lists + ", resolvers=" + resolvers + ", ttl=" + minTtl + ".." + maxTtl
                + ", maxLearned=" + maxLearned + ", maxPerName=" + maxPerName + ", holdMs=" + holdMs + "]";
    }
}
