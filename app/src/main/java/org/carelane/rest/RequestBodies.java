package org.carelane.rest;

import com.fasterxml.jackson.databind.JsonNode;
import org.carelane.api.PolicyException;
import org.carelane.api.Profile;
import org.carelane.policy.PolicyCodec;

import java.util.Iterator;
import java.util.Set;

/** Strict parsing of REST bodies: unknown fields and wrong types are 400s naming the field. */
final class RequestBodies {
    static final int MAX_BODY_CHARS = 16 * 1024;
    static final int MAX_DEPTH = 16;

    private RequestBodies() {
    }

    static JsonNode object(String body, Set<String> allowed) {
        if (body == null || body.isBlank()) {
            throw new PolicyException("(body)", "a JSON object is required");
        }
        if (body.length() > MAX_BODY_CHARS) {
            throw new PolicyException("(body)", "is larger than " + MAX_BODY_CHARS + " characters");
        }
        if (nesting(body) > MAX_DEPTH) {
            throw new PolicyException("(body)", "nests deeper than " + MAX_DEPTH + " levels");
        }
        JsonNode node = PolicyCodec.readTree(body);
        if (!node.isObject()) {
            throw new PolicyException("(body)", "must be a JSON object");
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new PolicyException(name, "unknown field; expected one of " + allowed);
            }
        }
        return node;
    }

    /** Deepest bracket nesting outside strings; parsing deeper bodies risks the stack. */
    static int nesting(String body) {
        int depth = 0;
        int max = 0;
        boolean inString = false;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                max = Math.max(max, ++depth);
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return max;
    }

    static Profile profile(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new PolicyException(field, "is required ('peak' or 'offPeak')");
        }
        if (!v.isTextual()) {
            throw new PolicyException(field, "must be 'peak' or 'offPeak'");
        }
        try {
            return Profile.parse(v.asText());
        } catch (IllegalArgumentException e) {
            throw new PolicyException(field, e.getMessage());
        }
    }

    static long kbps(JsonNode node, String field, boolean required, long fallback) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new PolicyException(field, "is required");
            }
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new PolicyException(field, "must be a whole number of kbit/s");
        }
        long value = v.asLong();
        if (value > PolicyCodec.MAX_KBPS) {
            throw new PolicyException(field, "must not exceed " + PolicyCodec.MAX_KBPS);
        }
        return value;
    }

    static String optText(JsonNode node, String field, int maxLength) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().length() > maxLength) {
            throw new PolicyException(field, "must be a string of at most " + maxLength + " characters");
        }
        return v.asText();
    }
}
