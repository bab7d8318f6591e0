package org.carelane.api;

import java.util.List;
import java.util.Map;

/**
 * A traffic slice: what it matches and how it is treated.
 *
 * @param name     unique slice name (clinical, default, social, blocked...)
 * @param priority larger wins where classifiers overlap (0..1000)
 * @param drop     true for the blocked slice: matching traffic is dropped
 * @param dscp     DSCP value written on matching packets, or null to keep it
 * @param queueId  egress queue selected with set_queue, or null
 * @param rules    classifier rules, OR-ed together
 * @param rates    per-profile rates; empty for a drop slice
 */
public record SliceDefinition(String name,
                              int priority,
                              boolean drop,
                              Integer dscp,
                              Long queueId,
                              List<ClassifierRule> rules,
                              Map<Profile, SliceRates> rates) {

    public SliceDefinition {
        rules = List.copyOf(rules);
        rates = Map.copyOf(rates);
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
        return new SliceDefinition(name, priority, drop, dscp, queueId, rules, copy);
    }
}
