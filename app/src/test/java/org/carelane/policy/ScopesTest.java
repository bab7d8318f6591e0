package org.carelane.policy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carelane.api.DevicePolicy;
import org.carelane.api.PeakSchedule;
import org.carelane.api.PolicyException;
import org.carelane.api.Profile;
import org.carelane.api.SliceRates;
import org.carelane.api.SlicePolicy;
import org.carelane.api.Steering;
import org.carelane.testing.SampleConfig;
import org.junit.jupiter.api.Test;
import org.onlab.packet.IpPrefix;
import org.onosproject.net.DeviceId;

import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scopes (national, board, site class, site) and shares of the uplink: topologies/wales-netcfg.json. */
class ScopesTest {
    static final DeviceId GP_BCUHB = DeviceId.deviceId("of:00000000000000a1");
    static final DeviceId HOSPITAL = DeviceId.deviceId("of:00000000000000a2");
    static final DeviceId GP_CAV = DeviceId.deviceId("of:00000000000000b1");
    static final DeviceId COMMUNITY_CAV = DeviceId.deviceId("of:00000000000000b2");

    static ObjectNode wales() {
        return SampleConfig.wales();
    }

    private static DevicePolicy device(SlicePolicy p, DeviceId id) {
        return p.forDevice(id).orElseThrow();
    }

    private static SliceRates rates(SlicePolicy p, DeviceId id, String slice, Profile profile) {
        return device(p, id).policy().requireSlice(slice).rates(profile);
    }

    @Test
    void eachDeviceGetsItsOwnRatesFromTheScopesInOrder() {
        SlicePolicy p = PolicyCodec.parse(wales());
        // 10 Mbit/s GP practice: national shares, its class's larger clinical reservation.
        assertEquals(new SliceRates(1000, 0), rates(p, GP_BCUHB, "social", Profile.PEAK));
        assertEquals(new SliceRates(10000, 7000), rates(p, GP_BCUHB, "clinical", Profile.PEAK));
        assertEquals(new SliceRates(10000, 500), rates(p, GP_BCUHB, "default", Profile.PEAK));
        assertEquals(new SliceRates(7500, 500), rates(p, GP_BCUHB, "social", Profile.OFF_PEAK));
        // 1 Gbit/s hospital: its class caps social at 100 Mbit/s, the site itself opens it to 30%.
        assertEquals(new SliceRates(300_000, 0), rates(p, HOSPITAL, "social", Profile.PEAK));
        assertEquals(new SliceRates(1_000_000, 600_000), rates(p, HOSPITAL, "clinical", Profile.PEAK));
        // Cardiff and Vale's board allows 15% social at peak, at every one of its sites.
        assertEquals(new SliceRates(1500, 0), rates(p, GP_CAV, "social", Profile.PEAK));
        assertEquals(new SliceRates(15000, 0), rates(p, COMMUNITY_CAV, "social", Profile.PEAK));
        assertEquals(new SliceRates(100_000, 60_000), rates(p, COMMUNITY_CAV, "clinical", Profile.PEAK));
    }

    @Test
    void eachRateNamesTheScopeAndFieldThatSetIt() {
        SlicePolicy p = PolicyCodec.parse(wales());
        DevicePolicy.Source site = device(p, HOSPITAL).source("social", Profile.PEAK, true).orElseThrow();
        assertEquals("site of:00000000000000a2", site.scope());
        assertEquals("devices[1].slices.social.rates.peak.maxPercent", site.field());
        DevicePolicy.Source board = device(p, GP_CAV).source("social", Profile.PEAK, true).orElseThrow();
        assertEquals("board 'cav'", board.scope());
        assertEquals("boards.cav.slices.social.rates.peak.maxPercent", board.field());
        DevicePolicy.Source siteClass = device(p, GP_CAV).source("clinical", Profile.PEAK, false).orElseThrow();
        assertEquals("site class 'gp-practice'", siteClass.scope());
        DevicePolicy.Source national = device(p, GP_CAV).source("clinical", Profile.PEAK, true).orElseThrow();
        assertEquals("national", national.scope());
        assertEquals("slices[1].rates.peak.maxPercent", national.field());
    }

    @Test
    void aSitesOwnRangesExtendTheNationalListOnThatDeviceOnly() {
        SlicePolicy p = PolicyCodec.parse(wales());
        assertTrue(device(p, GP_BCUHB).policy().prefixLists().get("nhs-clinical")
                .contains(IpPrefix.valueOf("10.101.0.0/24")));
        assertEquals(p.prefixLists().get("nhs-clinical"), device(p, GP_CAV).policy().prefixLists().get("nhs-clinical"));
    }

    @Test
    void theEffectivePolicyIsWorkedOutOncePerPolicy() {
        SlicePolicy p = PolicyCodec.parse(wales());
        assertSame(device(p, HOSPITAL), device(p, HOSPITAL));
    }

