package org.carelane.api;

/**
 * Invalid policy input. {@link #field()} names the offending field as a JSON path.
 */
public class PolicyException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public PolicyException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }

    /** The message without the field prefix. */
    public String reason() {
        return getMessage().substring(field.length() + 2);
    }
}
