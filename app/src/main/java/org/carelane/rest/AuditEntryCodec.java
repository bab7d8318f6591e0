package org.carelane.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carelane.api.AuditEntry;
import org.onosproject.codec.CodecContext;
import org.onosproject.codec.JsonCodec;

/** JSON of one {@link AuditEntry}, as GET /onos/carelane/audit lists them. */
public final class AuditEntryCodec extends JsonCodec<AuditEntry> {
    @Override
    public ObjectNode encode(AuditEntry a, CodecContext context) {
        return context.mapper().createObjectNode().put("seq", a.seq()).put("time", a.time().toString())
                .put("user", a.user()).put("source", a.source()).put("action", a.action()).put("before", a.before())
                .put("after", a.after());
    }
}
