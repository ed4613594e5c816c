package io.kshift.proxy.tls;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.util.concurrent.Future;

/**
 * Reads a TLS ClientHello's server name without consuming a byte, hands it to {@code chosen} (which puts what the
 * connection needs behind this handler: a TLS handler when it terminates, then the relay), and steps aside: what it
 * held flows on unchanged, so a passthrough backend sees the client's own handshake. A connection that sends no
 * ClientHello within {@code timeoutMillis} is closed, as one that sends a hello larger than 64 KiB.
 */
public final class SniSniffer extends AbstractSniHandler<String> {
    private static final int MAX_CLIENT_HELLO = 64 * 1024;

    /** Decides a connection once its SNI (null: none sent, or not TLS) is known. */
    @FunctionalInterface
    public interface Chosen {
        void sni(ChannelHandlerContext ctx, String serverName);
    }

    private final Chosen chosen;
    /**
     * Whether the connection was decided. A decision that closes it leaves this handler in place with the hello
     * still held, and Netty's decoder decodes what it holds again as the channel goes inactive (twice): without this,
     * a refused connection would be routed three times.
     */
    private boolean decided;

    public SniSniffer(long timeoutMillis, Chosen chosen) {
        super(MAX_CLIENT_HELLO, timeoutMillis);
        this.chosen = chosen;
    }

    @Override
    protected Future<String> lookup(ChannelHandlerContext ctx, String hostname) {
        return ctx.executor().newSucceededFuture(hostname);
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, String hostname, Future<String> future) {
        if (decided) {
            return;
        }
        decided = true;
        chosen.sni(ctx, hostname);
        if (ctx.channel().isOpen()) {
            ctx.pipeline().remove(this);
        }
    }
}
