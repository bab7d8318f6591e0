package org.carelane.api;

import java.util.Objects;

/** Where a slice leaves a device instead of its WAN uplink, and when. */
public final class Steering {
    /** When steering applies. */
    public enum When {
        ALWAYS("always"), PEAK("peak"), OFF_PEAK("offPeak");

        private final String jsonName;

        When(String jsonName) {
            this.jsonName = jsonName;
        }

        public String jsonName() {
            return jsonName;
        }
    }

    private final String link;
    private final When when;

    public Steering(String link, When when) {
        this.link = Objects.requireNonNull(link);
        this.when = Objects.requireNonNull(when);
    }

    /** The name of an {@link EgressLink} of the devices. */
    public String link() {
        return link;
    }

    public When when() {
        return when;
    }

    /** True if the slice is steered while this profile is in force. */
    public boolean appliesIn(Profile profile) {
        return when == When.ALWAYS || (when == When.PEAK) == (profile == Profile.PEAK);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Steering && link.equals(((Steering) o).link) && when == ((Steering) o).when;
    }

    @Override
    public int hashCode() {
        return Objects.hash(link, when);
    }

    @Override
    public String toString() {
        return "Steering[" + link + ", " + when.jsonName() + "]";
    }
}
