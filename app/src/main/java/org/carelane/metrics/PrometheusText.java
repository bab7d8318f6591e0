package org.carelane.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes metrics in Prometheus's text exposition format (version 0.0.4): each family's HELP
 * and TYPE lines, then its samples, families in the order they were first declared.
 */
public final class PrometheusText {
    /** The Content-Type of the format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    /** Prometheus metric types used here. */
    public enum Type {
        COUNTER, GAUGE, HISTOGRAM
    }

    private final Map<String, Family> families = new LinkedHashMap<>();

    /** One metric family: its help, type and samples. */
    public final class Family {
        private final String name;
        private final String help;
        private final Type type;
        private final List<String> samples = new ArrayList<>();

        private Family(String name, Type type, String help) {
            this.name = name;
            this.type = type;
            this.help = help;
        }

        /**
         * Adds a sample.
         *
         * @param labels label names and values, alternating, e.g. "device", "of:1", "slice", "social"
         */
        public Family sample(double value, String... labels) {
            return sampleOf("", value, labels);
        }

        /** A histogram's sample: its {@code _bucket} (with an {@code le} label), {@code _sum} or {@code _count}. */
        public Family sampleOf(String suffix, double value, String... labels) {
            if (labels.length % 2 != 0) {
                throw new IllegalArgumentException("labels come in name, value pairs");
            }
            StringBuilder line = new StringBuilder(name).append(suffix);
            if (labels.length > 0) {
                line.append('{');
                for (int i = 0; i < labels.length; i += 2) {
                    if (!LABEL_NAME.matcher(labels[i]).matches() || labels[i].startsWith("__")) {
                        throw new IllegalArgumentException("bad label name: " + labels[i]);
                    }
                    line.append(i == 0 ? "" : ",").append(labels[i]).append("=\"")
                            .append(escapeLabelValue(labels[i + 1])).append('"');
                }
                line.append('}');
            }
            samples.add(line.append(' ').append(format(value)).toString());
            return this;
        }
    }

    /** Declares a family, or returns the one declared under that name. */
    public Family family(String name, Type type, String help) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad metric name: " + name);
        }
        Family f = families.computeIfAbsent(name, n -> new Family(n, type, help));
        if (f.type != type) {
            throw new IllegalArgumentException(name + " is already a " + f.type);
        }
        return f;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        for (Family f : families.values()) {
            out.append("# HELP ").append(f.name).append(' ').append(escapeHelp(f.help)).append('\n');
            out.append("# TYPE ").append(f.name).append(' ').append(f.type.name().toLowerCase(java.util.Locale.ROOT))
                    .append('\n');
            f.samples.forEach(s -> out.append(s).append('\n'));
        }
        return out.toString();
    }

    static String format(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    static String escapeLabelValue(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String escapeHelp(String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
