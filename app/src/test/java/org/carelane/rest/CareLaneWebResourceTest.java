package org.carelane.rest;

import com.fasterxml.jackson.databind.JsonNode;
import org.carelane.api.SlicePolicy;
import org.carelane.impl.CareLaneTestBed;
import org.carelane.policy.PolicyCodec;
import org.carelane.testing.SampleConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.onosproject.net.DeviceId;

import javax.ws.rs.core.Response;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CareLaneWebResourceTest {
    static final Instant WED_MORNING = Instant.parse("2026-01-14T09:00:00Z");
    private static final DeviceId GW = DeviceId.deviceId("of:0000000000000001");
    private CareLaneTestBed bed;
    private RestHarness rest;

    @BeforeEach
    void setUp() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        rest = RestHarness.start(bed.manager, "alice");
    }

    @AfterEach
    void tearDown() throws Exception {
        rest.tearDown();
        bed.close();
    }

    static JsonNode json(Response r) {
        return PolicyCodec.readTree(r.readEntity(String.class));
    }

    private long socialMeterRate() {
        return bed.meters.liveMeters(GW).stream().map(m -> m.bands().iterator().next().rate())
                .filter(rate -> rate != 20000L).findFirst().orElseThrow();
    }

    @Test
    void listsSlicesWithActiveRates() {
        Response r = rest.get("slices");
        assertEquals(200, r.getStatus());
        JsonNode body = json(r);
        assertEquals("offPeak", body.get("activeProfile").asText());
        assertEquals(4, body.get("slices").size());
        JsonNode social = body.get("slices").get(2);
        assertEquals("social", social.get("name").asText());
        assertEquals(15000, social.get("active").get("maxKbps").asLong());
    }

    @Test
    void getsOneSliceOr404() {
        assertEquals(46, json(rest.get("slices/clinical")).get("dscp").asInt());
        Response missing = rest.get("slices/gaming");
        assertEquals(404, missing.getStatus());
        assertEquals("name", json(missing).get("field").asText());
    }

    @Test
    void putBandwidthSwapsTheMeterAndIsAudited() {
        Response r = rest.put("slices/social/bandwidth", "{\"profile\":\"offPeak\",\"maxKbps\":8000,\"minKbps\":0}");
        assertEquals(200, r.getStatus(), r.toString());
        assertEquals(8000, json(r).get("active").get("maxKbps").asLong());
        assertEquals(8000, socialMeterRate());
        assertEquals(3, bed.meters.liveMeters(GW).size());
        JsonNode last = json(rest.get("audit?limit=1")).get("entries").get(0);
        assertEquals("alice", last.get("user").asText());
        assertEquals("rest", last.get("source").asText());
        assertEquals("set-rate social offPeak", last.get("action").asText());
        assertTrue(last.get("before").asText().contains("\"maxKbps\":15000"));
        assertTrue(last.get("after").asText().contains("\"maxKbps\":8000"));
    }

    @Test
    void putBandwidthKeepsMinWhenOmitted() {
        assertEquals(200, rest.put("slices/clinical/bandwidth", "{\"profile\":\"peak\",\"maxKbps\":18000}")
                .getStatus());
        assertEquals(15000, bed.manager.policy().orElseThrow().slice("clinical").orElseThrow()
                .rates(org.carelane.api.Profile.PEAK).minKbps());
    }

    @org.junit.jupiter.api.Test
    void aJsonSyntaxErrorSaysWhere() {
        Response r = rest.put("slices/social/bandwidth", "{\n  \"profile\": \"peak\",\n  \"maxKbps\": 1000,,\n}");
        assertEquals(400, r.getStatus());
        String error = json(r).get("error").asText();
        assertTrue(error.startsWith("is not valid JSON at line 3, column 20: Unexpected character (','"),
                error);
    }

    @ParameterizedTest(name = "{0} -> 400 {2}")
    @CsvSource(delimiter = '|', value = {
        "unknown slice      | gaming   | slice           | {\"profile\":\"peak\",\"maxKbps\":1000}",
        "zero max           | social   | maxKbps         | {\"profile\":\"peak\",\"maxKbps\":0}",
        "negative max       | social   | maxKbps         | {\"profile\":\"peak\",\"maxKbps\":-100}",
        "negative min       | social   | minKbps         | {\"profile\":\"peak\",\"maxKbps\":100,\"minKbps\":-1}",
        "min above max      | social   | minKbps         | {\"profile\":\"offPeak\",\"maxKbps\":1000,\"minKbps\":2000}",
        "over uplink        | social   | minKbps         | {\"profile\":\"peak\",\"maxKbps\":9000,\"minKbps\":9000}",
        "max over uplink    | default  | maxKbps         | {\"profile\":\"peak\",\"maxKbps\":20001}",
        "string rate        | social   | maxKbps         | {\"profile\":\"peak\",\"maxKbps\":\"4000\"}",
        "fraction rate      | social   | maxKbps         | {\"profile\":\"peak\",\"maxKbps\":4000.5}",
        "huge rate          | social   | maxKbps         | {\"profile\":\"peak\",\"maxKbps\":99999999999999999999}",
        "missing max        | social   | maxKbps         | {\"profile\":\"peak\"}",
        "missing profile    | social   | profile         | {\"maxKbps\":1000}",
        "bad profile        | social   | profile         | {\"profile\":\"lunch\",\"maxKbps\":1000}",
        "typo field         | social   | maxkbps         | {\"profile\":\"peak\",\"maxkbps\":1000}",
        "malformed JSON     | social   | (body)          | {\"profile\":\"peak\",",
        "array body         | social   | (body)          | [1,2]",
        "blocked has no rate| blocked  | slice           | {\"profile\":\"peak\",\"maxKbps\":1000}",
    })
    void badBandwidthIs400NamingTheFieldAndChangesNothing(String label, String slice, String field, String body) {
        SlicePolicy before = bed.manager.policy().orElseThrow();
        int audit = bed.manager.audit(1000).size();
        int meterOps = bed.meters.submits + bed.meters.withdraws;
        Response r = rest.put("slices/" + slice + "/bandwidth", body);
        assertEquals(400, r.getStatus(), label);
        JsonNode err = json(r);
        assertEquals(field, err.get("field").asText(), err.toString());
        assertFalse(err.get("error").asText().isBlank());
        assertEquals(before, bed.manager.policy().orElseThrow());
        assertEquals(audit, bed.manager.audit(1000).size());
        assertEquals(meterOps, bed.meters.submits + bed.meters.withdraws);
    }

    @Test
    void scheduleCanBeReadAndReplaced() {
        JsonNode s = json(rest.get("schedule"));
        assertEquals("12:00", s.get("peakStart").asText());
        assertEquals("2026-01-14T12:00:00Z", s.get("nextChange").asText());
        Response r = rest.put("schedule", "{\"zone\":\"Europe/London\",\"peakStart\":\"08:30\",\"peakEnd\":\"10:00\","
                + "\"days\":[\"MON\",\"TUE\",\"WED\",\"THU\",\"FRI\"]}");
        assertEquals(200, r.getStatus());
        assertEquals("peak", json(r).get("activeProfile").asText(), "09:00 GMT is now inside the window");
        assertEquals(4000, socialMeterRate());
    }

    @Test
    void aSliceIsSteeredToAnEgressLinkAndBackOverRest() throws Exception {
        rest.tearDown();
        bed.close();
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.withBreakout());
        rest = RestHarness.start(bed.manager, "alice");
        assertEquals(200, rest.delete("slices/social/egress").getStatus());
        assertEquals(400, rest.put("slices/social/egress", "{\"link\":\"satellite\"}").getStatus());
        Response bad = rest.put("slices/social/egress", "{\"link\":\"breakout\",\"when\":\"lunch\"}");
        assertEquals(400, bad.getStatus());
        assertEquals("when", json(bad).get("field").asText());
        Response r = rest.put("slices/social/egress", "{\"link\":\"breakout\",\"when\":\"always\"}");
        assertEquals(200, r.getStatus());
        assertEquals("always", json(r).get("egress").get("when").asText());
        org.carelane.testing.Probe social = new org.carelane.testing.Probe("10.1.2.21", "10.200.0.10", 6);
        assertTrue(bed.flows.switchTreatment(GW, social).allInstructions().stream().anyMatch(i ->
                i instanceof org.onosproject.net.flow.instructions.Instructions.OutputInstruction
                && ((org.onosproject.net.flow.instructions.Instructions.OutputInstruction) i).port().toLong() == 3),
                "social leaves by the breakout, port 3");
        assertEquals(200, rest.delete("slices/social/egress").getStatus());
        assertTrue(json(rest.get("slices/social")).path("egress").isMissingNode());
    }

    @Test
    void metricsAreServedAsPrometheusText() {
        Response r = rest.get("metrics");
        assertEquals(200, r.getStatus());
        assertTrue(r.getMediaType().isCompatible(javax.ws.rs.core.MediaType.TEXT_PLAIN_TYPE),
                r.getMediaType().toString());
        assertEquals("0.0.4", r.getMediaType().getParameters().get("version"));
        String text = r.readEntity(String.class);
        assertTrue(text.contains("# TYPE carelane_slice_bytes_total counter\n"), text);
        assertTrue(text.contains("carelane_active_profile{profile=\"offPeak\"} 1\n"), text);
    }

    @Test
    void scheduleTakesHolidaysAndWindowsAndListsTheNextFiveSwitchOvers() {
        Response r = rest.put("schedule", "{\"windows\":[{\"start\":\"12:00\",\"end\":\"14:00\"},"
                + "{\"start\":\"16:00\",\"end\":\"17:00\"}],\"holidays\":[\"2026-01-15\"]}");
        assertEquals(200, r.getStatus());
        JsonNode s = json(r);
        assertEquals("[\"2026-01-15\"]", s.get("holidays").toString());
        assertEquals(2, s.get("windows").size());
        JsonNode next = s.get("nextSwitchOvers");
        assertEquals(5, next.size(), next.toString());
        assertEquals("2026-01-14T12:00:00Z", next.get(0).get("at").asText());
        assertEquals("peak", next.get(0).get("profile").asText());
        assertEquals("2026-01-14T16:00:00Z", next.get(2).get("at").asText());
        assertEquals("2026-01-16T12:00:00Z", next.get(4).get("at").asText(), "Thursday 15th is a holiday");
        assertEquals("2026-01-14T12:00Z", next.get(0).get("local").asText());
        Response overlap = rest.put("schedule", "{\"windows\":[{\"start\":\"12:00\",\"end\":\"14:00\"},"
                + "{\"start\":\"13:30\",\"end\":\"15:00\"}]}");
        assertEquals(400, overlap.getStatus());
        JsonNode error = json(overlap);
        assertEquals("windows[1]", error.get("field").asText());
        assertTrue(error.get("error").asText().contains("overlaps"), error.toString());
        assertEquals(2, json(rest.get("schedule")).get("windows").size(), "the rejected change left it as it was");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "schedule.peakEnd   | {\"peakStart\":\"14:00\",\"peakEnd\":\"12:00\"}",
        "schedule.zone      | {\"zone\":\"Mars/Olympus\",\"peakStart\":\"12:00\",\"peakEnd\":\"14:00\"}",
        "schedule.peakStart | {\"peakStart\":\"noon\",\"peakEnd\":\"14:00\"}",
        "schedule.days[1]   | {\"peakStart\":\"12:00\",\"peakEnd\":\"14:00\",\"days\":[\"MON\",\"FUNDAY\"]}",
        "cron               | {\"peakStart\":\"12:00\",\"peakEnd\":\"14:00\",\"cron\":\"* * *\"}",
    })
    void badScheduleIs400(String field, String body) {
        Response r = rest.put("schedule", body);
        assertEquals(400, r.getStatus());
        assertEquals(field.replace("schedule.", ""), json(r).get("field").asText());
        assertEquals("12:00", json(rest.get("schedule")).get("peakStart").asText());
    }

    @Test
    void overrideLifecycle() {
        assertEquals(404, rest.get("override").getStatus());
        Response created = rest.post("override", "{\"profile\":\"peak\",\"durationMinutes\":30,\"reason\":\"drill\"}");
        assertEquals(201, created.getStatus());
        assertEquals("2026-01-14T09:30:00Z", json(created).get("expiresAt").asText());
        assertEquals("alice", json(rest.get("override")).get("user").asText());
        assertEquals("peak", json(rest.get("status")).get("activeProfile").asText());
        assertEquals(4000, socialMeterRate());
        assertTrue(json(rest.delete("override")).get("removed").asBoolean());
        assertFalse(json(rest.delete("override")).get("removed").asBoolean());
        assertEquals(15000, socialMeterRate());
        assertEquals(201, rest.post("override", "{\"profile\":\"offPeak\",\"expiresAt\":\"2026-01-14T10:00:00Z\"}")
                .getStatus());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "expiresAt       | {\"profile\":\"peak\",\"expiresAt\":\"2026-01-14T08:00:00Z\"}",
        "expiresAt       | {\"profile\":\"peak\",\"expiresAt\":\"tomorrow\"}",
        "expiresAt       | {\"profile\":\"peak\",\"expiresAt\":\"2027-01-14T08:00:00Z\"}",
        "expiresAt       | {\"profile\":\"peak\"}",
        "expiresAt       | {\"profile\":\"peak\",\"durationMinutes\":5,\"expiresAt\":\"2026-01-14T10:00:00Z\"}",
        "durationMinutes | {\"profile\":\"peak\",\"durationMinutes\":0}",
        "durationMinutes | {\"profile\":\"peak\",\"durationMinutes\":\"ten\"}",
        "profile         | {\"profile\":\"always\",\"durationMinutes\":5}",
        "reason          | {\"profile\":\"peak\",\"durationMinutes\":5,\"reason\":42}",
    })
    void badOverrideIs400(String field, String body) {
        Response r = rest.post("override", body);
        assertEquals(400, r.getStatus());
        assertEquals(field, json(r).get("field").asText());
        assertEquals(404, rest.get("override").getStatus());
    }

    @Test
    void statusStatsAndAudit() {
        JsonNode status = json(rest.get("status"));
        assertEquals(6, status.get("devices").get(0).get("flowRules").asInt());
        JsonNode stats = json(rest.get("stats"));
        assertEquals(4, stats.get("slices").size());
        assertEquals(2, stats.get("slices").get(1).get("flowRules").asInt());
        JsonNode audit = json(rest.get("audit"));
        assertEquals("netcfg", audit.get("entries").get(0).get("source").asText());
        assertEquals(400, rest.get("audit?limit=abc").getStatus());
        assertEquals(400, rest.get("audit?limit=0").getStatus());
    }
}
