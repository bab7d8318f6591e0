package org.carelane.api;

import java.time.Instant;

/**
 * One change to CareLane state.
 *
 * @param seq    cluster-wide sequence number
 * @param source rest, cli, netcfg or schedule
 * @param action what changed, e.g. "set-rate clinical peak"
 * @param before JSON (or text) before the change; null when nothing was there
 * @param after  JSON (or text) after the change; null when removed
 */
public record AuditEntry(long seq, Instant time, String user, String source, String action,
                         String before, String after) {
}
