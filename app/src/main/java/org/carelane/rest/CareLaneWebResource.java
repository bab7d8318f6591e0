package org.carelane.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carelane.api.AuditEntry;
import org.carelane.api.CareLaneService;
import org.carelane.api.CareLaneStatus;
import org.carelane.api.DevicePolicy;
import org.carelane.api.PeakSchedule;
import org.carelane.api.PolicyException;
import org.carelane.api.Profile;
import org.carelane.api.ProfileOverride;
import org.carelane.api.RateOverride;
import org.carelane.api.RateScope;
import org.carelane.api.SliceDefinition;
import org.carelane.api.SlicePolicy;
import org.carelane.api.SliceRates;
import org.carelane.api.SliceStats;
import org.carelane.api.Steering;
import org.carelane.metrics.PrometheusText;
import org.carelane.policy.PolicyCodec;
import org.carelane.policy.ScheduleCalculator;
import org.carelane.policy.ScheduleCodec;
import org.onosproject.codec.JsonCodec;
import org.onosproject.net.DeviceId;
import org.onosproject.rest.AbstractWebResource;

import javax.ws.rs.DELETE;
import javax.ws.rs.DefaultValue;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.PUT;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;

/**
 * CareLane REST API: slices, bandwidth, schedule, override, status, stats and audit.
 */
@Path("")
@Produces(MediaType.APPLICATION_JSON)
public class CareLaneWebResource extends AbstractWebResource {
    static final String SOURCE = "rest";
    private static final long MAX_OVERRIDE_MINUTES = 7 * 24 * 60;
    private static final int MAX_AUDIT = 1000;

    @Context
    private SecurityContext security;

    private final CareLaneService injected;

    /** Used by Jersey inside ONOS: the service comes from the OSGi registry. */
    public CareLaneWebResource() {
        this(null);
    }

    /** Used by tests and embedders. */
    public CareLaneWebResource(CareLaneService service) {
        this.injected = service;
    }

    private CareLaneService service() {
        return injected != null ? injected : get(CareLaneService.class);
    }

    /**
     * Lists the slices with the rates of the active profile.
     *
     * @return 200 OK with the slices
     */
    @GET
    @Path("slices")
    public Response getSlices() {
        return handle(() -> {
            Profile active = service().activeProfile();
            ObjectNode root = mapper().createObjectNode().put("activeProfile", active.jsonName());
            ArrayNode slices = root.putArray("slices");
            service().policy().ifPresent(p -> p.slices().forEach(s -> slices.add(sliceJson(s, active))));
            return ok(root);
        });
    }

    /**
     * Shows one slice.
     *
     * @param name slice name
     * @return 200 OK, or 404 when there is no such slice
     */
    @GET
    @Path("slices/{name}")
    public Response getSlice(@PathParam("name") String name) {
        return handle(() -> {
            Optional<SliceDefinition> slice = service().policy().flatMap(p -> p.slice(name));
            if (slice.isEmpty()) {
                return error(Response.Status.NOT_FOUND, "name", "unknown slice '" + name + "'");
            }
            return ok(sliceJson(slice.get(), service().activeProfile()));
        });
    }

    /**
     * Changes a slice's bandwidth in one profile.
     *
     * @param name slice name
     * @param body {"profile": "peak", "maxKbps": 4000, "minKbps": 0}
     * @return 200 OK with the slice and the accepted policy version, or 400 {error, field}
     * @onos.rsModel CareLaneBandwidth
     */
    @PUT
    @Path("slices/{name}/bandwidth")
    public Response setBandwidth(@PathParam("name") String name, String body) {
        return handle(() -> {
            JsonNode req = RequestBodies.object(body, Set.of("profile", "maxKbps", "minKbps", "maxPercent",
                    "minPercent"));
            SliceDefinition slice = service().policy().orElseThrow(() ->
                    new PolicyException("policy", "no CareLane policy configured")).requireSlice(name);
            Profile profile = RequestBodies.profile(req, "profile");
            if (req.has("maxPercent") || req.has("minPercent")) {
                ObjectNode rates = req.deepCopy();
                rates.remove("profile");
                RateOverride change = PolicyCodec.parseRateOverride(rates);
                if (!change.setsMax()) {
                    throw new PolicyException("maxKbps", "is required (or maxPercent, a share of each uplink)");
                }
                service().setRates(slice.name(), profile, change, user(), SOURCE);
                SliceDefinition updated = service().policy().flatMap(p -> p.slice(name)).orElseThrow();
                return ok(sliceJson(updated, service().activeProfile())
                        .put("policyVersion", service().policyVersion()));
            }
            long max = RequestBodies.kbps(req, "maxKbps", true, 0);
            OptionalLong min = req.hasNonNull("minKbps")
                    ? OptionalLong.of(RequestBodies.kbps(req, "minKbps", true, 0)) : OptionalLong.empty();
            service().setRates(slice.name(), profile, max, min, user(), SOURCE);
            SliceDefinition updated = service().policy().flatMap(p -> p.slice(name)).orElseThrow();
            // Accepted and stored; devices follow in the background (see /status).
            return ok(sliceJson(updated, service().activeProfile()).put("policyVersion", service().policyVersion()));
        });
    }

