package org.carelane.api;

import java.util.Optional;

/**
 * One health board's devices in /status, as this node sees them: how many are in sync,
 * pending or failed on this node (their master), how many another node programs, and the
 * reason of the failed device that has failed most.
 */
public final class BoardSummary {
    /** The board's name; "(none)" for devices that name no board. */
    private final String board;
    private final int devices;
    private final int inSync;
    private final int pending;
    private final int failed;
    private final int elsewhere;
    private final String worstReason;

    public BoardSummary(String board, int devices, int inSync, int pending, int failed, int elsewhere,
                        String worstReason) {
        this.board = board;
        this.devices = devices;
        this.inSync = inSync;
        this.pending = pending;
        this.failed = failed;
        this.elsewhere = elsewhere;
        this.worstReason = worstReason;
    }

    public String board() {
        return board;
    }

    public int devices() {
        return devices;
    }

    public int inSync() {
        return inSync;
    }

    public int pending() {
        return pending;
    }

    public int failed() {
        return failed;
    }

    /** Devices this node does not program (another node masters them, or none does yet). */
    public int elsewhere() {
        return elsewhere;
    }

    public Optional<String> worstReason() {
        return Optional.ofNullable(worstReason);
    }
}
