package org.carelane.policy;

import java.util.Locale;
import java.util.Map;

/** DSCP code points by per-hop-behaviour name (RFC 2474, 2597, 3246, 8622). */
public final class Dscp {
    public static final int EF = 46;
    public static final int CS1 = 8;
    public static final int LE = 1;

    private static final Map<String, Integer> NAMES = Map.ofEntries(
            Map.entry("BE", 0), Map.entry("CS0", 0), Map.entry("LE", LE),
            Map.entry("CS1", CS1), Map.entry("AF11", 10), Map.entry("AF12", 12), Map.entry("AF13", 14),
            Map.entry("CS2", 16), Map.entry("AF21", 18), Map.entry("AF22", 20), Map.entry("AF23", 22),
            Map.entry("CS3", 24), Map.entry("AF31", 26), Map.entry("AF32", 28), Map.entry("AF33", 30),
            Map.entry("CS4", 32), Map.entry("AF41", 34), Map.entry("AF42", 36), Map.entry("AF43", 38),
            Map.entry("CS5", 40), Map.entry("EF", EF), Map.entry("CS6", 48), Map.entry("CS7", 56));

    private Dscp() {
    }

    /**
     * Parses a PHB name ("EF", "AF41", "CS1", "LE") or a number 0..63.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static int parse(String text) {
        String key = text.trim().toUpperCase(Locale.ROOT);
        Integer named = NAMES.get(key);
        if (named != null) {
            return named;
        }
        try {
            int value = Integer.parseInt(key);
            if (value >= 0 && value <= 63) {
                return value;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("must be 0..63 or a PHB name such as EF, AF41, CS1, LE; got '"
                + text + "'");
    }

    /** The IPv4 TOS byte carrying this DSCP (ECN bits zero). */
    public static int tos(int dscp) {
        return dscp << 2;
    }
}
