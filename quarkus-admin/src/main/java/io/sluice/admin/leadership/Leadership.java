package io.sluice.admin.leadership;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.sluice.admin.SluiceConfig;
import io.sluice.admin.job.Schedulers;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Whether this server leads: it runs the sources, backfills, verifications, recoveries, audits and alerts only then,
 * started by the {@link Elected} event (their owners observe it where they used to observe the start of the server).
 * Without {@code sluice.ha.enabled}, the server leads from the start. With it, the server takes the lease in the
 * metadata database when it lapses ({@link LeaderLease}), restores the capture state the last leader mirrored
 * ({@link SourceStateMirror}), and leads until it stops; a standby serves reads and refuses changes
 * ({@code StandbyFilter}).
 *
 * <p>A leader that cannot renew its lease in time, or finds at a write that its lease may have lapsed (the process was
 * paused, the database was out of reach), stops at once without writing anything more ({@link #lost}): another
 * server may lead by then, and a process restarted by its supervisor comes back as a standby. Thread-safe.
 */
@ApplicationScoped
public class Leadership {
    private static final Logger LOG = Logger.getLogger(Leadership.class);
    /** The exit status of a server that lost its lease. */
    static final int LOST = 75;

    /**
     * This server leads from now on; fired once, before any source starts.
     *
     * @param epoch the lease's epoch, 0 without high availability
     */
    public record Elected(long epoch) {
    }

    @Inject
    SluiceConfig config;

    @Inject
    LeaderLease lease;

    @Inject
    SourceStateMirror mirror;

    @Inject
    Event<Elected> elected;

    private volatile boolean leads;
    private volatile long epoch;
    /** System.nanoTime() after which this server may no longer assume it holds the lease. */
    private volatile long deadline;
    private String me;
    private ScheduledExecutorService ticks;

    /** After the sinks' boot and before the runtime's (which observes {@link Elected}). */
    void boot(@Observes @Priority(9) StartupEvent event) {
        SluiceConfig.Ha ha = config.ha();
        if (!ha.enabled()) {
            leads = true;
            elected.fire(new Elected(0));
            return;
        }
        List<String> problems = new ArrayList<>();
        if (config.metadata().jdbcUrl().filter(u -> u.startsWith("jdbc:postgresql:")).isEmpty()) {
            problems.add("sluice.ha.enabled needs sluice.metadata.jdbc-url on PostgreSQL, shared by every server (the embedded H2 belongs to"
                    + " one server)");
        }
        if (config.runtime() != SluiceConfig.Runtime.EMBEDDED) {
            problems.add("sluice.ha.enabled is for sluice.runtime=embedded (Kafka Connect keeps the connectors running whatever server is up)");
        }
        if (ha.renewInterval().multipliedBy(3).compareTo(ha.lease()) > 0 || ha.renewInterval().isNegative() || ha.renewInterval().isZero()) {
            problems.add("sluice.ha.renew-interval is " + ha.renewInterval() + "; expected positive and under a third of sluice.ha.lease ("
                    + ha.lease() + ")");
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException("Sluice cannot start: " + String.join("; ", problems) + ".");
        }
        me = ha.serverName().orElseGet(Leadership::defaultName);
        LOG.infof("high availability: server %s stands by until it holds the lease (%s, renewed every %s)", me, ha.lease(), ha.renewInterval());
        ticks = Schedulers.daemon("sluice-leadership", 1);
        ticks.scheduleWithFixedDelay(this::tick, 0, ha.renewInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Mirrors the state a last time once the runtime stopped its sources, then gives the lease up. */
    void shutdown(@Observes @Priority(11) ShutdownEvent event) {
        if (ticks == null) {
            return;
        }
        ticks.shutdownNow();
        if (leads && deadline - System.nanoTime() > 0) {
            if (mirror.mirror(me, epoch)) {
                lease.release(me, epoch);
                LOG.infof("server %s gave up the lease of epoch %d", me, epoch);
            }
        }
    }

    /** The epoch of this server's lease while it leads with high availability; 0 otherwise. */
    public long epoch() {
        return ticks != null && leads ? epoch : 0;
    }

    /** Whether this server leads now. */
    public boolean leads() {
        return leads;
    }

    /**
     * Stops the server at once if it may have lost the lease; called before each write to a target and each mirror of
     * the capture state. Without high availability, does nothing.
     */
    public void checkLease() {
        if (ticks != null && leads && System.nanoTime() - deadline > 0) {
            lost("its lease of epoch " + epoch + " may have lapsed (the process was paused or the database out of reach for "
                    + config.ha().lease() + ")");
        }
    }

    /** Who leads, for a standby's answers. */
    public String leader() {
        LeaderLease.Holder h = lease.holder();
        return h.current() && h.holder() != null ? "server " + h.holder() + " leads (epoch " + h.epoch() + ")" : "no server leads right now";
    }

    private void tick() {
        try {
            Duration ttl = config.ha().lease();
            long started = System.nanoTime();
            if (!leads) {
                OptionalLong won = lease.acquire(me, ttl);
                if (won.isEmpty()) {
                    return;
                }
                epoch = won.getAsLong();
                deadline = started + safe(ttl);
                mirror.restore();
                leads = true;
                LOG.infof("server %s leads (epoch %d): starting the sources", me, epoch);
                elected.fire(new Elected(epoch));
                return;
            }
            checkLease();
            if (!lease.renew(me, epoch, ttl)) {
                lost("its lease of epoch " + epoch + " was taken or lapsed before it was renewed");
            }
            deadline = started + safe(ttl);
            if (!mirror.mirror(me, epoch)) {
                lost("its lease of epoch " + epoch + " lapsed before the capture state was mirrored");
            }
        } catch (RuntimeException e) {
            LOG.warnf("leadership: %s", e.toString());
            checkLease();
        }
    }

    /** A lease counted on this machine's clock, with a tenth taken off for clocks that run at different speeds. */
    private static long safe(Duration ttl) {
        return ttl.toNanos() - ttl.toNanos() / 10;
    }

    /** Stops the process without running shutdown work: that work writes (sinks flush, offsets commit). */
    private void lost(String why) {
        leads = false;
        LOG.errorf("server %s stops: %s; another server may lead now. Start it again to stand by.", me, why);
        Runtime.getRuntime().halt(LOST);
    }

    private static String defaultName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "server";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 6);
    }
}
