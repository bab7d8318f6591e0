package org.carelane.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carelane.api.PeakSchedule;
import org.carelane.policy.ScheduleCodec;
import org.onosproject.codec.CodecContext;
import org.onosproject.codec.JsonCodec;

/** JSON of the peak schedule as GET /onos/carelane/schedule shows it: its netcfg form. */
public final class ScheduleJsonCodec extends JsonCodec<PeakSchedule> {
    @Override
    public ObjectNode encode(PeakSchedule schedule, CodecContext context) {
        return ScheduleCodec.encode(schedule);
    }
}