    /**
     * Changes what a health board, a site class or one site sets for a slice's rates in one
     * profile. Values it does not set come from the scope before (national, board, class, site).
     *
     * @param kind  boards, site-classes or devices
     * @param scope the board's or class's name, or the device id
     * @param name  slice name
     * @param body  {"profile": "peak", "maxPercent": 10}: maxKbps or maxPercent, minKbps or minPercent
     * @return 200 OK with what the scope now sets and the policy version, or 400 {error, field}
     */
    @PUT
    @Path("{kind: boards|site-classes|devices}/{scope}/slices/{name}/bandwidth")
    public Response setScopedBandwidth(@PathParam("kind") String kind, @PathParam("scope") String scope,
                                       @PathParam("name") String name, String body) {
        return handle(() -> {
            JsonNode req = RequestBodies.object(body, Set.of("profile", "maxKbps", "maxPercent", "minKbps",
                    "minPercent"));
            Profile profile = RequestBodies.profile(req, "profile");
            ObjectNode rates = req.deepCopy();
            rates.remove("profile");
            RateOverride value = PolicyCodec.parseRateOverride(rates);
            RateScope where = scope(kind, scope);
            service().setScopedRates(where, name, profile, value, user(), SOURCE);
            return ok(mapper().createObjectNode().put("scope", where.toString()).put("slice", name)
                    .put("profile", profile.jsonName()).<ObjectNode>set("rates", PolicyCodec.encodeRateOverride(value))
                    .put("policyVersion", service().policyVersion()));
        });
    }

    /**
     * Returns a slice's rates at a board, site class or site to what the scope before sets.
     *
     * @param profile peak or offPeak
     * @return 200 OK with the policy version, or 400 {error, field}
     */
    @DELETE
    @Path("{kind: boards|site-classes|devices}/{scope}/slices/{name}/bandwidth")
    public Response clearScopedBandwidth(@PathParam("kind") String kind, @PathParam("scope") String scope,
                                         @PathParam("name") String name, @QueryParam("profile") String profile) {
        return handle(() -> {
            Profile p = RequestBodies.profile(mapper().createObjectNode().put("profile", profile), "profile");
            RateScope where = scope(kind, scope);
            service().setScopedRates(where, name, p, null, user(), SOURCE);
            return ok(mapper().createObjectNode().put("scope", where.toString()).put("slice", name)
                    .put("profile", p.jsonName()).put("policyVersion", service().policyVersion()));
        });
    }

    /**
     * Gives a board, site class or site its own peak schedule (its lunch window). National
     * holidays still hold there.
     *
     * @param body the fields of PUT /schedule
     * @return 200 OK with the scope, its schedule and the policy version, or 400 {error, field}
     */
    @PUT
    @Path("{kind: boards|site-classes|devices}/{scope}/schedule")
    public Response setScopedSchedule(@PathParam("kind") String kind, @PathParam("scope") String scope,
                                      String body) {
        return handle(() -> {
            PeakSchedule schedule = ScheduleCodec.parse(RequestBodies.object(body, ScheduleCodec.FIELDS), "");
            RateScope where = scope(kind, scope);
            service().setScopedSchedule(where, schedule, user(), SOURCE);
            return ok(mapper().createObjectNode().put("scope", where.toString())
                    .<ObjectNode>set("schedule", ScheduleCodec.encode(schedule))
                    .put("policyVersion", service().policyVersion()));
        });
    }