    @Test
    void encodeThenParseKeepsEveryScope() {
        SlicePolicy p = PolicyCodec.parse(wales());
        SlicePolicy again = PolicyCodec.parse(PolicyCodec.encode(p).toString() + " ");
        assertEquals(p, again);
        assertEquals(device(p, HOSPITAL).policy(), device(again, HOSPITAL).policy());
    }

    @Test
    void nationalKbpsPoliciesAreUnchanged() {
        SlicePolicy p = PolicyCodec.parse(SampleConfig.hospital());
        DeviceId id = p.devices().get(0).deviceId();
        assertEquals(p.slices(), device(p, id).policy().slices());
    }

    private static PolicyException reject(Consumer<ObjectNode> edit) {
        ObjectNode block = wales();
        edit.accept(block);
        return assertThrows(PolicyException.class, () -> PolicyCodec.parse(block));
    }

    private static ObjectNode device(ObjectNode block, int i) {
        return (ObjectNode) block.get("devices").get(i);
    }

    @Test
    void aSiteOverrideAboveItsUplinkNamesTheDeviceFieldAndScope() {
        PolicyException e = reject(b -> device(b, 0).putObject("slices").putObject("social").putObject("rates")
                .putObject("peak").put("maxKbps", 20000));
        assertEquals("devices[0].slices.social.rates.peak.maxKbps", e.field());
        assertTrue(e.reason().contains("of:00000000000000a1"), e.reason());
        assertTrue(e.reason().contains("site of:00000000000000a1"), e.reason());
        assertTrue(e.reason().contains("10000 kbps"), e.reason());
    }

    @Test
    void aBoardOverrideThatOverbooksASmallSiteNamesTheBoard() {
        // 96% for clinical at peak: with the GP class's 70% clinical it fits; the community hospital
        // has clinical at the board's 96% plus default's 5%.
        PolicyException e = reject(b -> ((ObjectNode) b.get("boards").get("cav")).putObject("slices")
                .putObject("clinical").putObject("rates").putObject("peak").put("minPercent", 96));
        assertEquals("boards.cav.slices.clinical.rates.peak.minPercent", e.field());
        assertTrue(e.reason().contains("of:00000000000000b2"), e.reason());
        assertTrue(e.reason().contains("reservations total 101000"), e.reason());
    }

    @Test
    void aSiteCapBelowAnInheritedReservationNamesTheSitesField() {
        PolicyException e = reject(b -> device(b, 0).putObject("slices").putObject("default").putObject("rates")
                .putObject("peak").put("maxKbps", 400));
        assertEquals("devices[0].slices.default.rates.peak.maxKbps", e.field());
        assertTrue(e.reason().contains("500 kbps (national)"), e.reason());
    }

    @Test
    void aShareTooSmallForASmallUplinkIsRefused() {
        PolicyException e = reject(b -> ((ObjectNode) b.get("siteClasses").get("gp-practice")).putObject("slices")
                .putObject("social").putObject("rates").putObject("peak").put("maxPercent", 0.001));
        assertEquals("siteClasses.gp-practice.slices.social.rates.peak.maxPercent", e.field());
        assertTrue(e.reason().contains("0 kbps"), e.reason());
    }

    @Test
    void scopesAreDeclaredAndChangeOnlySlicesWithRates() {
        assertEquals("devices[2].board", reject(b -> device(b, 2).put("board", "nowhere")).field());
        assertEquals("devices[2].siteClass", reject(b -> device(b, 2).put("siteClass", "castle")).field());
        assertEquals("boards.cav.slices.facebook", reject(b -> ((ObjectNode) b.get("boards").get("cav"))
                .putObject("slices").putObject("facebook").putObject("rates").putObject("peak")
                .put("maxKbps", 1)).field());
        PolicyException blocked = reject(b -> device(b, 0).putObject("slices").putObject("blocked")
                .putObject("rates").putObject("peak").put("maxKbps", 1000));
        assertEquals("devices[0].slices.blocked", blocked.field());
        assertTrue(blocked.reason().contains("every scope"), blocked.reason());
        assertEquals("devices[0].prefixLists.pacs", reject(b -> device(b, 0).putObject("prefixLists")
                .putArray("pacs").add("10.9.0.0/16")).field());
    }

    @Test
    void ratesAreGivenInOneFormAndPercentIsAShare() {
        assertEquals("devices[1].slices.social.rates.peak.maxPercent", reject(b -> ((ObjectNode) device(b, 1)
                .get("slices").get("social").get("rates").get("peak")).put("maxKbps", 5)).field());
        assertEquals("devices[1].slices.social.rates.peak.maxPercent", reject(b -> ((ObjectNode) device(b, 1)
                .get("slices").get("social").get("rates").get("peak")).put("maxPercent", 101)).field());
        assertEquals("devices[1].slices.social.rates.peak", reject(b -> ((ObjectNode) device(b, 1)
                .get("slices").get("social").get("rates").get("peak")).remove("maxPercent")).field());
        assertEquals("boards.Bad", reject(b -> ((ObjectNode) b.get("boards")).putObject("Bad")).field());
    }

