package org.carelane.impl;

import org.carelane.api.CareLaneStore;
import org.carelane.api.DeviceUplink;
import org.carelane.api.InstalledMeter;
import org.carelane.api.NameSettings;
import org.carelane.api.Profile;
import org.carelane.api.SliceDefinition;
import org.carelane.api.SlicePolicy;
import org.carelane.names.DnsMessage;
import org.carelane.names.LearnedAddresses;
import org.carelane.policy.FlowCompiler;
import org.carelane.policy.NameRules;
import org.onlab.packet.Data;
import org.onlab.packet.Ethernet;
import org.onlab.packet.IPv4;
import org.onlab.packet.IPv6;
import org.onlab.packet.IpAddress;
import org.onlab.packet.IpPrefix;
import org.onlab.packet.TpPort;
import org.onlab.packet.UDP;
import org.onosproject.core.ApplicationId;
import org.onosproject.mastership.MastershipService;
import org.onosproject.net.DeviceId;
import org.onosproject.net.PortNumber;
import org.onosproject.net.flow.DefaultFlowRule;
import org.onosproject.net.flow.DefaultTrafficSelector;
import org.onosproject.net.flow.DefaultTrafficTreatment;
import org.onosproject.net.flow.FlowEntry;
import org.onosproject.net.flow.FlowRule;
import org.onosproject.net.flow.FlowRuleOperations;
import org.onosproject.net.flow.FlowRuleOperationsContext;
import org.onosproject.net.flow.FlowRuleService;
import org.onosproject.net.meter.MeterId;
import org.onosproject.net.packet.DefaultOutboundPacket;
import org.onosproject.net.packet.InboundPacket;
import org.onosproject.net.packet.PacketContext;
import org.onosproject.net.packet.PacketProcessor;
import org.onosproject.net.packet.PacketService;
import org.slf4j.Logger;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Supplier;

import static org.slf4j.LoggerFactory.getLogger;

/**
 * Classification by name on the devices this node masters (issue 17). Each device sends the
 * answers of the site's resolvers to the controller (a punt rule); each answer is read, its
 * addresses learned for the slice that lists its names, their rules added in the band the
 * device's generation is in, and only then is the answer sent on to the client (held at most
 * {@link NameSettings#holdMs}, then sent anyway and counted late). An answer for a name of a
 * drop slice goes on as NXDOMAIN. Learned addresses go when their TTL (clamped) runs out,
 * and every later answer extends it.
 * <p>
 * DNS keeps working without CareLane: the punt rule has a hard_timeout, and CareLane replaces
 * it before it runs out, alternating two priorities (ONOS 2.7.0 deletes a rule re-added with a
 * hard_timeout once its first timeout has run: FlowRuleManager.checkRuleLiveness). If nobody
 * replaces it, the switch drops it and answers flow by the normal rules.
 * <p>
 * Learned addresses live on the master only: a new master removes the learned rules it finds
 * and learns again from the next answers (ONOS's new master deletes them anyway, as it cannot
 * back up rules that rewrite DSCP).
 * <p>
 * Everything but the packet hand-off runs on its own thread, so that a flood of answers
 * neither holds ONOS's packet threads nor CareLane's programming.
 */
final class NameLearning {
    /** Above every band CareLane's generations use. */
    static final int PUNT_PRIORITY = 11_000;
    /** The punt rule's hard_timeout: how long DNS waits for answers CareLane no longer handles. */
    static final int PUNT_SECONDS = 15;
    /** The punt rule is replaced this often. */
    static final Duration PUNT_RENEWAL = Duration.ofSeconds(5);
    /** Expiries and punt renewals are checked this often. */
    static final Duration TICK = Duration.ofMillis(500);
    /**
     * Where a device's generation is (band, meters, profile) is read from the store when it gets
     * in sync, and at least this often (a staged boundary moves it without an attempt).
     */
    static final Duration PLACEMENT_CHECK = Duration.ofSeconds(5);
    /** Answers waiting for the names thread; past this, answers go on unread (counted). */
    static final int MAX_QUEUED = 2_000;
    private static final int DNS_PORT = 53;
    /** Upper bounds (ms) of the hold-latency histogram's buckets; the last is everything above. */
    static final long[] HOLD_BUCKETS_MS = {1, 2, 5, 10, 20, 50, 100, 200};

