package io.kshift.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A TLS port's connection is decided once, by its ClientHello's server name, whatever happens to it after. */
class SniSnifferTest {
    /** A real ClientHello for {@code serverName}, as a client's TLS handler writes it. */
    static ByteBuf clientHello(String serverName) throws Exception {
        var context = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        EmbeddedChannel client = new EmbeddedChannel();
        client.pipeline().addLast(context.newHandler(client.alloc(), serverName, 443));
        client.runPendingTasks();
        ByteBuf hello = client.alloc().buffer();
        for (ByteBuf b; (b = client.readOutbound()) != null; ) {
            hello.writeBytes(b);
            b.release();
        }
        client.finishAndReleaseAll();
        return hello;
    }

    /**
     * Closed while it is decided (a passthrough destination at its connection limit refuses it): the ClientHello the
     * sniffer held must not be decided again as the connection goes inactive, or the refusal runs three times (three
     * overflows counted, the weighted picker moved three times) and a later run could take a slot on a dead channel.
     */
    @Test
    void aConnectionClosedWhileItIsDecidedIsDecidedOnce() throws Exception {
        List<String> decided = new ArrayList<>();
        EmbeddedChannel server = new EmbeddedChannel(new SniSniffer(10_000, (ctx, sni) -> {
            decided.add(sni);
            ctx.close();
        }));
        server.writeInbound(clientHello("echo.example.com"));
        server.finishAndReleaseAll();
        assertThat(decided).containsExactly("echo.example.com");
    }

    /** Kept open, the connection is decided once and the sniffer steps aside, passing on the hello untouched. */
    @Test
    void aConnectionKeptOpenGetsItsHelloUntouched() throws Exception {
        List<String> decided = new ArrayList<>();
        EmbeddedChannel server = new EmbeddedChannel(new SniSniffer(10_000, (ctx, sni) -> decided.add(sni)));
        ByteBuf hello = clientHello("echo.example.com");
        int length = hello.readableBytes();
        server.writeInbound(hello);
        assertThat(decided).containsExactly("echo.example.com");
        assertThat(server.pipeline().get(SniSniffer.class)).isNull();
        ByteBuf passed = server.readInbound();
        assertThat(passed.readableBytes()).isEqualTo(length);
        passed.release();
        server.finishAndReleaseAll();
        assertThat(decided).hasSize(1);
    }
}
