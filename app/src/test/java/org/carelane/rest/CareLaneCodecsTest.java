package org.carelane.rest;

import org.carelane.api.AuditEntry;
import org.carelane.api.CareLaneStatus;
import org.carelane.api.SliceStats;
import org.junit.jupiter.api.Test;
import org.onosproject.codec.CodecService;
import org.onosproject.codec.JsonCodec;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

class CareLaneCodecsTest {

    /** As ONOS's CodecManager: codecs by entity class. */
    private static final class Codecs implements CodecService {
        final Map<Class<?>, JsonCodec<?>> codecs = new HashMap<>();

        @Override
        public Set<Class<?>> getCodecs() {
            return codecs.keySet();
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> JsonCodec<T> getCodec(Class<T> entityClass) {
            return (JsonCodec<T>) codecs.get(entityClass);
        }

        @Override
        public <T> void registerCodec(Class<T> entityClass, JsonCodec<T> codec) {
            codecs.put(entityClass, codec);
        }

        @Override
        public void unregisterCodec(Class<?> entityClass) {
            codecs.remove(entityClass);
        }
    }

    @Test
    void careLanesCodecsAreRegisteredWhileTheComponentIsActive() {
        Codecs service = new Codecs();
        CareLaneCodecs component = new CareLaneCodecs();
        component.codecService = service;
        component.activate();
        assertTrue(service.getCodec(CareLaneStatus.class) instanceof StatusCodec);
        assertTrue(service.getCodec(AuditEntry.class) instanceof AuditEntryCodec);
        assertTrue(service.getCodec(SliceStats.class) instanceof SliceStatsCodec);
        assertTrue(service.getCodec(org.carelane.api.DevicePolicy.class) instanceof DevicePolicyCodec);
        assertTrue(service.getCodec(org.carelane.api.SliceDefinition.class) instanceof SliceCodec);
        assertTrue(service.getCodec(org.carelane.api.PeakSchedule.class) instanceof ScheduleJsonCodec);
        assertTrue(service.getCodec(org.carelane.api.ProfileOverride.class) instanceof OverrideCodec);
        component.deactivate();
        assertTrue(service.getCodecs().isEmpty(), "all unregistered: " + service.getCodecs());
    }
}
