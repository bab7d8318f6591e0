package org.carelane.rest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carelane.api.DevicePolicy;
import org.carelane.api.DeviceUplink;
import org.carelane.api.Profile;
import org.carelane.api.SliceDefinition;
import org.carelane.api.SliceRates;
import org.carelane.policy.ScheduleCodec;
import org.onosproject.codec.CodecContext;
import org.onosproject.codec.JsonCodec;

/**
 * JSON of a device's effective policy (GET /onos/carelane/devices/{id}/policy): each slice's
 * rates on this device in kbit/s and its schedule, and the scope and field each comes from.
 */
public final class DevicePolicyCodec extends JsonCodec<DevicePolicy> {
    @Override
    public ObjectNode encode(DevicePolicy p, CodecContext context) {
        DeviceUplink d = p.device();
        ObjectNode root = context.mapper().createObjectNode().put("deviceId", d.deviceId().toString())
                .put("uplinkKbps", d.uplinkKbps());
        d.board().ifPresent(b -> root.put("board", b));
        d.siteClass().ifPresent(c -> root.put("siteClass", c));
        ObjectNode schedule = ScheduleCodec.encode(p.policy().schedule());
        schedule.set("from", source(p.scheduleSource(), context));
        root.set("schedule", schedule);
        ArrayNode slices = root.putArray("slices");
        for (SliceDefinition s : p.policy().slices()) {
            ObjectNode slice = slices.addObject().put("name", s.name()).put("action", s.drop() ? "drop" : "forward");
            if (s.drop()) {
                continue;
            }
            ObjectNode egress = slice.putObject("egress");
            if (s.egress() == null) {
                egress.put("link", "uplink");
            } else {
                egress.put("link", s.egress().link()).put("when", s.egress().when().jsonName());
            }
            p.egressSource(s.name()).ifPresent(src -> egress.set("from", source(src, context)));
            ObjectNode rates = slice.putObject("rates");
            for (Profile profile : Profile.values()) {
                SliceRates r = s.rates(profile);
                ObjectNode node = rates.putObject(profile.jsonName()).put("maxKbps", r.maxKbps())
                        .put("minKbps", r.minKbps());
                p.source(s.name(), profile, true).ifPresent(src -> node.set("maxFrom", source(src, context)));
                p.source(s.name(), profile, false).ifPresent(src -> node.set("minFrom", source(src, context)));
            }
        }
        ObjectNode lists = root.putObject("prefixLists");
        p.policy().prefixLists().forEach((name, prefixes) -> {
            ArrayNode a = lists.putArray(name);
            prefixes.forEach(prefix -> a.add(prefix.toString()));
        });
        return root;
    }

    private static ObjectNode source(DevicePolicy.Source src, CodecContext context) {
        return context.mapper().createObjectNode().put("scope", src.scope()).put("field", src.field());
    }
}