    /**
     * Returns a board, site class or site to the schedule of the scope before.
     *
     * @return 200 OK with the policy version, or 400 {error, field}
     */
    @DELETE
    @Path("{kind: boards|site-classes|devices}/{scope}/schedule")
    public Response clearScopedSchedule(@PathParam("kind") String kind, @PathParam("scope") String scope) {
        return handle(() -> {
            RateScope where = scope(kind, scope);
            service().setScopedSchedule(where, null, user(), SOURCE);
            return ok(mapper().createObjectNode().put("scope", where.toString())
                    .put("policyVersion", service().policyVersion()));
        });
    }

    /**
     * Steers a slice at a board, site class or site: to a device link, or back to the WAN uplink
     * there ({"link": "uplink"}).
     *
     * @param body {"link": "breakout", "when": "peak"}, or {"link": "uplink"}
     * @return 200 OK with the scope, the slice and its egress there, or 400 {error, field}
     */
    @PUT
    @Path("{kind: boards|site-classes|devices}/{scope}/slices/{name}/egress")
    public Response setScopedEgress(@PathParam("kind") String kind, @PathParam("scope") String scope,
                                    @PathParam("name") String name, String body) {
        return handle(() -> {
            Optional<Steering> egress = PolicyCodec.parseScopedSteering(
                    RequestBodies.object(body, Set.of("link", "when")));
            RateScope where = scope(kind, scope);
            service().setScopedEgress(where, name, egress, user(), SOURCE);
            ObjectNode out = mapper().createObjectNode().put("scope", where.toString()).put("slice", name);
            out.set("egress", egress.isPresent() ? PolicyCodec.encodeSteering(egress.get())
                    : mapper().getNodeFactory().textNode(PolicyCodec.UPLINK));
            return ok(out.put("policyVersion", service().policyVersion()));
        });
    }

    /**
     * Returns a slice's egress at a board, site class or site to what the scope before sets.
     *
     * @return 200 OK with the policy version, or 400 {error, field}
     */
    @DELETE
    @Path("{kind: boards|site-classes|devices}/{scope}/slices/{name}/egress")
    public Response clearScopedEgress(@PathParam("kind") String kind, @PathParam("scope") String scope,
                                      @PathParam("name") String name) {
        return handle(() -> {
            RateScope where = scope(kind, scope);
            service().setScopedEgress(where, name, null, user(), SOURCE);
            return ok(mapper().createObjectNode().put("scope", where.toString()).put("slice", name)
                    .put("policyVersion", service().policyVersion()));
        });
    }

    /**
     * Forces a profile at a board, site class or site until it expires: there it wins over the
     * schedules and over a wider scope's override.
     *
     * @param body {"profile": "offPeak", "durationMinutes": 90, "reason": "staff event"}, or "expiresAt"
     * @return 201 Created with the scope and its override, or 400 {error, field}
     */
    @POST
    @Path("{kind: boards|site-classes|devices}/{scope}/override")
    public Response setScopedOverride(@PathParam("kind") String kind, @PathParam("scope") String scope,
                                      String body) {
        return handle(() -> {
            JsonNode req = RequestBodies.object(body, Set.of("profile", "expiresAt", "durationMinutes", "reason"));
            Profile profile = RequestBodies.profile(req, "profile");
            Instant expiry = expiry(req);
            String reason = RequestBodies.optText(req, "reason", 200);
            RateScope where = scope(kind, scope);
            service().setScopedOverride(where, profile, expiry, user(), reason, SOURCE);
            ObjectNode out = mapper().createObjectNode().put("scope", where.toString());
            out.set("override", codecFor(ProfileOverride.class, OverrideCodec::new)
                    .encode(new ProfileOverride(profile, expiry, user(), reason), this));
            return Response.status(Response.Status.CREATED).entity(out).type(MediaType.APPLICATION_JSON).build();
        });
    }

    /**
     * Removes a board's, site class's or site's override.
     *
     * @return 200 OK with whether one was removed
     */
    @DELETE
    @Path("{kind: boards|site-classes|devices}/{scope}/override")
    public Response clearScopedOverride(@PathParam("kind") String kind, @PathParam("scope") String scope) {
        return handle(() -> ok(mapper().createObjectNode().put("removed",
                service().clearScopedOverride(scope(kind, scope), user(), SOURCE))));
    }

    /**
     * A device's effective policy: each slice's rates on it, in kbit/s, and the scope and
     * field that set each.
     *
     * @param id device id, e.g. of:0000000000000001
     * @return 200 OK, or 404 when the policy has no such device
     */
    @GET
    @Path("devices/{id}/policy")
    public Response getDevicePolicy(@PathParam("id") String id) {
        return handle(() -> {
            Optional<DevicePolicy> p = service().policy().flatMap(policy -> policy.forDevice(deviceId(id)));
            if (p.isEmpty()) {
                return error(Response.Status.NOT_FOUND, "device", "no device " + id + " in the CareLane policy");
            }
            return ok(codecFor(DevicePolicy.class, DevicePolicyCodec::new).encode(p.get(), this));
        });
    }

