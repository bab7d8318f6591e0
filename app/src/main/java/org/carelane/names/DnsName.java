package org.carelane.names;

import java.util.Locale;

/** Domain names as CareLane compares them: lower case, without the root's trailing dot. */
public final class DnsName {
    /** RFC 1035: at most 255 octets on the wire, so 253 characters written out. */
    static final int MAX_LENGTH = 253;
    /** RFC 1035: at most 63 octets per label. */
    static final int MAX_LABEL = 63;

    private DnsName() {
    }

    /** The name in the form CareLane compares: lower case, no trailing dot. */
    public static String normalise(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    /**
     * Why the name is not a host name CareLane can match (letters, digits, hyphens and, as
     * real zones have them, underscores; labels of 1-63 characters), or null if it is.
     */
    static String problem(String name) {
        if (name.isEmpty()) {
            return "is empty";
        }
        if (name.length() > MAX_LENGTH) {
            return "is longer than " + MAX_LENGTH + " characters";
        }
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty()) {
                return "has an empty label";
            }
            if (label.length() > MAX_LABEL) {
                return "has a label longer than " + MAX_LABEL + " characters";
            }
            if (label.startsWith("-") || label.endsWith("-")) {
                return "has a label that starts or ends with '-'";
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
                if (!ok) {
                    return "has a character other than a-z, 0-9, '-' and '_': '" + c + "'";
                }
            }
        }
        return null;
    }
}
