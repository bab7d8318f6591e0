package org.carelane.api;

import java.util.Locale;

/** Traffic profile that the schedule selects. */
public enum Profile {
    PEAK("peak"),
    OFF_PEAK("offPeak");

    private final String jsonName;

    Profile(String jsonName) {
        this.jsonName = jsonName;
    }

    /** Name used in JSON, REST and CLI. */
    public String jsonName() {
        return jsonName;
    }

    /**
     * Parses "peak", "offPeak", "off-peak" or "off_peak", ignoring case.
     *
     * @throws IllegalArgumentException when the text names no profile
     */
    public static Profile parse(String text) {
        if (text != null) {
            String key = text.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
            if (key.equals("peak")) {
                return PEAK;
            }
            if (key.equals("offpeak")) {
                return OFF_PEAK;
            }
        }
        throw new IllegalArgumentException("profile must be 'peak' or 'offPeak', got '" + text + "'");
    }
}