    private static RateScope scope(String kind, String name) {
        switch (kind) {
            case "boards": return RateScope.board(name);
            case "site-classes": return RateScope.siteClass(name);
            default: return RateScope.site(deviceId(name));
        }
    }

    private static DeviceId deviceId(String text) {
        return RateScope.deviceId(text);
    }

    /**
     * Steers a slice to an egress link of the devices (netcfg {@code devices[].links}) in the
     * profiles given by {@code when}: always (the default), peak or offPeak.
     *
     * @param name slice name
     * @param body {"link": "breakout", "when": "peak"}
     * @return 200 OK with the slice, or 400 {error, field}
     */
    @PUT
    @Path("slices/{name}/egress")
    public Response setEgress(@PathParam("name") String name, String body) {
        return handle(() -> {
            JsonNode req = RequestBodies.object(body, Set.of("link", "when"));
            Steering egress = PolicyCodec.parseSteering(req, "");
            requirePolicy().requireSlice(name);
            service().setEgress(name, egress, user(), SOURCE);
            return ok(sliceJson(requirePolicy().requireSlice(name), service().activeProfile())
                    .put("policyVersion", service().policyVersion()));
        });
    }

    /**
     * Sends a slice back to the WAN uplink in every profile.
     *
     * @param name slice name
     * @return 200 OK with the slice
     */
    @DELETE
    @Path("slices/{name}/egress")
    public Response clearEgress(@PathParam("name") String name) {
        return handle(() -> {
            requirePolicy().requireSlice(name);
            service().setEgress(name, null, user(), SOURCE);
            return ok(sliceJson(requirePolicy().requireSlice(name), service().activeProfile())
                    .put("policyVersion", service().policyVersion()));
        });
    }

    /**
     * Shows the peak schedule, the active profile, the next change and the next five switch-overs.
     *
     * @return 200 OK
     */
    @GET
    @Path("schedule")
    public Response getSchedule() {
        return handle(() -> {
            SlicePolicy policy = requirePolicy();
            ObjectNode root = codecFor(PeakSchedule.class, ScheduleJsonCodec::new).encode(policy.schedule(), this);
            root.put("activeProfile", service().activeProfile().jsonName());
            root.put("nextChange", ScheduleCalculator.nextChange(policy.schedule(), service().override(),
                    service().now()).toString());
            ArrayNode next = root.putArray("nextSwitchOvers");
            ScheduleCalculator.switchOvers(policy.schedule(), service().override(), service().now(),
                    ScheduleCalculator.SWITCH_OVERS_LISTED).forEach(o -> next.addObject()
                    .put("at", o.at().toString())
                    .put("local", o.at().atZone(policy.schedule().zone()).toOffsetDateTime().toString())
                    .put("profile", o.profile().jsonName()));
            ArrayNode scopes = root.putArray("scopes");
            policy.boards().forEach((name, o) -> o.schedule().ifPresent(s ->
                    scopes.add(scopedSchedule(RateScope.board(name), s))));
            policy.siteClasses().forEach((name, o) -> o.schedule().ifPresent(s ->
                    scopes.add(scopedSchedule(RateScope.siteClass(name), s))));
            policy.devices().forEach(d -> d.site().schedule().ifPresent(s ->
                    scopes.add(scopedSchedule(RateScope.site(d.deviceId()), s))));
            service().scopedOverrides().forEach((scope, o) -> {
                if (o.activeAt(service().now())) {
                    scopes.addObject().put("scope", scope.toString()).<ObjectNode>set("override",
                            codecFor(ProfileOverride.class, OverrideCodec::new).encode(o, this));
                }
            });
            return ok(root);
        });
    }

    /**
     * A scope's own schedule, with the profile in force there now (the override in force there,
     * else that schedule with the national holidays) and its next change.
     */
    private ObjectNode scopedSchedule(RateScope scope, PeakSchedule schedule) {
        Instant now = service().now();
        SlicePolicy policy = requirePolicy();
        PeakSchedule inForce = policy.scheduleAt(scope);
        Optional<ProfileOverride> override = ScheduleCalculator.overrideAt(policy, scope, service().override(),
                service().scopedOverrides(), now);
        return mapper().createObjectNode().put("scope", scope.toString())
                .<ObjectNode>set("schedule", ScheduleCodec.encode(schedule))
                .put("activeProfile", ScheduleCalculator.effective(inForce, override, now).jsonName())
                .put("nextChange", ScheduleCalculator.nextChange(inForce, override, now).toString());
    }

