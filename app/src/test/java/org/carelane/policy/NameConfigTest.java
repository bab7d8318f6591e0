package org.carelane.policy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carelane.api.PolicyException;
import org.carelane.api.SlicePolicy;
import org.carelane.testing.SampleConfig;
import org.junit.jupiter.api.Test;
import org.onlab.packet.IpAddress;

import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** nameLists, dstNameList and dns in netcfg (issue 17). */
class NameConfigTest {
    private static PolicyException reject(Consumer<ObjectNode> edit) {
        ObjectNode block = SampleConfig.withNames();
        edit.accept(block);
        return assertThrows(PolicyException.class, () -> PolicyCodec.parse(block));
    }

    private static ObjectNode slice(ObjectNode block, String name) {
        for (var s : block.get("slices")) {
            if (s.get("name").asText().equals(name)) {
                return (ObjectNode) s;
            }
        }
        throw new AssertionError(name);
    }

    @Test
    void namesParseAndSurviveEncoding() {
        SlicePolicy p = PolicyCodec.parse(SampleConfig.withNames());
        assertEquals(List.of(IpAddress.valueOf("10.1.0.53")), p.names().resolvers());
        assertEquals("[nhs.wales, *.nhs.wales]", p.names().lists().get("work-sites").toString());
        assertEquals(4, p.names().maxLearned());
        assertEquals(p, PolicyCodec.parse(PolicyCodec.encode(p)));
        assertTrue(PolicyCodec.encode(p).get("slices").toString().contains("\"dstNameList\":\"work-sites\""));
    }

    @Test
    void aNameRuleHasNoStaticRules() {
        SlicePolicy p = PolicyCodec.parse(SampleConfig.withNames());
        SlicePolicy without = PolicyCodec.parse(SampleConfig.hospital());
        var device = p.devices().get(0);
        java.util.Map<String, org.onosproject.net.meter.MeterId> meters = new java.util.HashMap<>();
        long i = 1;
        for (var s : p.slices()) {
            meters.put(s.name(), org.onosproject.net.meter.MeterId.meterId(i++));
        }
        var app = new org.onosproject.TestApplicationId("t");
        assertEquals(FlowCompiler.compile(without, device, meters, app, org.carelane.api.Profile.PEAK).size(),
                FlowCompiler.compile(p, device, meters, app, org.carelane.api.Profile.PEAK).size(),
                "rules by name only get rules for their learned addresses");
    }

    @Test
    void badNameEntriesAreNamed() {
        assertEquals("nameLists.social-media[2]",
                reject(b -> ((ArrayNode) b.get("nameLists").get("social-media")).add("*.com")).field());
        assertEquals("nameLists.social-media[2]",
                reject(b -> ((ArrayNode) b.get("nameLists").get("social-media")).add("face book.com")).field());
        assertEquals("nameLists.social-media[2]",
                reject(b -> ((ArrayNode) b.get("nameLists").get("social-media")).add(7)).field());
    }

    @Test
    void aNameRuleNeedsAKnownListOnlyNamesAndResolvers() {
        PolicyException unknown = reject(b -> ((ObjectNode) slice(b, "work-internet").get("rules").get(0))
                .put("dstNameList", "nope"));
        assertEquals("slices[4].rules[0].dstNameList", unknown.field());
        PolicyException both = reject(b -> ((ObjectNode) slice(b, "work-internet").get("rules").get(0))
                .put("dstPrefixList", "internet"));
        assertEquals("slices[4].rules[0].dstNameList", both.field());
        PolicyException noResolvers = reject(b -> b.remove("dns"));
        assertEquals("dns.resolvers", noResolvers.field());
    }

    @Test
    void badDnsSettingsAreNamed() {
        assertEquals("dns.resolvers[0]", reject(b -> ((ArrayNode) b.get("dns").get("resolvers")).insert(0, "10.1.0"))
                .field());
        assertEquals("dns.maxTtlSeconds", reject(b -> ((ObjectNode) b.get("dns")).put("maxTtlSeconds", 2)).field());
        assertEquals("dns.holdMs", reject(b -> ((ObjectNode) b.get("dns")).put("holdMs", 5000)).field());
        assertEquals("dns.maxLearned", reject(b -> ((ObjectNode) b.get("dns")).put("maxLearned", 0)).field());
        PolicyException unknown = reject(b -> ((ObjectNode) b.get("dns")).put("resolver", "10.1.0.53"));
        assertTrue(unknown.field().startsWith("dns"), unknown.field());
    }

    /**
     * The shipped sample (topologies/carelane-netcfg.json): work-related internet by name in its
     * own slice, ahead of social, which follows the social media's names as well as the internet
     * prefix list; a blocked name; the site's resolver.
     */
    @Test
    void theShippedSampleServesWorkInternetAheadOfSocialAndBlocksByName() {
        SlicePolicy p = PolicyCodec.parse(SampleConfig.shipped());
        PolicyValidator.validate(p);
        assertEquals(List.of(IpAddress.valueOf("10.150.0.10")), p.names().resolvers());
        NameRules rules = new NameRules(p);
        IpAddress staff = IpAddress.valueOf("10.1.1.11");
        assertEquals("work-internet", rules.forClient(List.of("www.nice.org.uk"), staff).orElseThrow().slice().name());
        assertEquals("work-internet", rules.forClient(List.of("bmj.com"), staff).orElseThrow().slice().name());
        assertEquals("social", rules.forClient(List.of("www.facebook.com", "star-mini.c10r.facebook.com"), staff)
                .orElseThrow().slice().name());
        assertEquals("social", rules.forClient(List.of("pbs.twimg.com"), staff).orElseThrow().slice().name());
        assertEquals("social", rules.forClient(List.of("someone.blogspot.com"), staff).orElseThrow().slice().name());
        assertEquals("blocked", rules.forClient(List.of("badsite.example"), staff).orElseThrow().slice().name());
        assertTrue(rules.forClient(List.of("example.org"), staff).isEmpty(),
                "an unlisted name keeps its prefix's slice");
        var work = p.slices().stream().filter(s -> s.name().equals("work-internet")).findFirst().orElseThrow();
        var social = p.slices().stream().filter(s -> s.name().equals("social")).findFirst().orElseThrow();
        assertTrue(work.priority() > social.priority(), "work-internet ahead of social");
        assertEquals(6000, work.rates(org.carelane.api.Profile.PEAK).maxKbps());
        assertTrue(work.rates(org.carelane.api.Profile.PEAK).maxKbps()
                > social.rates(org.carelane.api.Profile.PEAK).maxKbps(), "and served better at peak");
    }
}
