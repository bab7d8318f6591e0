package org.carelane.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carelane.api.ClassifierRule;
import org.carelane.api.DeviceUplink;
import org.carelane.api.EgressLink;
import org.carelane.api.NameSettings;
import org.carelane.api.PeakSchedule;
import org.carelane.api.PolicyException;
import org.carelane.api.Profile;
import org.carelane.api.RateOverride;
import org.carelane.api.ScopeOverride;
import org.carelane.api.SliceDefinition;
import org.carelane.api.SlicePolicy;
import org.carelane.api.SliceRates;
import org.carelane.api.Steering;
import org.carelane.names.NamePattern;
import org.onlab.packet.IpAddress;
import org.onlab.packet.IpPrefix;
import org.onlab.packet.MacAddress;
import org.onosproject.net.ConnectPoint;
import org.onosproject.net.DeviceId;
import org.onosproject.net.PortNumber;

import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.carelane.policy.JsonFields.convert;
import static org.carelane.policy.JsonFields.integer;
import static org.carelane.policy.JsonFields.list;
import static org.carelane.policy.JsonFields.object;
import static org.carelane.policy.JsonFields.onlyFields;
import static org.carelane.policy.JsonFields.optInteger;
import static org.carelane.policy.JsonFields.optText;
import static org.carelane.policy.JsonFields.path;
import static org.carelane.policy.JsonFields.present;
import static org.carelane.policy.JsonFields.text;

/**
 * Reads and writes the CareLane policy JSON (the netcfg "carelane" block).
 * Parsing validates too: a returned policy is always safe to program.
 */