    /**
     * Replaces the peak schedule.
     *
     * @param body {"zone": "Europe/London", "peakStart": "12:00", "peakEnd": "14:00", "days": ["MON"],
     *             "holidays": ["2026-12-25"]}, or "windows": [{"start": "12:00", "end": "14:00"}]
     * @return 200 OK with the schedule, or 400 {error, field}
     * @onos.rsModel CareLaneSchedule
     */
    @PUT
    @Path("schedule")
    public Response setSchedule(String body) {
        return handle(() -> {
            JsonNode req = RequestBodies.object(body, ScheduleCodec.FIELDS);
            PeakSchedule schedule = ScheduleCodec.parse(req, "");
            requirePolicy();
            service().setSchedule(schedule, user(), SOURCE);
            return getSchedule();
        });
    }

    /**
     * Shows the manual override, if any.
     *
     * @return 200 OK with the override, or 404 when none is active
     */
    @GET
    @Path("override")
    public Response getOverride() {
        return handle(() -> service().override()
                .map(o -> ok(codecFor(ProfileOverride.class, OverrideCodec::new).encode(o, this)))
                .orElseGet(() -> error(Response.Status.NOT_FOUND, "override", "no override is active")));
    }

    /**
     * Forces a profile until an expiry.
     *
     * @param body {"profile": "offPeak", "expiresAt": "2026-01-14T13:00:00Z"} or
     *             {"profile": "peak", "durationMinutes": 30, "reason": "..."}
     * @return 201 Created with the override, or 400 {error, field}
     * @onos.rsModel CareLaneOverride
     */
    @POST
    @Path("override")
    public Response setOverride(String body) {
        return handle(() -> {
            JsonNode req = RequestBodies.object(body, Set.of("profile", "expiresAt", "durationMinutes", "reason"));
            Profile profile = RequestBodies.profile(req, "profile");
            Instant expiry = expiry(req);
            String reason = RequestBodies.optText(req, "reason", 200);
            requirePolicy();
            service().setOverride(profile, expiry, user(), reason, SOURCE);
            Response current = getOverride();
            return Response.status(Response.Status.CREATED).entity(current.getEntity())
                    .type(MediaType.APPLICATION_JSON).build();
        });
    }

    /**
     * Removes the manual override; the schedule applies again.
     *
     * @return 200 OK with {"removed": true|false}
     */
    @DELETE
    @Path("override")
    public Response clearOverride() {
        return handle(() -> ok(mapper().createObjectNode().put("removed", service().clearOverride(user(), SOURCE))));
    }

    /**
     * Active profile and, per device, the installed flow rules and meters.
     *
     * @return 200 OK
     */
    @GET
    @Path("status")
    public Response getStatus() {
        return handle(() -> ok(codecFor(CareLaneStatus.class, StatusCodec::new).encode(service().status(), this)));
    }

    /**
     * Per-slice bytes, packets and meter drops.
     *
     * @return 200 OK
     */
    @GET
    @Path("stats")
    public Response getStats() {
        return handle(() -> {
            ObjectNode root = mapper().createObjectNode();
            root.set("slices", codecFor(SliceStats.class, SliceStatsCodec::new).encode(service().stats(), this));
            return ok(root);
        });
    }

    /**
     * Per-slice and per-device counters, rates and state for Prometheus (text exposition format
     * 0.0.4): bytes, packets, meter drops, current max and min rate, the active profile, each
     * device's sync state and the time of the last switch-over. See README "Metrics".
     *
     * @return 200 OK, text/plain
     */
    @GET
    @Path("metrics")
    @Produces(MediaType.TEXT_PLAIN)
    public Response getMetrics() {
        return Response.ok(service().metrics(), PrometheusText.CONTENT_TYPE).build();
    }

