package org.carelane.api;

import java.time.Instant;

/**
 * Manual profile override that ends at {@code expiresAt}.
 */
public record ProfileOverride(Profile profile, Instant expiresAt, String user, String reason) {

    public boolean activeAt(Instant now) {
        return now.isBefore(expiresAt);
    }
}
