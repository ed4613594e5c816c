package io.kshift.proxy.tcp;

import io.kshift.proxy.routing.TableSource;
import io.netty.channel.Channel;
import java.util.function.Consumer;

/**
 * What a TCP listener does with an accepted connection: relay it through the table it reads. One class for the
 * node's listeners and the warm-up's, for the reason {@link io.kshift.proxy.http.HttpListenerHandler} gives.
 */
public final class TcpListenerHandler implements Consumer<Channel> {
    private final TcpProxy tcp;
    private final int port;
    private final TableSource tables;

    public TcpListenerHandler(TcpProxy tcp, int port, TableSource tables) {
        this.tcp = tcp;
        this.port = port;
        this.tables = tables;
    }

    @Override
    public void accept(Channel channel) {
        tcp.accept(channel, port, tables.get());
    }
}
