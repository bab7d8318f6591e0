package org.carelane.names;

import java.util.Objects;

/**
 * One entry of a name list: an exact name ({@code facebook.com}) or a suffix
 * ({@code *.fbcdn.net}, which matches every name below fbcdn.net but not fbcdn.net itself, as a
 * DNS wildcard does).
 */
public final class NamePattern {
    private final String name;
    private final boolean suffix;

    private NamePattern(String name, boolean suffix) {
        this.name = name;
        this.suffix = suffix;
    }

    /**
     * Parses an entry as netcfg gives it.
     *
     * @throws IllegalArgumentException saying what is wrong with it (the caller names the field)
     */
    public static NamePattern parse(String text) {
        String n = DnsName.normalise(text);
        boolean suffix = n.startsWith("*.");
        String base = suffix ? n.substring(2) : n;
        String problem = DnsName.problem(base);
        if (problem != null) {
            throw new IllegalArgumentException("'" + text + "' " + problem
                    + (n.contains("*") && !suffix ? " (a wildcard may only be the first label: *.example.org)" : ""));
        }
        if (suffix && !base.contains(".")) {
            throw new IllegalArgumentException("'" + text + "' would match a whole top-level domain");
        }
        return new NamePattern(base, suffix);
    }

    /** True if the (normalised) name is this entry's name, or below it for a suffix. */
    public boolean matches(String normalisedName) {
        if (!suffix) {
            return name.equals(normalisedName);
        }
        return normalisedName.length() > name.length() + 1 && normalisedName.endsWith(name)
                && normalisedName.charAt(normalisedName.length() - name.length() - 1) == '.';
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof NamePattern)) {
            return false;
        }
        NamePattern other = (NamePattern) o;
        return name.equals(other.name) && suffix == other.suffix;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, suffix);
    }

    @Override
    public String toString() {
        return suffix ? "*." + name : name;
    }
}