public final class PolicyCodec {
    /**
     * Meter burst, in ms of the rate. Measured on userspace OVS 3.1, one TCP flow through a
     * meter reached 45-49% of it with 100 ms, 91-92% with 200 ms and 96-97% with 300 ms (2, 4
     * and 15 Mbit/s), while the wire rate over 10 s stayed within 100.5% of the meter.
     */
    public static final int DEFAULT_BURST_MS = 300;
    /** Largest burst accepted, policy-wide or per slice. */
    public static final int MAX_BURST_MS = 10_000;
    public static final long MAX_KBPS = 100_000_000L;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> LINK_FIELDS = Set.of("port", "kbps", "vlan", "nextHopMac");
    /** Marks, in the store's copy, a device configured in its own netcfg subject. */
    static final String OWN_SUBJECT = "ownNetcfgSubject";
    /** A scope's egress that sends a slice back to the WAN uplink. */
    public static final String UPLINK = "uplink";
    private static final Set<String> SITE_FIELDS = Set.of("uplinkKbps", "output", "links", "uplinkPort", "ovsdb",
            "board", "siteClass", "slices", "prefixLists", "schedule");
    private static final Set<String> RATE_FIELDS = Set.of("maxKbps", "maxPercent", "minKbps", "minPercent");
    private static final java.util.regex.Pattern SCOPE_NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9-]{0,47}");
    private static final AtomicLong ENCODES = new AtomicLong();
    private static final AtomicLong PARSES = new AtomicLong();
    /**
     * The last policy encoded or parsed, with its JSON. A change is encoded once, when the
     * store writes it; the same JSON then comes back from netcfg's validation of the write-back
     * and its event, and from the store, and is not parsed again.
     */
    private static volatile Decoded last;

    private static final class Decoded {
        final String json;
        final SlicePolicy policy;

        Decoded(String json, SlicePolicy policy) {
            this.json = json;
            this.policy = policy;
        }
    }

    private PolicyCodec() {
    }

    /** Parses and validates a policy; JSON equal to the last encoded or parsed is not parsed again. */
    public static SlicePolicy parse(JsonNode root) {
        return parse(root.toString(), () -> root);
    }

    /** {@link #parse(JsonNode)} of JSON text. @throws PolicyException naming the field */
    public static SlicePolicy parse(String json) {
        return parse(json, () -> readTree(json));
    }

    private static SlicePolicy parse(String json, java.util.function.Supplier<JsonNode> tree) {
        Decoded known = last;
        if (known != null && known.json.equals(json)) {
            return known.policy;
        }
        SlicePolicy policy = decode(tree.get());
        PARSES.incrementAndGet();
        last = new Decoded(json, policy);
        return policy;
    }

    /**
     * The JSON text of a policy, as the store writes it. The policy is validated as a parse
     * would, since its JSON will not be parsed again.
     *
     * @throws PolicyException naming the field
     */
    public static String encodeJson(SlicePolicy policy) {
        PolicyValidator.validate(policy);
        String json = encode(policy).toString();
        last = new Decoded(json, policy);
        return json;
    }

    /** Policies encoded since the JVM started (diagnostics and tests). */
    public static long encodes() {
        return ENCODES.get();
    }

    /** Policies parsed since the JVM started, not counting those recognised (diagnostics and tests). */
    public static long parses() {
        return PARSES.get();
    }

    private static SlicePolicy decode(JsonNode root) {
        object(root, "(root)");
        int burstMs = (int) (present(root, "burstMs") ? integer(root, "burstMs", "burstMs", 1, MAX_BURST_MS)
                : DEFAULT_BURST_MS);
        PeakSchedule schedule = present(root, "schedule")
                ? ScheduleCodec.parse(root.get("schedule"), "schedule") : PeakSchedule.nhsLunchtime();
        List<DeviceUplink> devices = list(root, "devices", "devices", PolicyCodec::parseDevice);
        Map<String, List<IpPrefix>> prefixLists = parsePrefixLists(root);
        List<SliceDefinition> slices = list(root, "slices", "slices", PolicyCodec::parseSlice);
        SlicePolicy policy = new SlicePolicy(devices, prefixLists, slices, schedule, burstMs,
                parseScopes(root, "boards"), parseScopes(root, "siteClasses"), parseNames(root));
        PolicyValidator.validate(policy);
        return policy;
    }

    private static DeviceUplink parseDevice(JsonFields.Item item) {
        String at = item.path();
        JsonNode node = object(item.node(), at);
        DeviceId id = convert(path(at, "deviceId"), text(node, "deviceId", path(at, "deviceId")),
                PolicyCodec::deviceId);
        long uplink = integer(node, "uplinkKbps", path(at, "uplinkKbps"), 1, MAX_KBPS);
        String output = optText(node, "output", path(at, "output"));
        PortNumber port = output == null || output.equalsIgnoreCase("NORMAL") ? PortNumber.NORMAL
                : convert(path(at, "output"), output, PolicyCodec::portNumber);
        List<EgressLink> links = new java.util.ArrayList<>();
        if (present(node, "links")) {
            JsonNode linksNode = object(node.get("links"), path(at, "links"));
            linksNode.fields().forEachRemaining(e -> links.add(parseLink(e.getKey(), e.getValue(),
                    path(at, "links." + e.getKey()))));
        }
        Long uplinkPort = optInteger(node, "uplinkPort", path(at, "uplinkPort"), 1, 0xFFFF_FF00L);
        if (uplinkPort != null) {
            links.stream().filter(l -> l.port().toLong() == uplinkPort).findFirst().ifPresent(l -> {
                throw new PolicyException(path(at, "uplinkPort"), "port " + uplinkPort + " is link '" + l.name()
                        + "'s port; the uplink needs its own");
            });
        }
        String ovsdb = optText(node, "ovsdb", path(at, "ovsdb"));
        if (ovsdb != null && !ovsdb.matches("ovsdb:[0-9A-Fa-f.:]+")) {
            throw new PolicyException(path(at, "ovsdb"), "must be an OVSDB device id such as ovsdb:10.0.0.1, not '"
                    + ovsdb + "'");
        }
        DeviceUplink device = new DeviceUplink(id, uplink, port, links,
                uplinkPort == null ? null : PortNumber.portNumber(uplinkPort),
                ovsdb == null ? null : DeviceId.deviceId(ovsdb));
        String board = optText(node, "board", path(at, "board"));
        String siteClass = optText(node, "siteClass", path(at, "siteClass"));
        ScopeOverride site = parseScope(node, at);
        Map<String, List<IpPrefix>> local = present(node, "prefixLists")
                ? parsePrefixLists(node.get("prefixLists"), path(at, "prefixLists")) : Map.of();
        DeviceUplink scoped = board == null && siteClass == null && site.isEmpty() && local.isEmpty() ? device
                : device.withScopes(board, siteClass, site, local);
        // Set in the store's copy of the policy only: the site is configured in its own subject.
        return present(node, OWN_SUBJECT) && node.get(OWN_SUBJECT).asBoolean() ? scoped.withOwnSubject(true)
                : scoped;
    }

    /**
     * A site configured in its own netcfg subject, {@code devices."of:...".carelane}: the fields of
     * a {@code devices[]} entry but its deviceId, which is the subject. Checks the site alone;
     * with the national block it is checked as part of the policy.
     *
     * @throws PolicyException naming the field
     */
    public static DeviceUplink parseSite(DeviceId id, JsonNode node) {
        object(node, "(root)");
        onlyFields(node, "", SITE_FIELDS);
        ObjectNode entry = ((ObjectNode) node).deepCopy();
        entry.put("deviceId", id.toString());
        entry.remove(OWN_SUBJECT);
        return parseDevice(new JsonFields.Item(entry, "")).withOwnSubject(true);
    }

    /** The JSON of a site's own netcfg subject: its devices[] entry without the deviceId. */
    public static ObjectNode encodeSite(DeviceUplink d) {
        ObjectNode node = encodeDevice(d);
        node.remove("deviceId");
        node.remove(OWN_SUBJECT);
        return node;
    }

    /** {@code boards} or {@code siteClasses}: what each named scope changes. */
    private static Map<String, ScopeOverride> parseScopes(JsonNode root, String field) {
        Map<String, ScopeOverride> out = new LinkedHashMap<>();
        if (!present(root, field)) {
            return out;
        }
        JsonNode scopes = object(root.get(field), field);
        scopes.fields().forEachRemaining(e -> {
            String at = path(field, e.getKey());
            if (!SCOPE_NAME.matcher(e.getKey()).matches()) {
                throw new PolicyException(at, "a " + (field.equals("boards") ? "board" : "site class")
                        + " name is lower-case letters, digits or '-', up to 48");
            }
            onlyFields(object(e.getValue(), at), at, Set.of("slices", "schedule"));
            out.put(e.getKey(), parseScope(e.getValue(), at));
        });
        return out;
    }

    /**
     * A scope's {@code slices}: {name: {rates: {peak|offPeak: {max..., min...}}}}, and its own
     * {@code schedule} (the national schedule's fields), if any.
     */
    private static ScopeOverride parseScope(JsonNode node, String at) {
        PeakSchedule schedule = present(node, "schedule")
                ? ScheduleCodec.parse(node.get("schedule"), path(at, "schedule")) : null;
        if (!present(node, "slices")) {
            return schedule == null ? ScopeOverride.NONE : new ScopeOverride(Map.of(), schedule);
        }
        String slicesAt = path(at, "slices");
        JsonNode slices = object(node.get("slices"), slicesAt);
        Map<String, Map<Profile, RateOverride>> rates = new LinkedHashMap<>();
        Map<String, Optional<Steering>> egress = new LinkedHashMap<>();
        slices.fields().forEachRemaining(e -> {
            String sliceAt = path(slicesAt, e.getKey());
            onlyFields(object(e.getValue(), sliceAt), sliceAt, Set.of("rates", "egress"));
            if (present(e.getValue(), "egress")) {
                egress.put(e.getKey(), parseScopedEgress(e.getValue().get("egress"), path(sliceAt, "egress")));
                if (!present(e.getValue(), "rates")) {
                    return;
                }
            }
            JsonNode byProfile = object(e.getValue().get("rates"), path(sliceAt, "rates"));
            Map<Profile, RateOverride> mine = new EnumMap<>(Profile.class);
            byProfile.fields().forEachRemaining(p -> {
                String rp = path(sliceAt, "rates." + p.getKey());
                Profile profile = Profile.OFF_PEAK.jsonName().equals(p.getKey()) ? Profile.OFF_PEAK
                        : Profile.PEAK.jsonName().equals(p.getKey()) ? Profile.PEAK : null;
                if (profile == null) {
                    throw new PolicyException(rp, "must be peak or offPeak");
                }
                mine.put(profile, parseRateOverride(p.getValue(), rp));
            });
            rates.put(e.getKey(), mine);
        });
        return new ScopeOverride(rates, schedule, egress);
    }

    /** A scope's rates for one slice and profile as REST takes them: maxKbps or maxPercent, minKbps or minPercent. */
    public static RateOverride parseRateOverride(JsonNode node) {
        return parseRateOverride(node, "");
    }

    private static RateOverride parseRateOverride(JsonNode node, String at) {
        object(node, at);
        onlyFields(node, at, RATE_FIELDS);
        Long maxKbps = optInteger(node, "maxKbps", path(at, "maxKbps"), 1, MAX_KBPS);
        Double maxPercent = percent(node, "maxPercent", at);
        Long minKbps = optInteger(node, "minKbps", path(at, "minKbps"), 0, MAX_KBPS);
        Double minPercent = percent(node, "minPercent", at);
        bothForms(maxKbps, maxPercent, path(at, "maxPercent"), "maxKbps");
        bothForms(minKbps, minPercent, path(at, "minPercent"), "minKbps");
        if (maxKbps == null && maxPercent == null && minKbps == null && minPercent == null) {
            throw new PolicyException(at, "sets nothing: give maxKbps or maxPercent, minKbps or minPercent");
        }
        if (maxPercent != null && minPercent != null && minPercent > maxPercent) {
            throw new PolicyException(path(at, "minPercent"), "must not exceed maxPercent (" + minPercent + " > "
                    + maxPercent + ")");
        }
        if (maxKbps != null && minKbps != null && minKbps > maxKbps) {
            throw new PolicyException(path(at, "minKbps"), "must not exceed maxKbps (" + minKbps + " > " + maxKbps
                    + ")");
        }
        return new RateOverride(maxKbps, maxPercent, minKbps, minPercent);
    }

    private static void bothForms(Object kbps, Object percent, String at, String other) {
        if (kbps != null && percent != null) {
            throw new PolicyException(at, "give " + other + " or this, not both");
        }
    }

    /** A share of the uplink: a number above 0 and at most 100, or null if absent. */
    private static Double percent(JsonNode node, String field, String parent) {
        if (!present(node, field)) {
            return null;
        }
        JsonNode value = node.get(field);
        String at = path(parent, field);
        if (!value.isNumber() || !(value.asDouble() > 0) || value.asDouble() > 100) {
            throw new PolicyException(at, "must be a percent of the uplink above 0 and at most 100, got "
                    + value);
        }
        return value.asDouble();
    }

    private static EgressLink parseLink(String name, JsonNode node, String at) {
        object(node, at);
        if (!name.matches("[A-Za-z][A-Za-z0-9_-]{0,31}")) {
            throw new PolicyException(at, "a link name is a letter then up to 31 letters, digits, - or _");
        }
        onlyFields(node, at, LINK_FIELDS);
        long port = integer(node, "port", path(at, "port"), 1, 0xFFFF_FF00L);
        long kbps = integer(node, "kbps", path(at, "kbps"), 1, MAX_KBPS);
        Long vlan = optInteger(node, "vlan", path(at, "vlan"), 1, 4094);
        String mac = optText(node, "nextHopMac", path(at, "nextHopMac"));
        return new EgressLink(name, PortNumber.portNumber(port), kbps, vlan == null ? null : vlan.intValue(),
                mac == null ? null : unicastMac(mac, path(at, "nextHopMac")));
    }

    private static MacAddress unicastMac(String text, String at) {
        if (!text.matches("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}")) {
            throw new PolicyException(at, "must be a MAC address such as 02:00:00:00:00:01, not '" + text + "'");
        }
        MacAddress mac = MacAddress.valueOf(text);
        if (mac.isMulticast() || mac.isBroadcast() || mac.equals(MacAddress.ZERO)) {
            throw new PolicyException(at, "must be a unicast MAC address (a next hop's), not " + text);
        }
        return mac;
    }

    private static Steering parseEgress(JsonNode node, String at) {
        object(node, at);
        String link = text(node, "link", path(at, "link"));
        String when = optText(node, "when", path(at, "when"));
        for (Steering.When w : Steering.When.values()) {
            if (when == null ? w == Steering.When.ALWAYS : w.jsonName().equals(when)) {
                return new Steering(link, w);
            }
        }
        throw new PolicyException(path(at, "when"), "must be always, peak or offPeak");
    }

    private static Map<String, List<IpPrefix>> parsePrefixLists(JsonNode root) {
        return present(root, "prefixLists") ? parsePrefixLists(root.get("prefixLists"), "prefixLists")
                : new LinkedHashMap<>();
    }

    private static Map<String, List<IpPrefix>> parsePrefixLists(JsonNode node, String at) {
        Map<String, List<IpPrefix>> out = new LinkedHashMap<>();
        JsonNode lists = object(node, at);
        Iterator<Map.Entry<String, JsonNode>> it = lists.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), list(lists, e.getKey(), at + "." + e.getKey(),
                    item -> prefix(item.node(), item.path())));
        }
        return out;
    }

    private static final Set<String> DNS_FIELDS = Set.of("resolvers", "minTtlSeconds", "maxTtlSeconds",
            "maxLearned", "maxPerName", "holdMs");

    /** {@code nameLists} (exact names and *.suffix entries) and the {@code dns} learning settings. */
    private static NameSettings parseNames(JsonNode root) {
        Map<String, List<NamePattern>> lists = new LinkedHashMap<>();
        if (present(root, "nameLists")) {
            JsonNode node = object(root.get("nameLists"), "nameLists");
            node.fields().forEachRemaining(e -> lists.put(e.getKey(), list(node, e.getKey(),
                    "nameLists." + e.getKey(), PolicyCodec::namePattern)));
        }
        if (!present(root, "dns")) {
            return new NameSettings(lists, List.of(), NameSettings.DEFAULT_MIN_TTL, NameSettings.DEFAULT_MAX_TTL,
                    NameSettings.DEFAULT_MAX_LEARNED, NameSettings.DEFAULT_MAX_PER_NAME, NameSettings.DEFAULT_HOLD_MS);
        }
        JsonNode dns = object(root.get("dns"), "dns");
        onlyFields(dns, "dns", DNS_FIELDS);
        List<IpAddress> resolvers = list(dns, "resolvers", "dns.resolvers", i -> {
            if (!i.node().isTextual()) {
                throw new PolicyException(i.path(), "must be an IPv4 or IPv6 address string");
            }
            return convert(i.path(), i.node().asText().trim(), IpAddress::valueOf);
        });
        long minTtl = present(dns, "minTtlSeconds") ? integer(dns, "minTtlSeconds", "dns.minTtlSeconds", 1, 86_400)
                : NameSettings.DEFAULT_MIN_TTL.getSeconds();
        long maxTtl = present(dns, "maxTtlSeconds") ? integer(dns, "maxTtlSeconds", "dns.maxTtlSeconds", 1, 604_800)
                : NameSettings.DEFAULT_MAX_TTL.getSeconds();
        if (maxTtl < minTtl) {
            throw new PolicyException("dns.maxTtlSeconds", "must not be below dns.minTtlSeconds (" + minTtl + ")");
        }
        int maxLearned = present(dns, "maxLearned")
                ? (int) integer(dns, "maxLearned", "dns.maxLearned", 1, 1_000_000) : NameSettings.DEFAULT_MAX_LEARNED;
        int maxPerName = present(dns, "maxPerName")
                ? (int) integer(dns, "maxPerName", "dns.maxPerName", 1, 100_000) : NameSettings.DEFAULT_MAX_PER_NAME;
        int holdMs = present(dns, "holdMs")
                ? (int) integer(dns, "holdMs", "dns.holdMs", 0, 1_000) : NameSettings.DEFAULT_HOLD_MS;
        return new NameSettings(lists, resolvers, java.time.Duration.ofSeconds(minTtl),
                java.time.Duration.ofSeconds(maxTtl), maxLearned, maxPerName, holdMs);
    }

    private static NamePattern namePattern(JsonFields.Item item) {
        if (!item.node().isTextual()) {
            throw new PolicyException(item.path(), "must be a name such as facebook.com or *.fbcdn.net");
        }
        return convert(item.path(), item.node().asText(), NamePattern::parse);
    }

    private static ObjectNode encodeNames(NameSettings names) {
        ObjectNode dns = MAPPER.createObjectNode();
        ArrayNode resolvers = dns.putArray("resolvers");
        names.resolvers().forEach(r -> resolvers.add(r.toString()));
        dns.put("minTtlSeconds", names.minTtl().getSeconds());
        dns.put("maxTtlSeconds", names.maxTtl().getSeconds());
        dns.put("maxLearned", names.maxLearned());
        dns.put("maxPerName", names.maxPerName());
        dns.put("holdMs", names.holdMs());
        return dns;
    }

    private static SliceDefinition parseSlice(JsonFields.Item item) {
        String at = item.path();
        JsonNode node = object(item.node(), at);
        String name = text(node, "name", path(at, "name"));
        int priority = (int) integer(node, "priority", path(at, "priority"), 0, 1000);
        String action = optText(node, "action", path(at, "action"));
        boolean drop = action != null && action.equalsIgnoreCase("drop");
        if (action != null && !drop && !action.equalsIgnoreCase("forward")) {
            throw new PolicyException(path(at, "action"), "must be 'forward' or 'drop'");
        }
        Integer dscp = present(node, "dscp") ? dscpField(node.get("dscp"), path(at, "dscp")) : null;
        Long queue = optInteger(node, "queue", path(at, "queue"), 0, 0xFFFF_FFFEL);
        List<ClassifierRule> rules = list(node, "rules", path(at, "rules"), PolicyCodec::parseRule);
        if (rules.isEmpty()) {
            throw new PolicyException(path(at, "rules"), "needs at least one rule (use {} to match all IP traffic)");
        }
        Integer burstMs = present(node, "burstMs")
                ? (int) integer(node, "burstMs", path(at, "burstMs"), 1, MAX_BURST_MS) : null;
        if (drop && burstMs != null) {
            throw new PolicyException(path(at, "burstMs"), "a drop slice has no meter, so no burst");
        }
        Map<Profile, SliceRates> rates = new EnumMap<>(Profile.class);
        if (!drop) {
            JsonNode ratesNode = object(node.get("rates"), path(at, "rates"));
            for (Profile p : Profile.values()) {
                String rp = path(at, "rates." + p.jsonName());
                rates.put(p, parseRates(ratesNode.get(p.jsonName()), rp));
            }
        }
        Steering egress = present(node, "egress") ? parseEgress(node.get("egress"), path(at, "egress")) : null;
        if (drop && egress != null) {
            throw new PolicyException(path(at, "egress"), "a drop slice sends nothing anywhere");
        }
        return new SliceDefinition(name, priority, drop, dscp, queue, rules, rates, burstMs, egress);
    }

    /** A scope's egress for a slice: "uplink" (the WAN uplink there), or {link, when} as a slice's. */
    public static Optional<Steering> parseScopedEgress(JsonNode node, String at) {
        if (node != null && node.isTextual()) {
            if (!node.asText().equals(UPLINK)) {
                throw new PolicyException(at, "must be \"" + UPLINK + "\" or {link, when}, got " + node);
            }
            return Optional.empty();
        }
        return Optional.of(parseEgress(node, at));
    }

    /**
     * A scope's egress for a slice as REST and the CLI take it: {link, when}, or {"link": "uplink"}
     * for the WAN uplink there.
     */
    public static Optional<Steering> parseScopedSteering(JsonNode req) {
        return UPLINK.equals(req.path("link").asText(null)) && !req.has("when") ? Optional.empty()
                : Optional.of(parseEgress(req, ""));
    }

    /** A slice's egress as in netcfg (REST PUT /slices/{name}/egress). */
    public static Steering parseSteering(JsonNode node, String at) {
        return parseEgress(node, at);
    }

    /**
     * Parses {maxKbps or maxPercent, minKbps or minPercent}: the cap is required, in kbit/s
     * (positive) or as a share of each device's uplink; the reservation not above it.
     */
    public static SliceRates parseRates(JsonNode node, String at) {
        RateOverride rates = parseRateOverride(node, at);
        if (!rates.setsMax()) {
            throw new PolicyException(path(at, "maxKbps"), "is required (or maxPercent, a share of the uplink)");
        }
        return SliceRates.of(rates.maxKbps(), rates.maxPercent(), rates.minKbps(), rates.minPercent());
    }

    private static final Set<String> RULE_FIELDS = Set.of("srcPrefixes", "dstPrefixes", "srcPrefixList",
            "dstPrefixList", "dstNameList", "ipProto", "srcPort", "dstPort", "dscp", "ingress");

    private static ClassifierRule parseRule(JsonFields.Item item) {
        String at = item.path();
        JsonNode node = object(item.node(), at);
        onlyFields(node, at, RULE_FIELDS);   // a misspelt field would leave a rule that matches everything
        List<IpPrefix> src = list(node, "srcPrefixes", path(at, "srcPrefixes"), i -> prefix(i.node(), i.path()));
        List<IpPrefix> dst = list(node, "dstPrefixes", path(at, "dstPrefixes"), i -> prefix(i.node(), i.path()));
        Integer proto = present(node, "ipProto") ? protocol(node.get("ipProto"), path(at, "ipProto")) : null;
        Long srcPort = optInteger(node, "srcPort", path(at, "srcPort"), 1, 65535);
        Long dstPort = optInteger(node, "dstPort", path(at, "dstPort"), 1, 65535);
        Integer dscp = present(node, "dscp") ? dscpField(node.get("dscp"), path(at, "dscp")) : null;
        String ingressText = optText(node, "ingress", path(at, "ingress"));
        ConnectPoint ingress = ingressText == null ? null
                : convert(path(at, "ingress"), ingressText, PolicyCodec::connectPoint);
        return new ClassifierRule(src, dst,
                optText(node, "srcPrefixList", path(at, "srcPrefixList")),
                optText(node, "dstPrefixList", path(at, "dstPrefixList")),
                proto, srcPort == null ? null : srcPort.intValue(), dstPort == null ? null : dstPort.intValue(),
                dscp, ingress, optText(node, "dstNameList", path(at, "dstNameList")));
    }

    private static IpPrefix prefix(JsonNode node, String at) {
        if (!node.isTextual()) {
            throw new PolicyException(at, "must be an IPv4 or IPv6 prefix string such as 10.0.0.0/8 or 2001:db8::/32");
        }
        return convert(at, node.asText().trim(), PolicyCodec::ipPrefix);
    }

    /** An IPv4 or IPv6 prefix; an address alone is a host (/32, /128). */
    private static IpPrefix ipPrefix(String text) {
        try {
            if (text.contains("/")) {
                return IpPrefix.valueOf(text);
            }
            return IpPrefix.valueOf(text + (text.contains(":") ? "/128" : "/32"));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("is not a valid IPv4 or IPv6 prefix: '" + text + "'");
        }
    }

    private static int protocol(JsonNode node, String at) {
        if (node.isTextual()) {
            switch (node.asText().trim().toLowerCase(Locale.ROOT)) {
                case "tcp": return 6;
                case "udp": return 17;
                case "icmp": return 1;
                case "icmpv6": return 58;
                default: throw new PolicyException(at, "must be tcp, udp, icmp, icmpv6 or 0..255");
            }
        }
        if (node.isIntegralNumber() && node.asInt() >= 0 && node.asInt() <= 255) {
            return node.asInt();
        }
        throw new PolicyException(at, "must be tcp, udp, icmp, icmpv6 or 0..255");
    }

    private static int dscpField(JsonNode node, String at) {
        if (!node.isTextual() && !node.isIntegralNumber()) {
            throw new PolicyException(at, "must be 0..63 or a PHB name such as EF, AF41, CS1, LE");
        }
        return convert(at, node.asText(), Dscp::parse);
    }

    private static DeviceId deviceId(String text) {
        if (!text.contains(":")) {
            throw new IllegalArgumentException("must be a device URI such as of:0000000000000001");
        }
        return DeviceId.deviceId(text);
    }

    private static PortNumber portNumber(String text) {
        try {
            long port = Long.parseLong(text);
            if (port < 1 || port > 0xFFFFFF00L) {
                throw new IllegalArgumentException("must be NORMAL or a port number, got '" + text + "'");
            }
            return PortNumber.portNumber(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be NORMAL or a port number, got '" + text + "'");
        }
    }

    private static ConnectPoint connectPoint(String text) {
        int slash = text.lastIndexOf('/');
        if (slash < 1 || !text.contains(":")) {
            throw new IllegalArgumentException("must be device/port such as of:0000000000000001/3");
        }
        return new ConnectPoint(deviceId(text.substring(0, slash)), portNumber(text.substring(slash + 1)));
    }

    /** Writes a policy back to the JSON form that {@link #parse} reads. */
    public static ObjectNode encode(SlicePolicy policy) {
        ENCODES.incrementAndGet();
        ObjectNode root = MAPPER.createObjectNode();
        root.put("burstMs", policy.burstMs());
        root.set("schedule", ScheduleCodec.encode(policy.schedule()));
        ArrayNode devices = root.putArray("devices");
        policy.devices().forEach(d -> devices.add(encodeDevice(d)));
        root.set("prefixLists", encodeLists(policy.prefixLists()));
        ArrayNode slices = root.putArray("slices");
        policy.slices().forEach(s -> slices.add(encodeSlice(s)));
        if (!policy.boards().isEmpty()) {
            ObjectNode boards = root.putObject("boards");
            policy.boards().forEach((name, scope) -> boards.set(name, encodeScope(scope)));
        }
        if (!policy.siteClasses().isEmpty()) {
            ObjectNode classes = root.putObject("siteClasses");
            policy.siteClasses().forEach((name, scope) -> classes.set(name, encodeScope(scope)));
        }
        NameSettings names = policy.names();
        if (!names.lists().isEmpty()) {
            ObjectNode lists = root.putObject("nameLists");
            names.lists().forEach((name, patterns) -> {
                ArrayNode a = lists.putArray(name);
                patterns.forEach(p -> a.add(p.toString()));
            });
        }
        if (!names.defaultDns()) {
            root.set("dns", encodeNames(names));
        }
        return root;
    }


    private static ObjectNode encodeDevice(DeviceUplink d) {
        ObjectNode device = MAPPER.createObjectNode().put("deviceId", d.deviceId().toString())
                .put("uplinkKbps", d.uplinkKbps())
                .put("output", d.output().equals(PortNumber.NORMAL) ? "NORMAL"
                        : Long.toString(d.output().toLong()));
        d.uplinkPort().ifPresent(p -> device.put("uplinkPort", p.toLong()));
        d.ovsdbDevice().ifPresent(o -> device.put("ovsdb", o.toString()));
        d.board().ifPresent(b -> device.put("board", b));
        d.siteClass().ifPresent(c -> device.put("siteClass", c));
        ObjectNode site = encodeScope(d.site());
        site.fields().forEachRemaining(e -> device.set(e.getKey(), e.getValue()));
        if (!d.localLists().isEmpty()) {
            device.set("prefixLists", encodeLists(d.localLists()));
        }
        if (!d.links().isEmpty()) {
            ObjectNode links = device.putObject("links");
            d.links().values().forEach(l -> {
                ObjectNode link = links.putObject(l.name()).put("port", l.port().toLong()).put("kbps", l.kbps());
                if (l.vlan() != null) {
                    link.put("vlan", l.vlan());
                }
                if (l.nextHopMac() != null) {
                    link.put("nextHopMac", l.nextHopMac().toString());
                }
            });
        }
        if (d.ownSubject()) {
            device.put(OWN_SUBJECT, true);
        }
        return device;
    }

    private static ObjectNode encodeLists(Map<String, List<IpPrefix>> lists) {
        ObjectNode out = MAPPER.createObjectNode();
        lists.forEach((name, prefixes) -> {
            ArrayNode arr = out.putArray(name);
            prefixes.forEach(p -> arr.add(p.toString()));
        });
        return out;
    }

    /** A scope's changes as {schedule: {...}, slices: {name: {rates: {profile: {...}}}}}; {} when none. */
    public static ObjectNode encodeScope(ScopeOverride scope) {
        ObjectNode out = MAPPER.createObjectNode();
        scope.schedule().ifPresent(schedule -> out.set("schedule", ScheduleCodec.encode(schedule)));
        if (scope.rates().isEmpty() && scope.egress().isEmpty()) {
            return out;
        }
        ObjectNode slices = out.putObject("slices");
        scope.egress().forEach((slice, e) -> slices.putObject(slice).set("egress", e.isPresent()
                ? encodeSteering(e.get()) : MAPPER.getNodeFactory().textNode(UPLINK)));
        scope.rates().forEach((slice, byProfile) -> {
            ObjectNode sliceNode = slices.has(slice) ? (ObjectNode) slices.get(slice) : slices.putObject(slice);
            ObjectNode rates = sliceNode.putObject("rates");
            for (Profile p : Profile.values()) {
                RateOverride r = byProfile.get(p);
                if (r != null) {
                    rates.set(p.jsonName(), encodeRateOverride(r));
                }
            }
        });
        return out;
    }

    public static ObjectNode encodeRateOverride(RateOverride r) {
        ObjectNode node = MAPPER.createObjectNode();
        if (r.maxKbps() != null) {
            node.put("maxKbps", r.maxKbps());
        }
        if (r.maxPercent() != null) {
            putPercent(node, "maxPercent", r.maxPercent());
        }
        if (r.minKbps() != null) {
            node.put("minKbps", r.minKbps());
        }
        if (r.minPercent() != null) {
            putPercent(node, "minPercent", r.minPercent());
        }
        return node;
    }

    /** A share as written: 30, not 30.0, when it is whole. */
    private static void putPercent(ObjectNode node, String field, double percent) {
        if (percent == Math.rint(percent)) {
            node.put(field, (long) percent);
        } else {
            node.put(field, percent);
        }
    }

    /** Rates as netcfg gives them: maxKbps or maxPercent, minKbps or minPercent. */
    public static ObjectNode encodeRates(SliceRates r) {
        ObjectNode node = MAPPER.createObjectNode();
        if (r.maxPercent().isPresent()) {
            putPercent(node, "maxPercent", r.maxPercent().getAsDouble());
        } else {
            node.put("maxKbps", r.maxKbps());
        }
        if (r.minPercent().isPresent()) {
            putPercent(node, "minPercent", r.minPercent().getAsDouble());
        } else {
            node.put("minKbps", r.minKbps());
        }
        return node;
    }

    public static ObjectNode encodeSlice(SliceDefinition s) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("name", s.name());
        node.put("priority", s.priority());
        node.put("action", s.drop() ? "drop" : "forward");
        if (s.dscp() != null) {
            node.put("dscp", s.dscp());
        }
        if (s.queueId() != null) {
            node.put("queue", s.queueId());
        }
        if (s.burstMs() != null) {
            node.put("burstMs", s.burstMs());
        }
        if (s.egress() != null) {
            node.set("egress", encodeSteering(s.egress()));
        }
        ArrayNode rules = node.putArray("rules");
        s.rules().forEach(r -> rules.add(encodeRule(r)));
        if (!s.drop()) {
            ObjectNode rates = node.putObject("rates");
            for (Profile p : Profile.values()) {
                rates.set(p.jsonName(), encodeRates(s.rates(p)));
            }
        }
        return node;
    }

    public static ObjectNode encodeSteering(Steering egress) {
        return MAPPER.createObjectNode().put("link", egress.link()).put("when", egress.when().jsonName());
    }

    private static ObjectNode encodeRule(ClassifierRule r) {
        ObjectNode node = MAPPER.createObjectNode();
        if (!r.srcPrefixes().isEmpty()) {
            ArrayNode a = node.putArray("srcPrefixes");
            r.srcPrefixes().forEach(p -> a.add(p.toString()));
        }
        if (!r.dstPrefixes().isEmpty()) {
            ArrayNode a = node.putArray("dstPrefixes");
            r.dstPrefixes().forEach(p -> a.add(p.toString()));
        }
        putIfSet(node, "srcPrefixList", r.srcPrefixList());
        putIfSet(node, "dstPrefixList", r.dstPrefixList());
        putIfSet(node, "dstNameList", r.dstNameList());
        putIfSet(node, "ipProto", r.ipProto());
        putIfSet(node, "srcPort", r.srcPort());
        putIfSet(node, "dstPort", r.dstPort());
        putIfSet(node, "dscp", r.dscp());
        putIfSet(node, "ingress", r.ingress() == null ? null : r.ingress().toString());
        return node;
    }

    private static void putIfSet(ObjectNode node, String field, Object value) {
        if (value instanceof Integer) {
            node.put(field, (Integer) value);
        } else if (value != null) {
            node.put(field, value.toString());
        }
    }

    /** Parses a JSON string; malformed JSON is a PolicyException on field "(body)". */
    public static JsonNode readTree(String json) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || node.isMissingNode()) {
                throw new PolicyException("(body)", "is empty");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var at = e.getLocation();
            throw new PolicyException("(body)", at == null ? "is not valid JSON: " + e.getOriginalMessage()
                    : String.format("is not valid JSON at line %d, column %d: %s", at.getLineNr(), at.getColumnNr(),
                    e.getOriginalMessage()));
        }
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
