package org.carelane.rest;

import org.carelane.api.AuditEntry;
import org.carelane.api.CareLaneStatus;
import org.carelane.api.DevicePolicy;
import org.carelane.api.PeakSchedule;
import org.carelane.api.ProfileOverride;
import org.carelane.api.SliceDefinition;
import org.carelane.api.SliceStats;
import org.onosproject.codec.CodecService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;

/** Registers CareLane's JSON codecs with ONOS's CodecService, as ONOS's own apps do. */
@Component(immediate = true)
public class CareLaneCodecs {
    @Reference(cardinality = ReferenceCardinality.MANDATORY)
    protected CodecService codecService;

    @Activate
    protected void activate() {
        codecService.registerCodec(CareLaneStatus.class, new StatusCodec());
        codecService.registerCodec(AuditEntry.class, new AuditEntryCodec());
        codecService.registerCodec(SliceStats.class, new SliceStatsCodec());
        codecService.registerCodec(DevicePolicy.class, new DevicePolicyCodec());
        codecService.registerCodec(SliceDefinition.class, new SliceCodec());
        codecService.registerCodec(PeakSchedule.class, new ScheduleJsonCodec());
        codecService.registerCodec(ProfileOverride.class, new OverrideCodec());
    }

    @Deactivate
    protected void deactivate() {
        codecService.unregisterCodec(CareLaneStatus.class);
        codecService.unregisterCodec(AuditEntry.class);
        codecService.unregisterCodec(SliceStats.class);
        codecService.unregisterCodec(DevicePolicy.class);
        codecService.unregisterCodec(SliceDefinition.class);
        codecService.unregisterCodec(PeakSchedule.class);
        codecService.unregisterCodec(ProfileOverride.class);
    }
}
