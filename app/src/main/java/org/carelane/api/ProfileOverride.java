package org.carelane.api;

import java.time.Instant;
import java.util.Objects;

/**
 * Manual profile override that ends at {@code expiresAt}.
 */
public final class ProfileOverride {
    private final Profile profile;
    private final Instant expiresAt;
    private final String user;
    private final String reason;

    public ProfileOverride(Profile profile, Instant expiresAt, String user, String reason) {
        this.profile = profile;
        this.expiresAt = expiresAt;
        this.user = user;
        this.reason = reason;
    }

    public Profile profile() {
        return profile;
    }

    public Instant expiresAt() {
        return expiresAt;
    }

    public String user() {
        return user;
    }

    public String reason() {
        return reason;
    }

    public boolean activeAt(Instant now) {
        return now.isBefore(expiresAt);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ProfileOverride)) {
            return false;
        }
        ProfileOverride other = (ProfileOverride) o;
        return Objects.equals(profile, other.profile)
                && Objects.equals(expiresAt, other.expiresAt)
                && Objects.equals(user, other.user)
                && Objects.equals(reason, other.reason);
    }

    @Override
    public int hashCode() {
        return Objects.hash(profile, expiresAt, user, reason);
    }

    @Override
    public String toString() {
        return "ProfileOverride[profile=" + profile + ", expiresAt=" + expiresAt + ", user=" + user
                + ", reason=" + reason + "]";
    }
}
