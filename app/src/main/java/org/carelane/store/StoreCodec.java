package org.carelane.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carelane.api.AuditEntry;
import org.carelane.api.InstalledMeter;
import org.carelane.api.Profile;
import org.carelane.api.ProfileOverride;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON forms of stored values: plain strings replicate without Kryo registrations. */
final class StoreCodec {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StoreCodec() {
    }

    static String override(ProfileOverride o) {
        return MAPPER.createObjectNode().put("profile", o.profile().jsonName())
                .put("expiresAt", o.expiresAt().toString()).put("user", o.user())
                .put("reason", o.reason()).toString();
    }

    static ProfileOverride override(String json) {
        JsonNode n = read(json);
        return new ProfileOverride(Profile.parse(n.get("profile").asText()),
                Instant.parse(n.get("expiresAt").asText()), n.path("user").asText(null),
                n.path("reason").asText(null));
    }

    static String meters(Map<String, InstalledMeter> meters) {
        ObjectNode root = MAPPER.createObjectNode();
        meters.forEach((slice, m) -> root.putObject(slice).put("meterId", m.meterId())
                .put("rateKbps", m.rateKbps()).put("burstKbits", m.burstKbits()));
        return root.toString();
    }

    static Map<String, InstalledMeter> meters(String json) {
        Map<String, InstalledMeter> out = new LinkedHashMap<>();
        read(json).fields().forEachRemaining(e -> out.put(e.getKey(), new InstalledMeter(
                e.getValue().get("meterId").asLong(), e.getValue().get("rateKbps").asLong(),
                e.getValue().get("burstKbits").asLong())));
        return out;
    }

    static String audit(AuditEntry a) {
        return MAPPER.createObjectNode().put("seq", a.seq()).put("time", a.time().toString())
                .put("user", a.user()).put("source", a.source()).put("action", a.action())
                .put("before", a.before()).put("after", a.after()).toString();
    }

    static AuditEntry audit(String json) {
        JsonNode n = read(json);
        return new AuditEntry(n.get("seq").asLong(), Instant.parse(n.get("time").asText()),
                n.path("user").asText(null), n.path("source").asText(null), n.path("action").asText(null),
                n.path("before").isNull() ? null : n.path("before").asText(null),
                n.path("after").isNull() ? null : n.path("after").asText(null));
    }

    private static JsonNode read(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("corrupt CareLane store value: " + json, e);
        }
    }
}
