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
import org.onlab.packet.Ethernet;
import org.onlab.packet.IpAddress;
import org.onlab.packet.UDP;
import org.onosproject.core.ApplicationId;
import org.onosproject.mastership.MastershipService;
import org.onosproject.net.DeviceId;
import org.onosproject.net.flow.FlowEntry;
import org.onosproject.net.flow.FlowId;
import org.onosproject.net.flow.FlowRule;
import org.onosproject.net.flow.FlowRuleService;
import org.onosproject.net.meter.MeterId;
import org.onosproject.net.packet.InboundPacket;
import org.onosproject.net.packet.PacketContext;
import org.onosproject.net.packet.PacketProcessor;
import org.onosproject.net.packet.PacketService;
import org.slf4j.Logger;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
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
 * answers of the site's resolvers to the controller ({@link DnsPunt}); each answer is read, its
 * addresses learned for the slices that list its names, their rules added in the band the
 * device's generation is in, and only then is the answer sent on to the client (held at most
 * {@link NameSettings#holdMs}, then sent anyway and counted late). An answer whose name the
 * client's highest slice by name drops goes on as NXDOMAIN. Learned addresses go when their
 * TTL (clamped) runs out, and every later answer extends it.
 * <p>
 * Learned addresses live on the master only: a new master removes the learned rules it finds
 * and learns again from the next answers (ONOS's new master deletes those that rewrite DSCP
 * anyway, as it cannot back them up).
 * <p>
 * Everything but the packet hand-off runs on its own thread, so that a flood of answers
 * neither holds ONOS's packet threads nor CareLane's programming.
 */
final class NameLearning {
    /** Expiries and punt renewals are checked this often. */
    static final Duration TICK = Duration.ofMillis(500);
    /**
     * Where a device's generation is (band, meters, profile) is read from the store when it gets
     * in sync, and at least this often (a staged boundary moves it without an attempt).
     */
    static final Duration PLACEMENT_CHECK = Duration.ofSeconds(5);
    /** Answers waiting for the names thread; past this, answers go on unread (counted). */
    static final int MAX_QUEUED = 2_000;
    /** Upper bounds (ms) of the hold-latency histogram's buckets; the last is everything above. */
    static final long[] HOLD_BUCKETS_MS = {1, 2, 5, 10, 20, 50, 100, 200};

    private final Logger log = getLogger(getClass());
    private final ApplicationId appId;
    private final CareLaneStore store;
    private final FlowRuleService flowRules;
    private final PacketService packets;
    private final AnswerPackets answers;
    private final DnsPunt punt;
    private final MastershipService mastership;
    private final BiFunction<DeviceId, Instant, Profile> profileAt;
    private final Supplier<Instant> clock;
    private final ScheduledExecutorService thread;
    private final PacketProcessor processor = this::inbound;
    private ScheduledFuture<?> ticker;
    private volatile boolean stopped;

    /** The resolvers of the policy last seen, and the devices that learn here (read on ONOS's packet threads). */
    private volatile Set<IpAddress> resolvers = Set.of();
    private volatile Set<DeviceId> learning = Set.of();
    /** Each device's learning (names thread only). */
    private final Map<DeviceId, DeviceNames> devices = new HashMap<>();
    /** Devices whose inherited learned rules are gone (names thread only). */
    private final Set<DeviceId> inheritedRemoved = new HashSet<>();
    private final AtomicInteger queued = new AtomicInteger();

    private final AtomicLong read = new AtomicLong();
    private final AtomicLong held = new AtomicLong();
    private final AtomicLong late = new AtomicLong();
    private final AtomicLong blockedAnswers = new AtomicLong();
    private final AtomicLong unread = new AtomicLong();
    private final AtomicLong evicted = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong failedBatches = new AtomicLong();
    private final long[] holdHistogram = new long[HOLD_BUCKETS_MS.length + 1];
    private long holdNanos;
    private volatile int learnedTotal;

    /** One device's learned addresses and the rules they have on it. */
    private static final class DeviceNames {
        final LearnedAddresses learned;
        final NameSettings settings;
        /** The rules each learned address has on the switch. */
        final Map<InetAddress, List<FlowRule>> rules = new HashMap<>();
        /** The names of the answer each address was learned from (question and CNAME chain). */
        final Map<InetAddress, List<String>> names = new HashMap<>();
        /** The device's effective policy, as of the last tick. */
        SlicePolicy own;
        /** Where the rules go: the generation's band, meters and profile; null until it has one. */
        Placement placement;
        /** When the placement was last read from the store; EPOCH: read it at the next tick. */
        Instant placedAt = Instant.EPOCH;
        /** The device's learned-rule changes on their way to ONOS, in order. */
        final LearnedRuleQueue queue;

        DeviceNames(NameSettings settings, SlicePolicy own, LearnedRuleQueue queue) {
            this.settings = settings;
            this.own = own;
            this.queue = queue;
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
        this.answers = new AnswerPackets(packets);
        this.punt = new DnsPunt(appId, flowRules);
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
     * from the devices this node masters, before answers stop being read (a node that only
     * stops leaves them: the punt rules run out by themselves, and the next master removes the
     * learned ones). Answers already taken are sent on.
     */
    void stop(boolean leaving) {
        if (ticker != null) {
            ticker.cancel(false);
        }
        try {
            if (leaving) {
                // Answers waiting go on without their rules; the batches in flight land first,
                // so that nothing they add is left behind.
                thread.submit(() -> devices.values().forEach(d -> d.queue.drop())).get(10, TimeUnit.SECONDS);
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                while (!thread.submit(() -> devices.values().stream().allMatch(d -> d.queue.idle()))
                        .get(10, TimeUnit.SECONDS) && System.nanoTime() < until) {
                    Thread.sleep(20);
                }
                thread.submit(this::removeAll).get(10, TimeUnit.SECONDS);
            }
            thread.submit(() -> {
                stopped = true;
            }).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("CareLane could not remove its learned rules: {}", e.toString());
        }
        stopped = true;
        packets.removeProcessor(processor);
    }

    private void removeAll() {
        Map<FlowId, FlowRule> ours = new HashMap<>();
        devices.values().forEach(d -> d.rules.values().forEach(list -> list.forEach(r -> ours.put(r.id(), r))));
        punt.all().forEach(r -> ours.put(r.id(), r));
        // Device by device, those this node masters: getFlowEntriesById would also read the
        // other masters' stores, which fails for rules that rewrite DSCP (see CareLaneReports).
        Set<DeviceId> mastered = new HashSet<>(devices.keySet());
        mastered.addAll(learning);
        for (DeviceId id : mastered) {
            if (!mastership.isLocalMaster(id)) {
                continue;
            }
            try {
                for (FlowEntry e : flowRules.getFlowEntries(id)) {
                    if (e.appId() == appId.id()) {
                        ours.put(e.id(), e);
                    }
                }
            } catch (RuntimeException e) {
                log.debug("CareLane could not read {}'s rules: {}", id, e.toString());
            }
        }
        if (!ours.isEmpty()) {
            flowRules.removeFlowRules(ours.values().toArray(FlowRule[]::new));
        }
        devices.clear();
    }

    /** On an ONOS packet thread: only an answer from a resolver to a learning device is taken, and handed off. */
    private void inbound(PacketContext context) {
        if (context.isHandled() || stopped) {
            return;
        }
        InboundPacket in = context.inPacket();
        DeviceId device = in.receivedFrom().deviceId();
        if (!learning.contains(device)) {
            return;
        }
        Ethernet eth = in.parsed();
        Optional<UDP> udp = AnswerPackets.fromResolver(eth, resolvers);
        if (udp.isEmpty() || context.block()) {
            return;
        }
        byte[] frame = new byte[in.unparsed().remaining()];
        in.unparsed().duplicate().get(frame);
        byte[] dns = udp.get().getPayload() == null ? new byte[0] : udp.get().getPayload().serialize();
        AnswerPackets.Answer answer = new AnswerPackets.Answer(device, in.receivedFrom().port(), frame, dns,
                AnswerPackets.client(eth));
        read.incrementAndGet();
        if (queued.incrementAndGet() > MAX_QUEUED) {
            queued.decrementAndGet();
            unread.incrementAndGet();
            answers.release(answer);
            return;
        }
        try {
            thread.execute(() -> {
                queued.decrementAndGet();
                handle(answer);
            });
        } catch (RejectedExecutionException e) {
            queued.decrementAndGet();
            answers.release(answer);
        }
    }

    /** On the names thread: one answer, sent on whatever happens. */
    private void handle(AnswerPackets.Answer answer) {
        AtomicBoolean sent = new AtomicBoolean();
        Runnable release = () -> {
            if (sent.compareAndSet(false, true)) {
                answers.release(answer);
            }
        };
        try {
            learn(answer, release, sent);
        } catch (RuntimeException e) {
            log.warn("CareLane could not learn from a DNS answer on {}: {}", answer.device, e.toString());
            release.run();
        }
    }

    private void learn(AnswerPackets.Answer answer, Runnable release, AtomicBoolean sent) {
        DeviceNames names = devices.get(answer.device);
        DnsMessage message = names == null || stopped ? null : parse(answer.dns);
        if (message == null || !message.isResponse()) {
            release.run();
            return;
        }
        NameRules rules = new NameRules(names.own);
        List<String> chain = message.chain();
        List<NameRules.Match> matches = rules.matches(chain);
        if (matches.isEmpty()) {
            release.run();
            return;
        }
        Optional<NameRules.Match> mine = rules.forClient(chain, answer.client);
        if (mine.isPresent() && mine.get().slice().drop()) {
            blockedAnswers.incrementAndGet();
            log.debug("CareLane answers NXDOMAIN for {} on {} (slice {})", message.question(), answer.device,
                    mine.get().slice().name());
            answers.releaseAsNxdomain(answer, message);
            sent.set(true);
            return;
        }
        NameRules.Match top = matches.get(0);
        List<DnsMessage.Answer> addresses = message.addresses();
        LearnedAddresses.Change change = names.learned.learn(top.name(), top.slice().name(), top.slice().priority(),
                addresses, clock.get());
        evicted.addAndGet(change.evicted.size());
        change.evicted.forEach(e -> forget(names, e.address).forEach(names.queue::remove));
        change.refreshed.forEach(e -> names.names.put(e.address, chain));
        boolean added = false;
        for (LearnedAddresses.Entry e : change.installed) {
            names.names.put(e.address, chain);
            List<FlowRule> before = names.rules.remove(e.address);
            List<FlowRule> next = rulesFor(names.placement, e.address, chain);
            Set<FlowId> nextIds = new HashSet<>();
            if (!next.isEmpty()) {
                names.rules.put(e.address, next);
                next.forEach(r -> {
                    names.queue.add(r, e.address);
                    nextIds.add(r.id());
                });
                added = true;
            }
            if (before != null) {
                before.stream().filter(r -> !nextIds.contains(r.id())).forEach(names.queue::remove);
            }
        }
        countLearned();
        long waiting = System.nanoTime();
        Runnable send = () -> {
            if (!sent.get() && System.nanoTime() > waiting) {
                recordHold(System.nanoTime() - answer.receivedNanos);
            }
            release.run();
        };
        ScheduledFuture<?> bound = thread.schedule(() -> {
            if (!sent.get()) {
                late.incrementAndGet();
                send.run();
            }
        }, names.settings.holdMs(), TimeUnit.MILLISECONDS);
        if (added) {
            held.incrementAndGet();
        }
        Set<InetAddress> of = new HashSet<>();
        addresses.forEach(a -> of.add(a.address));
        names.queue.whenIn(of, () -> {
            bound.cancel(false);
            send.run();
        });
    }

    /** The learned addresses of every device here, for the metrics (read off the names thread). */
    private void countLearned() {
        learnedTotal = devices.values().stream().mapToInt(d -> d.learned.size()).sum();
    }

    private static DnsMessage parse(byte[] wire) {
        try {
            return DnsMessage.parse(wire);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The rules of one learned address where the device's generation is: those of every slice
     * that lists a name of its answer (the switch orders them by priority); none until the
     * device has a generation.
     */
    private List<FlowRule> rulesFor(Placement at, InetAddress address, List<String> chain) {
        if (at == null || chain == null) {
            return List.of();
        }
        NameRules rules = new NameRules(at.policy);
        Map<FlowId, FlowRule> out = new java.util.LinkedHashMap<>();
        for (NameRules.Match m : rules.matches(chain)) {
            SliceDefinition slice = m.slice();
            InstalledMeter meter = at.meters.get(slice.name());
            if (meter == null && !slice.drop()) {
                continue;
            }
            FlowCompiler.learned(at.policy, slice, at.device, meter == null ? null : MeterId.meterId(meter.meterId()),
                    appId, at.profile, at.band, IpAddress.valueOf(address), rules.listed(chain))
                    .forEach(r -> out.putIfAbsent(r.id(), r));
        }
        return new ArrayList<>(out.values());
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

    /** On the names thread: which devices learn, their punt rules, expiries and moves; each device on its own. */
    void tick() {
        if (stopped) {
            return;
        }
        Optional<SlicePolicy> policy;
        try {
            policy = store.policy();
        } catch (RuntimeException e) {
            log.debug("CareLane could not read the policy for name learning: {}", e.toString());
            return;
        }
        NameSettings settings = policy.map(SlicePolicy::names).orElse(NameSettings.NONE);
        boolean byName = policy.isPresent() && new NameRules(policy.get()).any() && !settings.resolvers().isEmpty();
        Set<DeviceId> mastered = new HashSet<>();
        if (byName) {
            for (DeviceUplink d : policy.get().devices()) {
                if (mastership.isLocalMaster(d.deviceId())) {
                    mastered.add(d.deviceId());
                }
            }
        }
        resolvers = byName ? Set.copyOf(settings.resolvers()) : Set.of();
        learning = Set.copyOf(mastered);
        Instant now = clock.get();
        for (DeviceId id : new ArrayList<>(devices.keySet())) {
            if (!mastered.contains(id)) {
                leave(id);
            }
        }
        inheritedRemoved.retainAll(mastered);
        for (DeviceId id : mastered) {
            try {
                tick(id, policy.get(), settings, now);
            } catch (RuntimeException e) {
                log.debug("CareLane's name learning on {} failed this time: {}", id, e.toString());
            }
        }
        countLearned();
    }

    private void tick(DeviceId id, SlicePolicy policy, NameSettings settings, Instant now) {
        SlicePolicy own = policy.forDevice(id).orElseThrow().policy();
        DeviceNames names = devices.get(id);
        if (names != null && !names.settings.equals(settings)) {
            forgetLearned(id, names);   // new caps or TTL bounds: learned again from the next answers
            names = null;
        }
        if (names == null) {
            names = new DeviceNames(settings, own, new LearnedRuleQueue(flowRules, thread, batches::incrementAndGet,
                    n -> {
                        failedBatches.incrementAndGet();
                        log.warn("CareLane could not apply {} learned-rule changes on {}", n, id);
                    }));
            devices.put(id, names);
        }
        if (!inheritedRemoved.contains(id)) {
            removeInherited(id);
            inheritedRemoved.add(id);
        }
        punt.renew(id, settings.resolvers(), now);
        for (LearnedAddresses.Entry e : names.learned.expire(now)) {
            forget(names, e.address).forEach(names.queue::remove);
        }
        if (!own.equals(names.own)) {
            names.own = own;
            NameRules rules = new NameRules(own);
            for (LearnedAddresses.Entry e : names.learned.entries()) {
                if (rules.matches(names.names.getOrDefault(e.address, List.of())).isEmpty()) {
                    names.learned.forget(e.address);   // no slice lists its names any more
                    forget(names, e.address).forEach(names.queue::remove);
                }
            }
            names.placedAt = Instant.EPOCH;
        }
        if (Duration.between(names.placedAt, now).compareTo(PLACEMENT_CHECK) >= 0) {
            names.placedAt = now;
            Placement at = placement(policy, id, now);
            if (!(at == null ? names.placement == null : at.same(names.placement))) {
                move(names, at);
            }
        }
    }

    private static List<FlowRule> forget(DeviceNames names, InetAddress address) {
        names.names.remove(address);
        List<FlowRule> gone = names.rules.remove(address);
        return gone == null ? List.of() : gone;
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
    private void move(DeviceNames names, Placement at) {
        names.placement = at;
        if (names.rules.isEmpty() && names.learned.size() == 0) {
            return;
        }
        Map<InetAddress, List<FlowRule>> before = new HashMap<>(names.rules);
        names.rules.clear();
        Set<FlowId> kept = new HashSet<>();
        for (LearnedAddresses.Entry e : names.learned.entries()) {
            List<FlowRule> next = rulesFor(at, e.address, names.names.get(e.address));
            if (!next.isEmpty()) {
                names.rules.put(e.address, next);
                next.forEach(r -> {
                    names.queue.add(r, e.address);
                    kept.add(r.id());
                });
            }
        }
        // In the same batch, after the adds (LearnedRuleQueue sends adds first).
        before.values().forEach(list -> list.stream().filter(r -> !kept.contains(r.id()))
                .forEach(names.queue::remove));
    }

    /** A new master removes the learned rules it inherits: it does not know their names or TTLs. */
    private void removeInherited(DeviceId id) {
        List<FlowRule> inherited = new ArrayList<>();
        for (FlowEntry e : flowRules.getFlowEntries(id)) {
            if (e.appId() == appId.id() && !DnsPunt.isPunt(e)) {
                inherited.add(e);
            }
        }
        if (!inherited.isEmpty()) {
            log.info("CareLane removes {} learned rules on {} left by its previous master", inherited.size(), id);
            flowRules.removeFlowRules(inherited.toArray(FlowRule[]::new));
        }
    }

    /** The device no longer learns here: its rules go if this node still masters it (it left the policy). */
    private void leave(DeviceId id) {
        DeviceNames names = devices.remove(id);
        if (!mastership.isLocalMaster(id)) {
            punt.forget(id);   // the next master takes over the rules
            return;
        }
        punt.remove(id);
        if (names != null) {
            forgetLearned(id, names);
        }
    }

    /** The device's learned rules go, after whatever is on its way (its queue lives on in its callbacks). */
    private void forgetLearned(DeviceId id, DeviceNames names) {
        names.rules.values().forEach(list -> list.forEach(names.queue::remove));
        names.rules.clear();
        devices.remove(id);
    }

    /** For tests: one tick, on the names thread, now. */
    void tickNow() throws Exception {
        thread.submit(() -> tick()).get(10, TimeUnit.SECONDS);
    }

    /**
     * The switch reports a rule of the names app deleted (FLOW_REMOVED, reason DELETE): a current
     * punt rule is replaced at once (see {@link DnsPunt}).
     */
    void deleted(DeviceId id, FlowId rule) {
        if (stopped) {
            return;
        }
        try {
            thread.execute(() -> {
                if (!stopped && devices.containsKey(id) && punt.deleted(id, rule, clock.get())) {
                    log.info("CareLane replaced the DNS punt rule the switch reported deleted on {}", id);
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("CareLane's name learning has stopped");
        }
    }

    /** The application the learned and punt rules are installed under (names thread or not). */
    ApplicationId appId() {
        return appId;
    }

    /** A device got in sync with the policy: its generation may be in another band, or use other meters. */
    void inSync(DeviceId id) {
        if (stopped) {
            return;
        }
        try {
            thread.execute(() -> {
                DeviceNames names = devices.get(id);
                if (names != null) {
                    names.placedAt = Instant.EPOCH;
                    tickSafely();
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("CareLane's name learning has stopped");
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
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                 | RejectedExecutionException e) {
            return List.of();
        }
    }

    /** Counters for /status and the metrics. */
    Map<String, Object> counters() {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("answers", read.get());
        out.put("learned", learnedTotal);
        out.put("held", held.get());
        out.put("late", late.get());
        out.put("blocked", blockedAnswers.get());
        out.put("unread", unread.get());
        out.put("evicted", evicted.get());
        out.put("batches", batches.get());
        out.put("failedBatches", failedBatches.get());
        synchronized (this) {
            out.put("holdHistogramMs", holdHistogram.clone());
            out.put("holdSeconds", holdNanos / 1e9);
        }
        return out;
    }
}
