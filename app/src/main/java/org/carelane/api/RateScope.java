package org.carelane.api;

import org.onosproject.net.DeviceId;

import java.util.Objects;

/** Where a rate change applies: nationally, to a health board, to a site class, or to one site. */
public final class RateScope {
    /** The kinds of scope, most general first. */
    public enum Kind { NATIONAL, BOARD, SITE_CLASS, SITE }

    public static final RateScope NATIONAL = new RateScope(Kind.NATIONAL, null);

    private final Kind kind;
    private final String name;

    private RateScope(Kind kind, String name) {
        this.kind = kind;
        this.name = name;
    }

    public static RateScope board(String name) {
        return new RateScope(Kind.BOARD, Objects.requireNonNull(name));
    }

    public static RateScope siteClass(String name) {
        return new RateScope(Kind.SITE_CLASS, Objects.requireNonNull(name));
    }

    /**
     * A device id as REST and the CLI take it.
     *
     * @throws PolicyException naming the device field when it is not one
     */
    public static DeviceId deviceId(String text) {
        if (!text.matches("[a-z]+:[0-9A-Za-z.:_-]+")) {
            throw new PolicyException("device", "must be a device id such as of:0000000000000001, not '" + text + "'");
        }
        return DeviceId.deviceId(text);
    }

    public static RateScope site(DeviceId device) {
        return new RateScope(Kind.SITE, device.toString());
    }

    public Kind kind() {
        return kind;
    }

    /** The board's, class's or device's name; null nationally. */
    public String name() {
        return name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RateScope && ((RateScope) o).kind == kind && Objects.equals(((RateScope) o).name, name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, name);
    }

    /** A stable key: "national", "board:bcuhb", "site-class:gp-practice", "site:of:...". */
    public String key() {
        switch (kind) {
            case BOARD: return "board:" + name;
            case SITE_CLASS: return "site-class:" + name;
            case SITE: return "site:" + name;
            default: return "national";
        }
    }

    /** The scope of a {@link #key()}. */
    public static RateScope ofKey(String key) {
        if (key.startsWith("board:")) {
            return board(key.substring("board:".length()));
        }
        if (key.startsWith("site-class:")) {
            return siteClass(key.substring("site-class:".length()));
        }
        if (key.startsWith("site:")) {
            return site(DeviceId.deviceId(key.substring("site:".length())));
        }
        if (key.equals("national")) {
            return NATIONAL;
        }
        throw new IllegalArgumentException("not a scope key: " + key);
    }

    /** "national", "board 'bcuhb'", "site class 'gp-practice'", "site of:...". */
    @Override
    public String toString() {
        switch (kind) {
            case BOARD: return "board '" + name + "'";
            case SITE_CLASS: return "site class '" + name + "'";
            case SITE: return "site " + name;
            default: return "national";
        }
    }
}
