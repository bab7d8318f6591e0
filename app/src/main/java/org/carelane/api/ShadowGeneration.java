package org.carelane.api;

import java.time.Instant;
import java.util.Objects;

/**
 * A device's shadow: a copy of its working generation, in the shadow band, whose rules expire
 * on the switch at a boundary, over the next profile's generation staged below it.
 */
public final class ShadowGeneration {
    private final Profile profile;
    private final Instant until;

    /**
     * @param profile the profile the shadow holds (the one in force until the boundary)
     * @param until   when the switch expires it (the rules' hard_timeout, as sent)
     */
    public ShadowGeneration(Profile profile, Instant until) {
        this.profile = Objects.requireNonNull(profile);
        this.until = Objects.requireNonNull(until);
    }

    public Profile profile() {
        return profile;
    }

    public Instant until() {
        return until;
    }

    /** As the store keeps it: "profile@instant". */
    public String encode() {
        return profile.jsonName() + "@" + until;
    }

    /** The inverse of {@link #encode}. */
    public static ShadowGeneration decode(String text) {
        int at = text.indexOf('@');
        return new ShadowGeneration(Profile.parse(text.substring(0, at)), Instant.parse(text.substring(at + 1)));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ShadowGeneration && profile == ((ShadowGeneration) o).profile
                && until.equals(((ShadowGeneration) o).until);
    }

    @Override
    public int hashCode() {
        return Objects.hash(profile, until);
    }

    @Override
    public String toString() {
        return encode();
    }
}
