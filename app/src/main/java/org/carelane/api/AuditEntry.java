package org.carelane.api;

import java.time.Instant;
import java.util.Objects;

/**
 * One change to CareLane state.
 */
public final class AuditEntry {
    /** Cluster-wide sequence number. */
    private final long seq;
    private final Instant time;
    private final String user;
    /** Rest, cli, netcfg or schedule. */
    private final String source;
    /** What changed, e.g. "set-rate clinical peak". */
    private final String action;
    /** JSON (or text) before the change; null when nothing was there. */
    private final String before;
    /** JSON (or text) after the change; null when removed. */
    private final String after;

    public AuditEntry(long seq, Instant time, String user, String source, String action, String before, String after) {
        this.seq = seq;
        this.time = time;
        this.user = user;
        this.source = source;
        this.action = action;
        this.before = before;
        this.after = after;
    }

    public long seq() {
        return seq;
    }

    public Instant time() {
        return time;
    }

    public String user() {
        return user;
    }

    public String source() {
        return source;
    }

    public String action() {
        return action;
    }

    public String before() {
        return before;
    }

    public String after() {
        return after;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof AuditEntry)) {
            return false;
        }
        AuditEntry other = (AuditEntry) o;
        return seq == other.seq
                && Objects.equals(time, other.time)
                && Objects.equals(user, other.user)
                && Objects.equals(source, other.source)
                && Objects.equals(action, other.action)
                && Objects.equals(before, other.before)
                && Objects.equals(after, other.after);
    }

    @Override
    public int hashCode() {
        return Objects.hash(seq, time, user, source, action, before, after);
    }

    @Override
    public String toString() {
        return "AuditEntry[seq=" + seq + ", time=" + time + ", user=" + user + ", source=" + source
                + ", action=" + action + ", before=" + before + ", after=" + after + "]";
    }
}
