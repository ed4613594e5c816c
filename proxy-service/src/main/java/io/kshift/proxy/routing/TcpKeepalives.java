package io.kshift.proxy.routing;

import io.kshift.model.istio.ConnectionPoolSettings.TcpKeepalive;
import io.kshift.model.mesh.IstioDuration;
import io.kshift.model.registry.ResolvedDestination;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;

/**
 * A destination's {@code connectionPool.tcp.tcpKeepalive} on an upstream socket: SO_KEEPALIVE, and on the epoll
 * transport the idle time, interval and probe count (seconds, as the kernel takes them, clamped to its maxima);
 * elsewhere, and for whatever the rule leaves out, the OS defaults. Without {@code tcpKeepalive} nothing is set.
 */
public final class TcpKeepalives {
    private TcpKeepalives() {
    }

    public static TcpKeepalive of(ResolvedDestination d) {
        var policy = d.policy();
        var tcp = policy == null || policy.connectionPool() == null ? null : policy.connectionPool().tcp();
        return tcp == null ? null : tcp.tcpKeepalive();
    }

    /** Linux takes at most 32767 s for the idle time and interval, and 127 probes; larger values are clamped. */
    static final int MAX_SECONDS = 32767;
    static final int MAX_PROBES = 127;

    /** Never throws: a socket option the OS refuses leaves that option at its default, the connection goes on. */
    public static void apply(TcpKeepalive keepalive, Channel channel) {
        if (keepalive == null) {
            return;
        }
        try {
            channel.config().setOption(ChannelOption.SO_KEEPALIVE, true);
            if (!channel.getClass().getName().startsWith("io.netty.channel.epoll.")) {
                return;
            }
            seconds(keepalive.time()).ifPresent(t -> channel.config().setOption(EpollChannelOption.TCP_KEEPIDLE, t));
            seconds(keepalive.interval()).ifPresent(t ->
                    channel.config().setOption(EpollChannelOption.TCP_KEEPINTVL, t));
            if (keepalive.probes() != null && keepalive.probes() > 0) {
                channel.config().setOption(EpollChannelOption.TCP_KEEPCNT, Math.min(MAX_PROBES, keepalive.probes()));
            }
        } catch (RuntimeException e) {
            LOG.debugf("tcpKeepalive not fully applied to %s: %s", channel, e.toString());
        }
    }

    private static java.util.Optional<Integer> seconds(String duration) {
        return IstioDuration.parse(duration).filter(d -> !d.isZero())
                .map(d -> (int) Math.max(1, Math.min(MAX_SECONDS, d.toSeconds())));
    }

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(TcpKeepalives.class);

}