    @Test
    void sharesRoundDown() {
        assertEquals(new SliceRates(3333, 0), SliceRates.of(null, 33.333, null, null).resolve(10000));
        assertEquals(new SliceRates(10000, 100), SliceRates.of(null, 100.0, null, 1.0).resolve(10000));
        assertEquals("max 10%, min 500 kbps", SliceRates.of(null, 10.0, 500L, null).describe());
    }

    @Test
    void aScopeHasItsOwnScheduleNamedByFieldAndKeepsTheNationalHolidays() {
        ObjectNode json = wales();
        ((ObjectNode) json.get("boards").get("cav")).putObject("schedule").put("peakStart", "11:00")
                .put("peakEnd", "13:00");
        device(json, 0).putObject("schedule").put("peakStart", "12:30").put("peakEnd", "13:30")
                .putArray("holidays").add("2026-03-01");
        SlicePolicy p = PolicyCodec.parse(json);
        PeakSchedule cav = device(p, GP_CAV).policy().schedule();
        assertEquals("11:00-13:00", cav.windows().get(0).toString());
        assertEquals("board 'cav'", device(p, GP_CAV).scheduleSource().scope());
        assertEquals("boards.cav.schedule", device(p, GP_CAV).scheduleSource().field());
        assertTrue(cav.holidays().containsAll(p.schedule().holidays()), "national holidays hold at the board");
        PeakSchedule site = device(p, GP_BCUHB).policy().schedule();
        assertEquals("12:30-13:30", site.windows().get(0).toString());
        assertTrue(site.holidays().contains(java.time.LocalDate.parse("2026-03-01")), "and the site adds its own");
        assertTrue(site.holidays().contains(java.time.LocalDate.parse("2026-12-25")));
        assertEquals("national", device(p, HOSPITAL).scheduleSource().scope());
        assertEquals(p.schedule(), device(p, HOSPITAL).policy().schedule());
        assertEquals(p, PolicyCodec.parse(PolicyCodec.encode(p).toString()), "encoded and parsed again");

        assertEquals("boards.cav.schedule.peakEnd", reject(b -> ((ObjectNode) b.get("boards").get("cav"))
                .putObject("schedule").put("peakStart", "13:00").put("peakEnd", "25:00")).field());
        assertEquals("devices[1].schedule.zone", reject(b -> device(b, 1).putObject("schedule")
                .put("zone", "Mars/Olympus")).field());
    }

    @Test
    void aScopeSteersASliceOrSendsItBackToTheUplinkAndEachDeviceSaysWhichScopeDecided() {
        ObjectNode json = SampleConfig.walesWithCavBreakouts();
        ((ObjectNode) json.get("boards").get("cav")).with("slices").with("social").putObject("egress")
                .put("link", "breakout").put("when", "peak");
        device(json, 3).putObject("slices").putObject("social").put("egress", "uplink");
        SlicePolicy p = PolicyCodec.parse(json);
        Steering gp = device(p, GP_CAV).policy().requireSlice("social").egress();
        assertEquals("breakout", gp.link());
        assertEquals(Steering.When.PEAK, gp.when());
        assertEquals("boards.cav.slices.social.egress", device(p, GP_CAV).egressSource("social").orElseThrow().field());
        assertEquals(1500, rates(p, GP_CAV, "social", Profile.PEAK).maxKbps(), "the board's rates stay");
        assertEquals(null, device(p, COMMUNITY_CAV).policy().requireSlice("social").egress(), "its site says uplink");
        assertEquals("site of:00000000000000b2", device(p, COMMUNITY_CAV).egressSource("social").orElseThrow()
                .scope());
        assertEquals(null, device(p, GP_BCUHB).policy().requireSlice("social").egress());
        assertEquals("national", device(p, GP_BCUHB).egressSource("social").orElseThrow().scope());
        assertEquals(p, PolicyCodec.parse(PolicyCodec.encode(p).toString()), "encoded and parsed again");

        assertEquals("boards.cav.slices.social.egress.link", rejectWithBreakouts(b -> ((ObjectNode) b.get("boards")
                .get("cav")).with("slices").with("social").putObject("egress").put("link", "nowhere")).field());
        assertEquals("boards.cav.slices.blocked.egress", rejectWithBreakouts(b -> ((ObjectNode) b.get("boards")
                .get("cav")).with("slices").with("blocked").putObject("egress").put("link", "breakout")).field());
        assertEquals("devices[3].slices.social.egress", rejectWithBreakouts(b -> device(b, 3).putObject("slices")
                .putObject("social").put("egress", "wan")).field());
    }

    private static PolicyException rejectWithBreakouts(Consumer<ObjectNode> edit) {
        ObjectNode json = SampleConfig.walesWithCavBreakouts();
        edit.accept(json);
        return assertThrows(PolicyException.class, () -> PolicyCodec.parse(json));
    }
}
