package io.kshift.proxy.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The warm-up's TCP backend answers each line with its version, and closes first after a line ending in bye. */
class WarmUpEchoTest {
    private static Vertx vertx;
    private static NetServer server;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createNetServer().connectHandler(s -> s.handler(b -> WarmUpLoad.echo(s, "v1", b)))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aByeIsAnsweredAndTheServerCloses() throws Exception {
        try (Socket socket = connect()) {
            socket.getOutputStream().write("warm-up bye\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readAll(socket.getInputStream())).isEqualTo("v1 warm-up bye\n"); // then the end: closed
        }
    }

    @Test
    void anyOtherLineLeavesTheConnectionToTheClient() throws Exception {
        try (Socket socket = connect()) {
            socket.getOutputStream().write("warm-up\n".getBytes(StandardCharsets.US_ASCII));
            byte[] b = new byte[64];
            int n = socket.getInputStream().read(b);
            assertThat(new String(b, 0, n, StandardCharsets.US_ASCII)).isEqualTo("v1 warm-up\n");
            socket.setSoTimeout(300);
            try {
                int more = socket.getInputStream().read(b);
                assertThat(more).as("the server must not close first").isNotEqualTo(-1);
            } catch (SocketTimeoutException stillOpen) {
                // open, as it should be
            }
        }
    }

    private static Socket connect() throws Exception {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", server.actualPort()), 2000);
        socket.setSoTimeout(5000);
        return socket;
    }

    private static String readAll(InputStream in) throws Exception {
        return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
}
