package org.carelane.rest;

import org.carelane.api.SlicePolicy;
import org.carelane.impl.CareLaneTestBed;
import org.carelane.testing.SampleConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.onosproject.net.DeviceId;

import javax.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hundreds of bodies that are malformed by construction: all 4xx, and nothing changes. */
class RestFuzzTest {
    private static final int CASES = 600;
    private static final String[] VALID = {
        "{\"profile\":\"peak\",\"maxKbps\":4000,\"minKbps\":4000}",
        "{\"zone\":\"Europe/London\",\"peakStart\":\"12:00\",\"peakEnd\":\"14:00\",\"days\":[\"MON\",\"FRI\"]}",
        "{\"profile\":\"offPeak\",\"durationMinutes\":30,\"reason\":\"fuzz\"}",
    };
    /** A required field of each VALID body. */
    private static final String[] FIELDS = {"maxKbps", "peakEnd", "profile"};
    private static final String[] WRONG = {"null", "true", "-1", "0", "1.5", "\"\"", "[]", "{}", "\"x\"",
        "1e400", "-9223372036854775809", "\"\\u0000\"", "[[[[1]]]]", "\"25:99\"", "\"PEAK!\""};
    private CareLaneTestBed bed;
    private RestHarness rest;

    @BeforeEach
    void setUp() throws Exception {
        bed = new CareLaneTestBed(CareLaneWebResourceTest.WED_MORNING, SampleConfig.hospital());
        rest = RestHarness.start(bed.manager, "fuzzer");
    }

    @AfterEach
    void tearDown() throws Exception {
        rest.tearDown();
        bed.close();
    }

    /** One malformed body for endpoint {@code e}, of a kind picked by {@code kind}. */
    static String malformed(Random rnd, int e, int kind) {
        String valid = VALID[e];
        switch (kind) {
            case 0: // strict prefix of an object is never valid JSON
                return valid.substring(0, 1 + rnd.nextInt(valid.length() - 1));
            case 1: // a required field with a wrong type or out-of-range value
                return valid.replaceFirst("\"" + FIELDS[e] + "\":(\"[^\"]*\"|[^,}]+)",
                        "\"" + FIELDS[e] + "\":" + WRONG[rnd.nextInt(WRONG.length)]);
            case 2: // an unknown field
                return valid.replace("{", "{\"x" + Integer.toHexString(rnd.nextInt()) + "\":1,");
            case 3: // not an object
                return List.of("[]", "42", "\"peak\"", "null", "true", "[" + valid + "]").get(rnd.nextInt(6));
            case 4: // random printable junk that is not JSON
                StringBuilder sb = new StringBuilder("~");
                int n = 1 + rnd.nextInt(60);
                for (int i = 0; i < n; i++) {
                    sb.append((char) (32 + rnd.nextInt(95)));
                }
                return sb.toString();
            case 5: // deep nesting
                return "{\"profile\":" + "[".repeat(20 + rnd.nextInt(20000)) + "}";
            case 6: // oversized
                return "{\"reason\":\"" + "a".repeat(17_000 + rnd.nextInt(1000)) + "\"}";
            default: // required field removed
                return valid.replaceFirst("\"" + FIELDS[e] + "\":(\"[^\"]*\"|[^,}]+),?", "");
        }
    }

    @Test
    void malformedBodiesAreAll4xxAndStateIsUnchanged() {
        DeviceId gw = DeviceId.deviceId("of:0000000000000001");
        SlicePolicy policy = bed.manager.policy().orElseThrow();
        int audit = bed.manager.audit(1000).size();
        List<String> meters = new ArrayList<>();
        bed.meters.liveMeters(gw).forEach(m -> meters.add(m.toString()));
        int flowOps = bed.flows.adds + bed.flows.modifies + bed.flows.removes;
        Random rnd = new Random(20261125L);
        for (int i = 0; i < CASES; i++) {
            int e = i % 3;
            String body = malformed(rnd, e, (i / 3) % 8);
            Response r;
            switch (e) {
                case 0: r = rest.put("slices/social/bandwidth", body); break;
                case 1: r = rest.put("schedule", body); break;
                default: r = rest.post("override", body);
            }
            int status = r.getStatus();
            String entity = r.readEntity(String.class);
            assertTrue(status >= 400 && status < 500, "case " + i + " got " + status + " for " + body
                    + " -> " + entity);
            assertTrue(entity.contains("\"field\""), entity);
        }
        assertEquals(policy, bed.manager.policy().orElseThrow());
        assertTrue(bed.manager.override().isEmpty());
        assertEquals(audit, bed.manager.audit(1000).size());
        List<String> after = new ArrayList<>();
        bed.meters.liveMeters(gw).forEach(m -> after.add(m.toString()));
        assertEquals(meters, after);
        assertEquals(flowOps, bed.flows.adds + bed.flows.modifies + bed.flows.removes);
    }
}
