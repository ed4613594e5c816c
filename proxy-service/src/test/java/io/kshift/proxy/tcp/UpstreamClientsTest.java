package io.kshift.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.proxy.telemetry.TrafficStats;
import io.kshift.samples.TcpEcho;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.NetSocketInternal;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Upstream connections with real sockets: by address and by name, on the caller's loop, and how they fail. */
class UpstreamClientsTest {
    private static Vertx vertx;
    private static TcpEcho echo;
    private static UpstreamClients clients;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        echo = TcpEcho.start("127.0.0.1", 0, "one");
        clients = new UpstreamClients(vertx);
    }

    @AfterAll
    static void stop() throws Exception {
        echo.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void anAddressIsConnectedOnTheCallersLoopAndCarriesBytesBothWays() throws Exception {
        ContextInternal context = (ContextInternal) vertx.getOrCreateContext();
        NetSocket socket = onContext(context, c -> clients.connect(c, Duration.ofSeconds(2), "127.0.0.1",
                echo.port()));
        assertThat(((NetSocketInternal) socket).channelHandlerContext().channel().eventLoop())
                .as("the upstream socket is served by the caller's loop").isSameAs(context.nettyEventLoop());
        assertThat(((ConnectionBase) socket).getContext()).as("and belongs to the caller's context")
                .isSameAs(context);
        assertThat(exchange(socket, "hello\n")).isEqualTo("one hello\n");
    }

    @Test
    void aHostNameIsResolvedAndConnected() throws Exception {
        NetSocket socket = onContext((ContextInternal) vertx.getOrCreateContext(),
                c -> clients.connect(c, Duration.ofSeconds(2), "localhost", echo.port()));
        assertThat(exchange(socket, "by name\n")).isEqualTo("one by name\n");
    }

    @Test
    void aClosedPortFailsAsRefused() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Throwable cause = failure(c -> clients.connect(c, Duration.ofSeconds(2), "127.0.0.1", closed));
        assertThat(cause).isInstanceOf(ConnectException.class);
        assertThat(TrafficStats.connectReason(cause)).isEqualTo("refused");
    }

    @Test
    void anEndpointThatNeverAnswersFailsAtTheConnectTimeout() throws Exception {
        // A listener that never accepts, its queue filled: the kernel drops further SYNs, so a connect hangs.
        try (ServerSocket silent = new ServerSocket(0, 1)) {
            List<Socket> queued = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket s = new Socket();
                    try {
                        s.connect(new InetSocketAddress("127.0.0.1", silent.getLocalPort()), 300);
                        queued.add(s);
                    } catch (java.io.IOException full) {
                        s.close();
                    }
                }
                Throwable cause = failure(c -> clients.connect(c, Duration.ofMillis(300), "127.0.0.1",
                        silent.getLocalPort()));
                assertThat(cause).isInstanceOf(ConnectTimeoutException.class);
                assertThat(TrafficStats.connectReason(cause)).isEqualTo("timeout");
            } finally {
                for (Socket s : queued) {
                    s.close();
                }
            }
        }
    }

    private static String exchange(NetSocket socket, String line) throws Exception {
        CompletableFuture<String> answer = new CompletableFuture<>();
        StringBuilder read = new StringBuilder();
        socket.handler(b -> {
            read.append(b.toString());
            if (read.indexOf("\n") >= 0) {
                answer.complete(read.toString());
            }
        });
        socket.write(Buffer.buffer(line));
        try {
            return answer.get(5, TimeUnit.SECONDS);
        } finally {
            socket.close();
        }
    }

    private static NetSocket onContext(ContextInternal context, Function<ContextInternal, Future<NetSocket>> connect)
            throws Exception {
        CompletableFuture<NetSocket> result = new CompletableFuture<>();
        context.runOnContext(v -> connect.apply(context).onComplete(ar -> {
            if (ar.succeeded()) {
                result.complete(ar.result());
            } else {
                result.completeExceptionally(ar.cause());
            }
        }));
        return result.get(10, TimeUnit.SECONDS);
    }

    private static Throwable failure(Function<ContextInternal, Future<NetSocket>> connect) throws Exception {
        ContextInternal context = (ContextInternal) vertx.getOrCreateContext();
        CompletableFuture<Throwable> failed = new CompletableFuture<>();
        context.runOnContext(v -> connect.apply(context).onComplete(ar -> failed.complete(
                ar.succeeded() ? null : ar.cause())));
        return failed.get(10, TimeUnit.SECONDS);
    }
}
