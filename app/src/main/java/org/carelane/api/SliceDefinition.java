package org.carelane.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A traffic slice: what it matches and how it is treated.
 */
public final class SliceDefinition {
    /** Unique slice name (clinical, default, social, blocked...). */
    private final String name;
    /** Larger wins where classifiers overlap (0..1000). */
    private final int priority;
    /** True for the blocked slice: matching traffic is dropped. */
    private final boolean drop;
    /** DSCP value written on matching packets, or null to keep it. */
    private final Integer dscp;
    /** Egress queue selected with set_queue, or null. */
    private final Long queueId;
    /** Classifier rules, OR-ed together. */
    private final List<ClassifierRule> rules;
    /** Per-profile rates; empty for a drop slice. */
    private final Map<Profile, SliceRates> rates;
    /** Meter burst in milliseconds of the rate, or null for the policy's {@code burstMs}. */
    private final Integer burstMs;
    /** Where the slice leaves the devices that have that link, and when; null: the WAN uplink. */
    private final Steering egress;

    public SliceDefinition(String name, int priority, boolean drop, Integer dscp, Long queueId,
                            List<ClassifierRule> rules, Map<Profile, SliceRates> rates) {
        this(name, priority, drop, dscp, queueId, rules, rates, null);
    }

    public SliceDefinition(String name, int priority, boolean drop, Integer dscp, Long queueId,
                            List<ClassifierRule> rules, Map<Profile, SliceRates> rates, Integer burstMs) {
        this(name, priority, drop, dscp, queueId, rules, rates, burstMs, null);
    }

    public SliceDefinition(String name, int priority, boolean drop, Integer dscp, Long queueId,
                            List<ClassifierRule> rules, Map<Profile, SliceRates> rates, Integer burstMs,
                            Steering egress) {
        this.burstMs = burstMs;
        this.egress = egress;
        this.rules = List.copyOf(rules);
        this.rates = Map.copyOf(rates);

        this.name = name;
        this.priority = priority;
        this.drop = drop;
        this.dscp = dscp;
        this.queueId = queueId;
    }

    public String name() {
        return name;
    }

    public int priority() {
        return priority;
    }

    public boolean drop() {
        return drop;
    }

    public Integer dscp() {
        return dscp;
    }

    public Long queueId() {
        return queueId;
    }

    public List<ClassifierRule> rules() {
        return rules;
    }

    public Map<Profile, SliceRates> rates() {
        return rates;
    }

    /** The slice's own meter burst in ms, or null to use the policy's. */
    public Integer burstMs() {
        return burstMs;
    }

    /** Rates in the given profile. */
    public SliceRates rates(Profile profile) {
        return rates.get(profile);
    }

    /** A copy with one profile's rates replaced. */
    public SliceDefinition withRates(Profile profile, SliceRates newRates) {
        Map<Profile, SliceRates> copy = new java.util.EnumMap<>(Profile.class);
        copy.putAll(rates);
        copy.put(profile, newRates);
        return new SliceDefinition(name, priority, drop, dscp, queueId, rules, copy, burstMs, egress);
    }

    /** The slice's steering, or null if it always leaves by the WAN uplink. */
    public Steering egress() {
        return egress;
    }

    /** A copy with another steering (null: the WAN uplink). */
    public SliceDefinition withEgress(Steering newEgress) {
        return new SliceDefinition(name, priority, drop, dscp, queueId, rules, rates, burstMs, newEgress);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SliceDefinition)) {
            return false;
        }
        SliceDefinition other = (SliceDefinition) o;
        return Objects.equals(name, other.name)
                && priority == other.priority
                && drop == other.drop
                && Objects.equals(dscp, other.dscp)
                && Objects.equals(queueId, other.queueId)
                && Objects.equals(rules, other.rules)
                && Objects.equals(rates, other.rates)
                && Objects.equals(burstMs, other.burstMs)
                && Objects.equals(egress, other.egress);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, priority, drop, dscp, queueId, rules, rates, burstMs, egress);
    }

    @Override
    public String toString() {
        return "SliceDefinition[name=" + name + ", priority=" + priority + ", drop=" + drop + ", dscp=" + dscp
                + ", queueId=" + queueId + ", rules=" + rules + ", rates=" + rates + ", burstMs=" + burstMs
                + ", egress=" + egress + "]";
    }
}
