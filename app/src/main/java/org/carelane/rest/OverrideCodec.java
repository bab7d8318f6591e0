package org.carelane.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carelane.api.ProfileOverride;
import org.onosproject.codec.CodecContext;
import org.onosproject.codec.JsonCodec;

/** JSON of a profile override (GET /onos/carelane/override, and in /status). */
public final class OverrideCodec extends JsonCodec<ProfileOverride> {
    @Override
    public ObjectNode encode(ProfileOverride o, CodecContext context) {
        return context.mapper().createObjectNode().put("profile", o.profile().jsonName())
                .put("expiresAt", o.expiresAt().toString()).put("user", o.user()).put("reason", o.reason());
    }
}
