package org.carelane.policy;

import com.fasterxml.jackson.databind.JsonNode;
import org.carelane.api.PolicyException;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Typed reads from JSON that fail with a {@link PolicyException} naming the field path. */
final class JsonFields {
    private JsonFields() {
    }

    static String path(String parent, String field) {
        return parent.isEmpty() ? field : parent + "." + field;
    }

    static JsonNode object(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw new PolicyException(path, "must be a JSON object");
        }
        return node;
    }

    /** Rejects a field of {@code node} not in {@code allowed}, naming it. */
    static void onlyFields(JsonNode node, String path, java.util.Set<String> allowed) {
        node.fieldNames().forEachRemaining(name -> {
            if (!allowed.contains(name)) {
                throw new PolicyException(path(path, name), "unknown field; expected one of "
                        + new java.util.TreeSet<>(allowed));
            }
        });
    }

    static boolean present(JsonNode parent, String field) {
        JsonNode value = parent.get(field);
        return value != null && !value.isNull();
    }

    static String text(JsonNode parent, String field, String path) {
        JsonNode value = parent.get(field);
        if (value == null || value.isNull()) {
            throw new PolicyException(path, "is required");
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new PolicyException(path, "must be a non-empty string");
        }
        return value.asText().trim();
    }

    static String optText(JsonNode parent, String field, String path) {
        return present(parent, field) ? text(parent, field, path) : null;
    }

    static long integer(JsonNode parent, String field, String path, long min, long max) {
        JsonNode value = parent.get(field);
        if (value == null || value.isNull()) {
            throw new PolicyException(path, "is required");
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new PolicyException(path, "must be a whole number");
        }
        long v = value.asLong();
        if (v < min || v > max) {
            throw new PolicyException(path, "must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    static Long optInteger(JsonNode parent, String field, String path, long min, long max) {
        return present(parent, field) ? integer(parent, field, path, min, max) : null;
    }

    static <T> List<T> list(JsonNode parent, String field, String path, Function<Item, T> reader) {
        if (!present(parent, field)) {
            return List.of();
        }
        JsonNode array = parent.get(field);
        if (!array.isArray()) {
            throw new PolicyException(path, "must be a JSON array");
        }
        List<T> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            out.add(reader.apply(new Item(array.get(i), path + "[" + i + "]")));
        }
        return out;
    }

    static <T> T convert(String path, String text, Function<String, T> parser) {
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            throw new PolicyException(path, e.getMessage() == null ? "is malformed" : e.getMessage());
        }
    }

    /** One array element and its path. */
    static final class Item {
        private final JsonNode node;
        private final String path;

        Item(JsonNode node, String path) {
            this.node = node;
            this.path = path;
        }

        public JsonNode node() {
            return node;
        }

        public String path() {
            return path;
        }
    }
}
