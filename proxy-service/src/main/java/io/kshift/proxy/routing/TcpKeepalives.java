package io.kshift.proxy.routing;

import io.kshift.model.istio.ConnectionPoolSettings.TcpKeepalive;
import io.kshift.model.mesh.IstioDuration;
import io.kshift.model.registry.ResolvedDestination;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;

/**
 * A destination's {@code connectionPool.tcp.tcpKeepalive} on an upstream socket: SO_KEEPALIVE, and on the epoll
 * transport the idle time, interval and probe count (seconds, as the kernel takes them); elsewhere, and for whatever
 * the rule leaves out, the OS defaults. Without {@code tcpKeepalive} nothing is set.
 */
public final class TcpKeepalives {
    private TcpKeepalives() {
    }

    public static TcpKeepalive of(ResolvedDestination d) {
        var policy = d.policy();
        var tcp = policy == null || policy.connectionPool() == null ? null : policy.connectionPool().tcp();
        return tcp == null ? null : tcp.tcpKeepalive();
    }

    public static void apply(TcpKeepalive keepalive, Channel channel) {
        if (keepalive == null) {
            return;
        }
        channel.config().setOption(ChannelOption.SO_KEEPALIVE, true);
        if (!channel.getClass().getName().startsWith("io.netty.channel.epoll.")) {
            return;
        }
        seconds(keepalive.time()).ifPresent(t -> channel.config().setOption(EpollChannelOption.TCP_KEEPIDLE, t));
        seconds(keepalive.interval()).ifPresent(t -> channel.config().setOption(EpollChannelOption.TCP_KEEPINTVL, t));
        if (keepalive.probes() != null && keepalive.probes() > 0) {
            channel.config().setOption(EpollChannelOption.TCP_KEEPCNT, keepalive.probes());
        }
    }

    private static java.util.Optional<Integer> seconds(String duration) {
        return IstioDuration.parse(duration).filter(d -> !d.isZero())
                .map(d -> (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toSeconds())));
    }

}
