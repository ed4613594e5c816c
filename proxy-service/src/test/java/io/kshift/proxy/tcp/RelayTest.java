package io.kshift.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * The relay's reading switch, on in-memory channels whose writability the test sets: reading a side stops while the
 * other cannot take more and starts again when it drains; after a FIN it stays off.
 */
class RelayTest {
    private final EmbeddedChannel client = new EmbeddedChannel();
    private final EmbeddedChannel upstream = new EmbeddedChannel();
    private final AtomicInteger finsPassed = new AtomicInteger();
    private final LongAdder bytes = new LongAdder();

    private Relay fromClient;

    private void relay() {
        fromClient = Relay.from(client);
        Relay fromUpstream = Relay.from(upstream);
        fromUpstream.to(client, fromClient, finsPassed::incrementAndGet, new LongAdder());
        fromClient.to(upstream, fromUpstream, finsPassed::incrementAndGet, bytes);
    }

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    /** What the client side wrote toward the upstream, in order. */
    private String sentUpstream() {
        StringBuilder out = new StringBuilder();
        for (Object m; (m = upstream.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) m;
            out.append(b.toString(StandardCharsets.US_ASCII));
            b.release();
        }
        return out.toString();
    }

    private void upstreamWritable(boolean writable) {
        upstream.unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
        upstream.runPendingTasks(); // Netty fires that writability event from a task
    }

    @Test
    void readingStopsWhileTheOtherSideIsFullAndResumesWhenItDrains() {
        relay();
        assertThat(client.config().isAutoRead()).isTrue();

        upstreamWritable(false);
        client.writeInbound(text("hello"));
        assertThat(sentUpstream()).isEqualTo("hello");
        assertThat(client.config().isAutoRead()).as("upstream full: the client is not read").isFalse();

        upstreamWritable(true);
        assertThat(client.config().isAutoRead()).as("upstream drained: the client is read again").isTrue();
        assertThat(bytes.sum()).isEqualTo(5);
    }

    @Test
    void aReadThatPassesTheHighWaterMarkButLeavesAtOnceKeepsReadingOn() {
        upstream.config().setWriteBufferWaterMark(new WriteBufferWaterMark(4, 8));
        relay();
        client.writeInbound(text("more than eight bytes"));
        assertThat(sentUpstream()).isEqualTo("more than eight bytes");
        assertThat(client.config().isAutoRead()).isTrue();
    }

    @Test
    void aFinIsPassedOnAfterTheBytesBeforeItAndReadingGoesOff() {
        HalfClose.enable(client);
        relay();
        client.writeInbound(text("last words"));
        client.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertThat(sentUpstream()).isEqualTo("last words");
        assertThat(finsPassed).hasValue(1);
        assertThat(client.config().isAutoRead()).as("nothing left to read after a FIN").isFalse();
    }

    @Test
    void aFinHeldBehindEarlyDataIsPassedOnLastAndReadingStaysOff() {
        HalfClose.enable(client);
        upstream.config().setWriteBufferWaterMark(new WriteBufferWaterMark(4, 8));
        fromClient = Relay.from(client);
        client.config().setAutoRead(false); // as TcpProxy.accept does until the upstream is connected
        client.writeInbound(text("early data over the mark"));
        client.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertThat(sentUpstream()).as("held until the upstream exists").isEmpty();

        Relay fromUpstream = Relay.from(upstream);
        fromUpstream.to(client, fromClient, finsPassed::incrementAndGet, new LongAdder());
        fromClient.to(upstream, fromUpstream, finsPassed::incrementAndGet, bytes);

        assertThat(sentUpstream()).isEqualTo("early data over the mark");
        assertThat(finsPassed).hasValue(1);
        assertThat(client.config().isAutoRead()).as("the drain while passing held reads on must not restart reading")
                .isFalse();
    }

    @Test
    void readsBeforeTheUpstreamExistsAreHeldInOrderAndReleasedWhenItNeverComes() {
        Relay relay = Relay.from(client);
        ByteBuf first = text("a");
        ByteBuf second = text("b");
        client.writeInbound(first, second);
        assertThat(first.refCnt()).isEqualTo(1);
        relay.discard();
        assertThat(first.refCnt()).isZero();
        assertThat(second.refCnt()).isZero();
    }
}
