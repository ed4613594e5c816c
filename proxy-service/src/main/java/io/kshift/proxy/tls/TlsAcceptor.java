package io.kshift.proxy.tls;

import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.proxy.routing.ListenerRoute;
import io.kshift.proxy.tcp.TcpProxy;
import io.netty.channel.Channel;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * How a TLS port takes a connection: its SNI is read first ({@link SniSniffer}), the route table of that moment
 * picks the chain and the route, a terminating chain puts its TLS handler in front, and the connection is relayed
 * as a TCP port's are ({@link TcpProxy}). A name no chain or route takes is closed at once, as Envoy closes a
 * connection no filter chain matches.
 */
public final class TlsAcceptor {
    private TlsAcceptor() {
    }

    public static Consumer<Channel> initializer(int port, RouteTableHolder tables,
                                                TcpProxy tcp, long helloTimeoutMillis) {
        return ch -> ch.pipeline().addLast("kshift-sni", new SniSniffer(helloTimeoutMillis, (ctx, sni) -> {
            Optional<TlsPortTable.Chain> chain = tables.get().tls(port).flatMap(t -> t.chain(sni));
            Optional<ListenerRoute> route = chain.flatMap(c -> c.route(sni));
            if (route.isEmpty()) {
                ctx.close();
                return;
            }
            ServerTls termination = chain.get().termination();
            if (termination == null) {
                tcp.accept(ctx.channel(), route);
                return;
            }
            // The upstream is connected once the handshake (and, MUTUAL, the client's certificate) holds: a client
            // that fails it costs no backend connection.
            io.netty.handler.ssl.SslHandler ssl = termination.netty().newHandler(ctx.alloc());
            ctx.pipeline().addLast("kshift-tls", ssl);
            io.netty.channel.Channel channel = ctx.channel();
            ssl.handshakeFuture().addListener(f -> {
                if (f.isSuccess() && channel.isActive()) {
                    tcp.accept(channel, route);
                } else {
                    channel.close();
                }
            });
        }));
    }
}