    private final Logger log = getLogger(getClass());
    private final ApplicationId appId;
    private final CareLaneStore store;
    private final FlowRuleService flowRules;
    private final PacketService packets;
    private final MastershipService mastership;
    private final BiFunction<DeviceId, Instant, Profile> profileAt;
    private final Supplier<Instant> clock;
    private final ScheduledExecutorService thread;
    private final PacketProcessor processor = this::inbound;
    private ScheduledFuture<?> ticker;
    private volatile boolean stopped;

    /** The resolvers of the policy last seen (read on ONOS's packet threads). */
    private volatile Set<IpAddress> resolvers = Set.of();
    /** Each mastered device's learning (names thread only). */
    private final Map<DeviceId, DeviceNames> devices = new HashMap<>();
    private final AtomicInteger queued = new AtomicInteger();

    private final AtomicLong answers = new AtomicLong();
    private final AtomicLong held = new AtomicLong();
    private final AtomicLong late = new AtomicLong();
    private final AtomicLong blockedAnswers = new AtomicLong();
    private final AtomicLong unread = new AtomicLong();
    private final AtomicLong evicted = new AtomicLong();
    private final long[] holdHistogram = new long[HOLD_BUCKETS_MS.length + 1];
    private long holdNanos;
    private volatile int learnedTotal;

    /** One device's learned addresses and the rules they have on it. */
    private static final class DeviceNames {
        final LearnedAddresses learned;
        final NameSettings settings;
        /** The rules each learned address has on the switch. */
        final Map<InetAddress, List<FlowRule>> rules = new HashMap<>();
        /** The device's effective policy, as of the last tick. */
        SlicePolicy own;
        /** Where the rules go: the generation's band, meters and profile; null until it has one. */
        Placement placement;
        /** When the placement was last read from the store; EPOCH: read it at the next tick. */
        Instant placedAt = Instant.EPOCH;
        FlowRule punt;
        Instant puntSince = Instant.EPOCH;

        DeviceNames(NameSettings settings) {
            this.settings = settings;
            this.learned = new LearnedAddresses(settings.maxLearned(), settings.maxPerName(), settings.minTtl(),
                    settings.maxTtl());
        }
    }

    /** What a learned rule's priority and treatment follow. */
    private static final class Placement {
        final SlicePolicy policy;
        final DeviceUplink device;
        final int band;
        final Map<String, InstalledMeter> meters;
        final Profile profile;

        Placement(SlicePolicy policy, DeviceUplink device, int band, Map<String, InstalledMeter> meters,
                  Profile profile) {
            this.policy = policy;
            this.device = device;
            this.band = band;
            this.meters = meters;
            this.profile = profile;
        }

        boolean same(Placement o) {
            return o != null && band == o.band && meters.equals(o.meters) && profile == o.profile
                    && policy.equals(o.policy) && device.equals(o.device);
        }
    }

    /**
     * @param appId     the application learned and punt rules are installed under (not the
     *                  generations', whose rules CareLane compares with the policy)
     * @param profileAt a device's profile at an instant
     * @param thread    the names thread
     */
    NameLearning(ApplicationId appId, CareLaneStore store, FlowRuleService flowRules, PacketService packets,
                 MastershipService mastership, BiFunction<DeviceId, Instant, Profile> profileAt,
                 Supplier<Instant> clock, ScheduledExecutorService thread) {
        this.appId = appId;
        this.store = store;
        this.flowRules = flowRules;
        this.packets = packets;
        this.mastership = mastership;
        this.profileAt = profileAt;
        this.clock = clock;
        this.thread = thread;
    }