    /**
     * The addresses a device learned from its site's DNS answers: address, listed name, slice and
     * expiry, with this node's name counters. Learning runs on the device's master: elsewhere
     * the list is empty and {@code master} is false.
     *
     * @param device the gateway, e.g. of:0000000000000001
     * @return 200 OK, or 400 {error, field} without a device
     */
    @GET
    @Path("names/learned")
    public Response getLearnedNames(@QueryParam("device") String device) {
        return handle(() -> {
            if (device == null || device.isBlank()) {
                throw new PolicyException("device", "is required, e.g. ?device=of:0000000000000001");
            }
            DeviceId id = deviceId(device);
            var names = service().learnedNames(id);
            ObjectNode root = mapper().createObjectNode().put("device", id.toString()).put("master", names.isPresent());
            ArrayNode learned = root.putArray("learned");
            names.orElse(java.util.List.of()).forEach(n -> learned.addObject().put("address", n.address().toString())
                    .put("name", n.name()).put("slice", n.slice()).put("expires", n.expires().toString()));
            root.set("counters", mapper().valueToTree(service().nameCounters()));
            return ok(root);
        });
    }

    /**
     * Audit trail of changes, oldest first.
     *
     * @param limit how many of the newest entries (1..1000)
     * @return 200 OK
     */
    @GET
    @Path("audit")
    public Response getAudit(@QueryParam("limit") @DefaultValue("100") String limit) {
        return handle(() -> {
            int max;
            try {
                max = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                throw new PolicyException("limit", "must be a whole number 1.." + MAX_AUDIT);
            }
            if (max < 1 || max > MAX_AUDIT) {
                throw new PolicyException("limit", "must be a whole number 1.." + MAX_AUDIT);
            }
            ObjectNode root = mapper().createObjectNode();
            root.set("entries", codecFor(AuditEntry.class, AuditEntryCodec::new).encode(service().audit(max), this));
            return ok(root);
        });
    }

    private Instant expiry(JsonNode req) {
        boolean hasAt = req.hasNonNull("expiresAt");
        boolean hasDuration = req.hasNonNull("durationMinutes");
        if (hasAt == hasDuration) {
            throw new PolicyException("expiresAt", "give exactly one of expiresAt or durationMinutes");
        }
        if (hasDuration) {
            JsonNode d = req.get("durationMinutes");
            if (!d.isIntegralNumber() || d.asLong() < 1 || d.asLong() > MAX_OVERRIDE_MINUTES) {
                throw new PolicyException("durationMinutes", "must be a whole number 1.." + MAX_OVERRIDE_MINUTES);
            }
            return service().now().plus(Duration.ofMinutes(d.asLong()));
        }
        JsonNode at = req.get("expiresAt");
        try {
            Instant instant = Instant.parse(at.asText());
            if (!at.isTextual() || instant.isAfter(service().now().plus(Duration.ofMinutes(MAX_OVERRIDE_MINUTES)))) {
                throw new PolicyException("expiresAt", "must be an ISO-8601 instant within 7 days");
            }
            return instant;
        } catch (DateTimeParseException e) {
            throw new PolicyException("expiresAt", "must be an ISO-8601 instant such as 2026-01-14T13:00:00Z");
        }
    }

    private ObjectNode sliceJson(SliceDefinition s, Profile active) {
        ObjectNode node = codecFor(SliceDefinition.class, SliceCodec::new).encode(s, this);
        SliceRates r = s.rates(active);
        if (r != null) {
            node.set("active", PolicyCodec.encodeRates(r).put("profile", active.jsonName()));
        }
        return node;
    }

    private SlicePolicy requirePolicy() {
        return service().policy().orElseThrow(() -> new PolicyException("policy", "no CareLane policy configured"));
    }

    private String user() {
        return security != null && security.getUserPrincipal() != null
                ? security.getUserPrincipal().getName() : "anonymous";
    }

    private Response handle(Supplier<Response> action) {
        try {
            return action.get();
        } catch (PolicyException e) {
            return error(Response.Status.BAD_REQUEST, e.field(), e.reason());
        }
    }

    /**
     * The codec ONOS's CodecService holds for a type (CareLaneCodecs registers CareLane's); the
     * test harness, which injects the service, has no CodecService and uses a new one.
     */
    private <T> JsonCodec<T> codecFor(Class<T> type, Supplier<JsonCodec<T>> standIn) {
        return injected != null ? standIn.get() : codec(type);
    }

    private Response ok(ObjectNode node) {
        return Response.ok(node.toString(), MediaType.APPLICATION_JSON).build();
    }

    private Response error(Response.Status status, String field, String message) {
        ObjectNode node = mapper().createObjectNode().put("error", message).put("field", field);
        return Response.status(status).entity(node.toString()).type(MediaType.APPLICATION_JSON).build();
    }
}
