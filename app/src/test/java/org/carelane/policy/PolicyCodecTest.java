package org.carelane.policy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carelane.api.PolicyException;
import org.carelane.api.Profile;
import org.carelane.api.SlicePolicy;
import org.carelane.testing.SampleConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.LocalTime;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyCodecTest {

    @Test
    void sampleConfigParsesWithPhbMarks() {
        SlicePolicy p = PolicyCodec.parse(SampleConfig.hospital());
        assertEquals(4, p.slices().size());
        assertEquals(Dscp.EF, p.slice("clinical").orElseThrow().dscp());
        assertEquals(Dscp.CS1, p.slice("social").orElseThrow().dscp());
        assertTrue(p.slice("blocked").orElseThrow().drop());
        assertEquals(4000, p.slice("social").orElseThrow().rates(Profile.PEAK).maxKbps());
        assertEquals(LocalTime.NOON, p.schedule().windows().get(0).start());
        assertEquals(20000, p.devices().get(0).uplinkKbps());
    }

    @Test
    void encodeThenParseIsIdentity() {
        SlicePolicy p = PolicyCodec.parse(SampleConfig.hospital());
        assertEquals(p, PolicyCodec.parse(PolicyCodec.encode(p)));
    }

    private static PolicyException reject(Consumer<ObjectNode> edit) {
        ObjectNode block = SampleConfig.hospital();
        edit.accept(block);
        return assertThrows(PolicyException.class, () -> PolicyCodec.parse(block));
    }

    private static ObjectNode slice(ObjectNode block, int i) {
        return (ObjectNode) block.get("slices").get(i);
    }

    @Test
    void malformedPrefixNamesTheField() {
        PolicyException e = reject(b -> ((ArrayNode) b.get("prefixLists").get("internet")).add("10.300.0.0/16"));
        assertEquals("prefixLists.internet[1]", e.field());
    }

    @Test
    void ipv6PrefixesAreAcceptedAndMalformedOnesNamed() {
        ObjectNode doc = SampleConfig.hospital().deepCopy();
        ((ArrayNode) doc.get("prefixLists").get("internet")).add("2001:db8:200::/48").add("2001:db8:200::66");
        SlicePolicy p = PolicyCodec.parse(doc);
        assertEquals("[10.200.0.0/16, 2001:db8:200::/48, 2001:db8:200::66/128]",
                p.prefixLists().get("internet").toString());
        assertEquals(p, PolicyCodec.parse(PolicyCodec.encode(p)));
        assertEquals("prefixLists.internet[1]", reject(b -> ((ArrayNode) b.get("prefixLists").get("internet"))
                .add("2001:db8::g/32")).field());
    }

    @Test
    void aRuleWhoseSourceAndDestinationAreOfDifferentIpVersionsIsRejected() {
        PolicyException e = reject(b -> ((ArrayNode) slice(b, 1).get("rules")).addObject()
                .put("srcPrefixList", "nhs-clinical").putArray("dstPrefixes").add("2001:db8::/32"));
        assertEquals("slices[1].rules[2]", e.field());
        assertTrue(e.getMessage().contains("different IP versions"), e.getMessage());
        assertEquals("slices[1].rules[2]", reject(b -> ((ArrayNode) slice(b, 1).get("rules")).addObject()
                .put("ipProto", "icmpv6").putArray("dstPrefixes").add("10.1.0.0/16")).field());
    }

    @Test
    void minAboveMaxIsRejected() {
        PolicyException e = reject(b -> ((ObjectNode) slice(b, 2).get("rates").get("peak")).put("minKbps", 5000));
        assertEquals("slices[2].rates.peak.minKbps", e.field());
    }

    @Test
    void zeroMaxIsRejected() {
        PolicyException e = reject(b -> ((ObjectNode) slice(b, 2).get("rates").get("offPeak")).put("maxKbps", 0));
        assertEquals("slices[2].rates.offPeak.maxKbps", e.field());
    }

    @Test
    void reservationsAboveUplinkAreRejected() {
        PolicyException e = reject(b -> ((ObjectNode) slice(b, 3).get("rates").get("peak")).put("minKbps", 6000));
        assertEquals("slices[3].rates.peak.minKbps", e.field());
        assertTrue(e.getMessage().contains("above uplink capacity 20000"), e.getMessage());
    }

    @Test
    void maxAboveUplinkIsRejected() {
        PolicyException e = reject(b -> ((ObjectNode) slice(b, 1).get("rates").get("peak")).put("maxKbps", 25000));
        assertEquals("slices[1].rates.peak.maxKbps", e.field());
    }

    @Test
    void unknownPrefixListIsRejected() {
        PolicyException e = reject(b -> ((ObjectNode) slice(b, 1).get("rules").get(0)).put("dstPrefixList", "nope"));
        assertEquals("slices[1].rules[0].dstPrefixList", e.field());
    }

    @Test
    void duplicateSliceNameAndPriorityAreRejected() {
        assertEquals("slices[3].name", reject(b -> slice(b, 3).put("name", "social")).field());
        assertEquals("slices[3].priority", reject(b -> slice(b, 3).put("priority", 200)).field());
    }

    @Test
    void portsNeedTcpOrUdp() {
        PolicyException e = reject(b -> ((ObjectNode) slice(b, 1).get("rules").get(0))
                .put("ipProto", "icmp").put("dstPort", 443));
        assertEquals("slices[1].rules[0].ipProto", e.field());
    }

    @ParameterizedTest
    @CsvSource({
        "dscp, 64, slices[1].dscp",
        "dscp, XX9, slices[1].dscp",
        "queue, -1, slices[1].queue",
        "priority, 5000, slices[1].priority",
        "action, shape, slices[1].action",
    })
    void badSliceFieldsAreNamed(String field, String value, String path) {
        PolicyException e = reject(b -> {
            try {
                slice(b, 1).put(field, Long.parseLong(value));
            } catch (NumberFormatException nfe) {
                slice(b, 1).put(field, value);
            }
        });
        assertEquals(path, e.field());
    }

    @ParameterizedTest
    @CsvSource({
        "zone, Europe/Cardiff, schedule.zone",
        "peakStart, 25:00, schedule.peakStart",
        "peakEnd, 11:00, schedule.peakEnd",
    })
    void badScheduleFieldsAreNamed(String field, String value, String path) {
        assertEquals(path, reject(b -> ((ObjectNode) b.get("schedule")).put(field, value)).field());
    }

    @Test
    void badCalendarsAreNamed() {
        assertEquals("schedule.windows[2]", reject(b -> {
            ObjectNode schedule = (ObjectNode) b.get("schedule");
            schedule.remove("peakStart");
            schedule.remove("peakEnd");
            ArrayNode windows = schedule.putArray("windows");
            windows.addObject().put("start", "07:30").put("end", "09:00");
            windows.addObject().put("start", "12:00").put("end", "14:00");
            windows.addObject().put("start", "08:45").put("end", "10:00");
        }).field());
        assertEquals("schedule.windows", reject(b -> ((ObjectNode) b.get("schedule")).putArray("windows")
                .addObject().put("start", "07:30").put("end", "09:00")).field(), "windows and peakStart both given");
        assertEquals("schedule.holidays[1]", reject(b -> ((ObjectNode) b.get("schedule")).putArray("holidays")
                .add("2026-12-25").add("2026-02-30")).field());
        assertEquals("schedule.holiday", reject(b -> ((ObjectNode) b.get("schedule")).putArray("holiday")
                .add("2026-12-25")).field(), "a misspelt field is not ignored");
    }

    @Test
    void theShippedNetcfgKeepsChristmasDay2026OffPeak() {
        SlicePolicy p = PolicyCodec.parse(SampleConfig.hospital());
        assertEquals(Profile.OFF_PEAK, ScheduleCalculator.scheduled(p.schedule(),
                java.time.Instant.parse("2026-12-25T12:30:00Z")), "bank holiday (a Friday)");
        assertEquals(Profile.PEAK, ScheduleCalculator.scheduled(p.schedule(),
                java.time.Instant.parse("2026-12-24T12:30:00Z")));
    }

    @Test
    void holidaysAndWindowsSurviveEncoding() {
        ObjectNode doc = SampleConfig.hospital().deepCopy();
        ObjectNode schedule = (ObjectNode) doc.get("schedule");
        schedule.remove("peakStart");
        schedule.remove("peakEnd");
        schedule.putArray("windows").addObject().put("start", "12:00").put("end", "14:00");
        ((ArrayNode) schedule.get("windows")).addObject().put("start", "07:30").put("end", "08:00");
        schedule.putArray("holidays").add("2026-12-28").add("2026-12-25");
        SlicePolicy p = PolicyCodec.parse(doc);
        assertEquals("[07:30-08:00, 12:00-14:00]", p.schedule().windows().toString());
        assertEquals("[2026-12-25, 2026-12-28]", p.schedule().holidays().toString());
        assertEquals(p, PolicyCodec.parse(PolicyCodec.encode(p)));
    }

    private static ObjectNode withBreakout() {
        return SampleConfig.withBreakout();
    }

    @Test
    void egressLinksAndSteeringParseAndSurviveEncoding() {
        SlicePolicy p = PolicyCodec.parse(withBreakout());
        assertEquals("[EgressLink[breakout port 3, 30000 kbps, vlan 100]]",
                p.devices().get(0).links().values().toString());
        assertEquals("Steering[breakout, peak]", p.slice("social").orElseThrow().egress().toString());
        assertEquals(p, PolicyCodec.parse(PolicyCodec.encode(p)));
    }

    @Test
    void badEgressIsNamed() {
        ObjectNode base = withBreakout();
        assertEquals("slices[2].egress.link", assertThrows(PolicyException.class, () -> PolicyCodec.parse(
                edit(base, b -> ((ObjectNode) slice(b, 2).get("egress")).put("link", "satellite")))).field());
        assertEquals("slices[2].egress.when", assertThrows(PolicyException.class, () -> PolicyCodec.parse(
                edit(base, b -> ((ObjectNode) slice(b, 2).get("egress")).put("when", "lunch")))).field());
        assertEquals("devices[0].links.breakout.vlan", assertThrows(PolicyException.class, () -> PolicyCodec.parse(
                edit(base, b -> ((ObjectNode) b.get("devices").get(0).get("links").get("breakout"))
                        .put("vlan", 4095)))).field());
        assertEquals("slices[0].egress", assertThrows(PolicyException.class, () -> PolicyCodec.parse(
                edit(base, b -> slice(b, 0).putObject("egress").put("link", "breakout")))).field(),
                "a drop slice has no egress");
        PolicyException loop = assertThrows(PolicyException.class, () -> PolicyCodec.parse(edit(base, b ->
                ((ArrayNode) slice(b, 2).get("rules")).addObject().put("ingress", "of:0000000000000001/3"))));
        assertEquals("slices[2].egress", loop.field());
        assertTrue(loop.getMessage().contains("egress loop"), loop.getMessage());
    }

    @Test
    void aLinksNextHopMacIsAUnicastMacAndUnknownLinkFieldsAreNamed() {
        ObjectNode base = withBreakout();
        SlicePolicy p = PolicyCodec.parse(edit(base, b -> breakout(b).put("nextHopMac", "02:0A:00:00:00:FE")));
        assertEquals("[EgressLink[breakout port 3, 30000 kbps, vlan 100, next hop 02:0A:00:00:00:FE]]",
                p.devices().get(0).links().values().toString());
        assertEquals(p, PolicyCodec.parse(PolicyCodec.encode(p)));
        for (String bad : List.of("02:0a:00:00:00", "gateway", "01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff",
                "00:00:00:00:00:00")) {
            PolicyException e = assertThrows(PolicyException.class, () -> PolicyCodec.parse(edit(base, b ->
                    breakout(b).put("nextHopMac", bad))), bad);
            assertEquals("devices[0].links.breakout.nextHopMac", e.field(), bad);
        }
        PolicyException typo = assertThrows(PolicyException.class, () -> PolicyCodec.parse(edit(base, b ->
                breakout(b).put("nexthopMac", "02:0a:00:00:00:fe"))));
        assertEquals("devices[0].links.breakout.nexthopMac", typo.field());
        assertTrue(typo.getMessage().contains("unknown field"), typo.getMessage());
    }

    private static ObjectNode breakout(ObjectNode doc) {
        return (ObjectNode) doc.get("devices").get(0).get("links").get("breakout");
    }

    @Test
    void eachLinkCarriesTheReservationsOfTheSlicesThatLeaveByIt() {
        // Steered away at peak, social's 4 Mbit/s no longer counts on the 20 Mbit/s uplink...
        SlicePolicy p = PolicyCodec.parse(edit(withBreakout(), b ->
                ((ObjectNode) slice(b, 1).get("rates").get("peak")).put("maxKbps", 19000).put("minKbps", 19000)));
        assertEquals(19000, p.slice("clinical").orElseThrow().rates(Profile.PEAK).minKbps());
        // ...but it does off-peak, and the breakout's own capacity holds social at peak.
        PolicyException off = assertThrows(PolicyException.class, () -> PolicyCodec.parse(edit(withBreakout(), b ->
                ((ObjectNode) slice(b, 1).get("rates").get("offPeak")).put("maxKbps", 19000).put("minKbps", 19000))));
        assertEquals("slices[2].rates.offPeak.minKbps", off.field());
        PolicyException link = assertThrows(PolicyException.class, () -> PolicyCodec.parse(edit(withBreakout(), b ->
                ((ObjectNode) b.get("devices").get(0).get("links").get("breakout")).put("kbps", 3000))));
        assertEquals("slices[2].rates.peak.maxKbps", link.field());
        assertTrue(link.getMessage().contains("link 'breakout' capacity 3000"), link.getMessage());
    }

    private static ObjectNode edit(ObjectNode base, Consumer<ObjectNode> change) {
        ObjectNode copy = base.deepCopy();
        change.accept(copy);
        return copy;
    }

    @Test
    void badDevicesAreNamed() {
        assertEquals("devices[0].deviceId", reject(b -> ((ObjectNode) b.get("devices").get(0))
                .put("deviceId", "switch1")).field());
        assertEquals("devices[0].uplinkKbps", reject(b -> ((ObjectNode) b.get("devices").get(0))
                .put("uplinkKbps", -5)).field());
        assertEquals("devices[0].output", reject(b -> ((ObjectNode) b.get("devices").get(0))
                .put("output", "FLOOD")).field());
    }

    @Test
    void malformedJsonIsABodyError() {
        PolicyException e = assertThrows(PolicyException.class, () -> PolicyCodec.readTree("{\"slices\": ["));
        assertEquals("(body)", e.field());
    }

    @Test
    void dscpNamesFollowPhbConventions() {
        assertEquals(46, Dscp.parse("ef"));
        assertEquals(34, Dscp.parse("AF41"));
        assertEquals(8, Dscp.parse("CS1"));
        assertEquals(1, Dscp.parse("LE"));
        assertEquals(0xb8, Dscp.tos(46));
        assertThrows(IllegalArgumentException.class, () -> Dscp.parse("64"));
    }

    @Test
    void aSliceMayHaveItsOwnBurstAndTheDefaultIs300Ms() {
        ObjectNode block = SampleConfig.hospital();
        block.remove("burstMs");
        slice(block, 2).put("burstMs", 800);
        SlicePolicy p = PolicyCodec.parse(block);
        assertEquals(300, p.burstMs(p.requireSlice("clinical")), "the policy default");
        assertEquals(800, p.burstMs(p.requireSlice("social")));
        assertEquals(p, PolicyCodec.parse(PolicyCodec.encode(p)), "the slice's burst survives encoding");
    }

    @Test
    void aSliceBurstOutOfRangeOrOnADropSliceIsRejected() {
        assertEquals("slices[2].burstMs", reject(b -> slice(b, 2).put("burstMs", 0)).field());
        assertEquals("slices[2].burstMs", reject(b -> slice(b, 2).put("burstMs", 10_001)).field());
        PolicyException drop = reject(b -> slice(b, 0).put("burstMs", 300));
        assertEquals("slices[0].burstMs", drop.field());
    }

    @Test
    void burstIsTimeAtRateWithAFloor() {
        assertEquals(400, RateMath.burstKbits(4000, 100));
        assertEquals(RateMath.MIN_BURST_KBITS, RateMath.burstKbits(64, 100));
    }
}