    void start() {
        packets.addProcessor(processor, PacketProcessor.director(1));   // before reactive forwarding (2)
        ticker = thread.scheduleWithFixedDelay(this::tickSafely, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Stops learning. {@code leaving}: the app is deactivated, so the punt and learned rules go
     * from the devices this node masters (a node that only stops leaves them: the punt rule
     * runs out by itself, and the next master removes the learned ones).
     */
    void stop(boolean leaving) {
        stopped = true;
        packets.removeProcessor(processor);
        if (ticker != null) {
            ticker.cancel(false);
        }
        if (!leaving) {
            return;
        }
        try {
            thread.submit(this::removeMastered).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("CareLane could not remove its learned rules: {}", e.toString());
        }
    }

    private void removeMastered() {
        List<FlowRule> ours = new ArrayList<>();
        flowRules.getFlowEntriesById(appId).forEach(e -> {
            if (mastership.isLocalMaster(e.deviceId())) {
                ours.add(e);
            }
        });
        if (!ours.isEmpty()) {
            flowRules.removeFlowRules(ours.toArray(FlowRule[]::new));
        }
        devices.clear();
    }

    /** On an ONOS packet thread: only an answer from a resolver is taken, and handed off. */
    private void inbound(PacketContext context) {
        if (context.isHandled() || stopped) {
            return;
        }
        InboundPacket in = context.inPacket();
        Ethernet eth = in.parsed();
        Optional<UDP> udp = dnsAnswerFromResolver(eth);
        if (udp.isEmpty() || context.block()) {
            return;
        }
        byte[] frame = new byte[in.unparsed().remaining()];
        in.unparsed().duplicate().get(frame);
        byte[] dns = udp.get().getPayload() == null ? new byte[0] : udp.get().getPayload().serialize();
        DeviceId device = in.receivedFrom().deviceId();
        PortNumber port = in.receivedFrom().port();
        long received = System.nanoTime();
        answers.incrementAndGet();
        if (queued.incrementAndGet() > MAX_QUEUED) {
            queued.decrementAndGet();
            unread.incrementAndGet();
            release(device, port, frame);
            return;
        }
        thread.execute(() -> {
            queued.decrementAndGet();
            try {
                answer(device, port, eth, frame, dns, received);
            } catch (RuntimeException e) {
                log.warn("CareLane could not read a DNS answer on {}: {}", device, e.toString());
                release(device, port, frame);
            }
        });
    }

    private Optional<UDP> dnsAnswerFromResolver(Ethernet eth) {
        if (eth == null) {
            return Optional.empty();
        }
        IpAddress src;
        Object payload;
        if (eth.getEtherType() == Ethernet.TYPE_IPV4 && eth.getPayload() instanceof IPv4) {
            IPv4 ip = (IPv4) eth.getPayload();
            if (ip.getProtocol() != IPv4.PROTOCOL_UDP) {
                return Optional.empty();
            }
            src = IpAddress.valueOf(ip.getSourceAddress());
            payload = ip.getPayload();
        } else if (eth.getEtherType() == Ethernet.TYPE_IPV6 && eth.getPayload() instanceof IPv6) {
            IPv6 ip = (IPv6) eth.getPayload();
            if (ip.getNextHeader() != IPv6.PROTOCOL_UDP) {
                return Optional.empty();
            }
            src = IpAddress.valueOf(IpAddress.Version.INET6, ip.getSourceAddress());
            payload = ip.getPayload();
        } else {
            return Optional.empty();
        }
        if (!(payload instanceof UDP) || ((UDP) payload).getSourcePort() != DNS_PORT || !resolvers.contains(src)) {
            return Optional.empty();
        }
        return Optional.of((UDP) payload);
    }

    /** On the names thread: learn, install, then send the answer on. */
    private void answer(DeviceId id, PortNumber port, Ethernet eth, byte[] frame, byte[] wire, long received) {
        DeviceNames names = devices.get(id);
        DnsMessage message = names == null ? null : parse(wire);
        if (message == null || !message.isResponse()) {
            release(id, port, frame);
            return;
        }
        NameRules rules = new NameRules(names.own);
        Optional<NameRules.Match> match = rules.classify(message.chain());
        if (match.isEmpty()) {
            release(id, port, frame);
            return;
        }
        SliceDefinition slice = match.get().slice();
        if (slice.drop()) {
            blockedAnswers.incrementAndGet();
            log.debug("CareLane answers NXDOMAIN for {} on {} (slice {})", message.question(), id, slice.name());
            release(id, port, nxdomain(eth, message));
            return;
        }
        Instant now = clock.get();
        LearnedAddresses.Change change = names.learned.learn(match.get().name(), slice.name(), slice.priority(),
                message.addresses(), now);
        evicted.addAndGet(change.evicted.size());
        FlowRuleOperations.Builder ops = FlowRuleOperations.builder();
        change.evicted.forEach(e -> removeRules(names, e.address, ops));
        boolean adds = false;
        for (LearnedAddresses.Entry e : change.installed) {
            removeRules(names, e.address, ops);
            List<FlowRule> added = rulesFor(names.placement, e, rules);
            if (!added.isEmpty()) {
                names.rules.put(e.address, added);
                added.forEach(ops::add);
                adds = true;
            }
        }
        learnedTotal = devices.values().stream().mapToInt(d -> d.learned.size()).sum();
        if (!adds) {
            if (!change.evicted.isEmpty()) {
                flowRules.apply(ops.build());
            }
            release(id, port, frame);
            return;
        }
        held.incrementAndGet();
        AtomicBoolean sent = new AtomicBoolean();
        Runnable send = () -> {
            if (sent.compareAndSet(false, true)) {
                recordHold(System.nanoTime() - received);
                release(id, port, frame);
            }
        };
        ScheduledFuture<?> bound = thread.schedule(() -> {
            if (!sent.get()) {
                late.incrementAndGet();
                send.run();
            }
        }, names.settings.holdMs(), TimeUnit.MILLISECONDS);
        flowRules.apply(ops.build(new FlowRuleOperationsContext() {
            @Override
            public void onSuccess(FlowRuleOperations o) {
                bound.cancel(false);
                send.run();
            }

            @Override
            public void onError(FlowRuleOperations o) {
                log.warn("CareLane could not add the rules learned from an answer for {} on {}", message.question(),
                        id);
                bound.cancel(false);
                send.run();
            }
        }));
    }

    private static DnsMessage parse(byte[] wire) {
        try {
            return DnsMessage.parse(wire);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The rules of one learned address where the device's generation is; none until it has one. */
    private List<FlowRule> rulesFor(Placement at, LearnedAddresses.Entry e, NameRules rules) {
        if (at == null) {
            return List.of();
        }
        Optional<SliceDefinition> slice = at.policy.slice(e.slice);
        if (slice.isEmpty()) {
            return List.of();
        }
        InstalledMeter meter = at.meters.get(e.slice);
        if (meter == null && !slice.get().drop()) {
            return List.of();
        }
        return FlowCompiler.learned(at.policy, slice.get(), at.device,
                meter == null ? null : MeterId.meterId(meter.meterId()), appId, at.profile, at.band,
                IpAddress.valueOf(e.address), rules.listed(e.name));
    }

    private static void removeRules(DeviceNames names, InetAddress address, FlowRuleOperations.Builder ops) {
        List<FlowRule> gone = names.rules.remove(address);
        if (gone != null) {
            gone.forEach(ops::remove);
        }
    }

    private void release(DeviceId id, PortNumber inPort, byte[] frame) {
        packets.emit(new DefaultOutboundPacket(id, DefaultTrafficTreatment.builder().setOutput(PortNumber.NORMAL)
                .build(), ByteBuffer.wrap(frame), inPort));
    }

    /** The answer's frame, its DNS message turned into an NXDOMAIN for the question. */
    private static byte[] nxdomain(Ethernet eth, DnsMessage message) {
        Ethernet copy = (Ethernet) eth.duplicate();
        UDP udp = (UDP) copy.getPayload().getPayload();
        udp.setPayload(new Data(message.nxdomain()));
        udp.resetChecksum();
        if (copy.getPayload() instanceof IPv4) {
            ((IPv4) copy.getPayload()).resetChecksum();
        }
        return copy.serialize();
    }

    private synchronized void recordHold(long nanos) {
        long ms = TimeUnit.NANOSECONDS.toMillis(nanos);
        int i = 0;
        while (i < HOLD_BUCKETS_MS.length && ms > HOLD_BUCKETS_MS[i]) {
            i++;
        }
        holdHistogram[i]++;
        holdNanos += nanos;
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            log.warn("CareLane's name learning tick failed: {}", e.toString());
        }
    }

    /** On the names thread: which devices learn, their punt rules, expiries and band moves. */
    void tick() {
        if (stopped) {
            return;
        }
        Optional<SlicePolicy> policy = store.policy();
        NameSettings settings = policy.map(SlicePolicy::names).orElse(NameSettings.NONE);
        boolean byName = policy.isPresent() && new NameRules(policy.get()).any() && !settings.resolvers().isEmpty();
        resolvers = byName ? Set.copyOf(settings.resolvers()) : Set.of();
        Instant now = clock.get();
        Set<DeviceId> learning = new HashSet<>();
        if (byName) {
            for (DeviceUplink d : policy.get().devices()) {
                if (mastership.isLocalMaster(d.deviceId())) {
                    learning.add(d.deviceId());
                }
            }
        }
        for (DeviceId id : new ArrayList<>(devices.keySet())) {
            DeviceNames names = devices.get(id);
            if (!learning.contains(id) || !names.settings.equals(settings)) {
                leave(id, names, mastership.isLocalMaster(id));
            }
        }
        for (DeviceId id : learning) {
            DeviceNames names = devices.get(id);
            if (names == null) {
                names = new DeviceNames(settings);
                devices.put(id, names);
                removeInherited(id);
            }
            names.own = policy.get().forDevice(id).orElseThrow().policy();
            renewPunt(id, names, settings, now);
            FlowRuleOperations.Builder ops = FlowRuleOperations.builder();
            boolean changed = false;
            for (LearnedAddresses.Entry e : names.learned.expire(now)) {
                removeRules(names, e.address, ops);
                changed = true;
            }
            if (Duration.between(names.placedAt, now).compareTo(PLACEMENT_CHECK) >= 0) {
                names.placedAt = now;
                Placement at = placement(policy.get(), id, now);
                if (!(at == null ? names.placement == null : at.same(names.placement))) {
                    changed |= move(names, at, ops);
                }
            }
            if (changed) {
                flowRules.apply(ops.build());
            }
        }
        learnedTotal = devices.values().stream().mapToInt(d -> d.learned.size()).sum();
    }

    /** Where the device's learned rules go now: its generation's band, meters and profile. */
    private Placement placement(SlicePolicy policy, DeviceId id, Instant now) {
        Optional<DeviceUplink> device = policy.device(id);
        java.util.OptionalInt band = store.ruleBand(id);
        if (device.isEmpty() || band.isEmpty()) {
            return null;   // not programmed yet
        }
        return new Placement(policy.forDevice(id).orElseThrow().policy(), device.get(), band.getAsInt(),
                Map.copyOf(store.installedMeters(id)), profileAt.apply(id, now));
    }

    /** Every learned address's rules to the new placement: added there, then the old ones removed. */
    private boolean move(DeviceNames names, Placement at, FlowRuleOperations.Builder ops) {
        names.placement = at;
        if (names.rules.isEmpty() && names.learned.size() == 0) {
            return false;
        }
        NameRules rules = at == null ? null : new NameRules(at.policy);
        Map<InetAddress, List<FlowRule>> before = new HashMap<>(names.rules);
        names.rules.clear();
        Set<org.onosproject.net.flow.FlowId> kept = new HashSet<>();
        if (at != null) {
            for (LearnedAddresses.Entry e : names.learned.entries()) {
                List<FlowRule> added = rulesFor(at, e, rules);
                if (!added.isEmpty()) {
                    names.rules.put(e.address, added);
                    added.forEach(r -> {
                        ops.add(r);
                        kept.add(r.id());
                    });
                }
            }
        }
        ops.newStage();
        before.values().forEach(list -> list.stream().filter(r -> !kept.contains(r.id())).forEach(ops::remove));
        return true;
    }

    /** The punt rule for the site's resolvers' answers, replaced before its hard_timeout runs out. */
    private void renewPunt(DeviceId id, DeviceNames names, NameSettings settings, Instant now) {
        if (names.punt != null && Duration.between(names.puntSince, now).compareTo(PUNT_RENEWAL) < 0) {
            return;
        }
        int priority = names.punt == null || names.punt.priority() != PUNT_PRIORITY ? PUNT_PRIORITY
                : PUNT_PRIORITY + 1;
        FlowRuleOperations.Builder ops = FlowRuleOperations.builder();
        List<FlowRule> next = new ArrayList<>();
        for (IpAddress resolver : settings.resolvers()) {
            org.onosproject.net.flow.TrafficSelector.Builder sel = DefaultTrafficSelector.builder();
            if (resolver.isIp4()) {
                sel.matchEthType(Ethernet.TYPE_IPV4).matchIPSrc(IpPrefix.valueOf(resolver, 32));
            } else {
                sel.matchEthType(Ethernet.TYPE_IPV6).matchIPv6Src(IpPrefix.valueOf(resolver, 128));
            }
            sel.matchIPProtocol(IPv4.PROTOCOL_UDP).matchUdpSrc(TpPort.tpPort(DNS_PORT));
            next.add(DefaultFlowRule.builder().forDevice(id).forTable(0).withSelector(sel.build())
                    .withTreatment(DefaultTrafficTreatment.builder().punt().build()).withPriority(priority)
                    .fromApp(appId).withHardTimeout(PUNT_SECONDS).build());
        }
        next.forEach(ops::add);
        ops.newStage();
        for (FlowEntry e : flowRules.getFlowEntries(id)) {
            if (e.appId() == appId.id() && isPunt(e) && e.priority() != priority) {
                ops.remove(e);
            }
        }
        flowRules.apply(ops.build());
        names.punt = next.isEmpty() ? null : next.get(0);
        names.puntSince = now;
    }

    private static boolean isPunt(FlowRule rule) {
        return rule.priority() == PUNT_PRIORITY || rule.priority() == PUNT_PRIORITY + 1;
    }

    /** A new master removes the learned rules it inherits: it does not know their names or TTLs. */
    private void removeInherited(DeviceId id) {
        List<FlowRule> inherited = new ArrayList<>();
        for (FlowEntry e : flowRules.getFlowEntries(id)) {
            if (e.appId() == appId.id() && !isPunt(e)) {
                inherited.add(e);
            }
        }
        if (!inherited.isEmpty()) {
            log.info("CareLane removes {} learned rules on {} left by its previous master", inherited.size(), id);
            flowRules.removeFlowRules(inherited.toArray(FlowRule[]::new));
        }
    }

    /** The device no longer learns here: its rules go if this node still masters it. */
    private void leave(DeviceId id, DeviceNames names, boolean master) {
        devices.remove(id);
        if (!master) {
            return;   // the next master removes them
        }
        List<FlowRule> gone = new ArrayList<>();
        names.rules.values().forEach(gone::addAll);
        for (FlowEntry e : flowRules.getFlowEntries(id)) {
            if (e.appId() == appId.id() && isPunt(e)) {
                gone.add(e);
            }
        }
        if (!gone.isEmpty()) {
            flowRules.removeFlowRules(gone.toArray(FlowRule[]::new));
        }
    }

    /** For tests: one tick, on the names thread, now. */
    void tickNow() throws Exception {
        thread.submit(this::tick).get(10, TimeUnit.SECONDS);
    }

    /** A device got in sync with the policy: its generation may be in another band, or use other meters. */
    void inSync(DeviceId id) {
        if (!stopped) {
            thread.execute(() -> {
                DeviceNames names = devices.get(id);
                if (names != null) {
                    names.placedAt = Instant.EPOCH;
                    tickSafely();
                }
            });
        }
    }

    /** Learned addresses of a device (names thread snapshot), for REST and the CLI. */
    List<LearnedAddresses.Entry> learned(DeviceId id) {
        try {
            return thread.submit(() -> {
                DeviceNames names = devices.get(id);
                return names == null ? List.<LearnedAddresses.Entry>of() : names.learned.entries();
            }).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return List.of();
        }
    }

    /** Counters for /status and the metrics. */
    Map<String, Object> counters() {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("answers", answers.get());
        out.put("learned", learnedTotal);
        out.put("held", held.get());
        out.put("late", late.get());
        out.put("blocked", blockedAnswers.get());
        out.put("unread", unread.get());
        out.put("evicted", evicted.get());
        synchronized (this) {
            out.put("holdHistogramMs", holdHistogram.clone());
            out.put("holdSeconds", holdNanos / 1e9);
        }
        return out;
    }
}
