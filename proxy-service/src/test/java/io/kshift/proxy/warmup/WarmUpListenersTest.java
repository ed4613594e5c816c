package io.kshift.proxy.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A knock never holds the warm-up longer than its 2 s, whatever the listener does with it. */
class WarmUpListenersTest {
    @Test
    void aKnockReadsTheAnswerUpToItsMarker() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> asked = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    byte[] b = new byte[64];
                    int n = s.getInputStream().read(b);
                    s.getOutputStream().write("v1 warm-up\n".getBytes(StandardCharsets.US_ASCII));
                    Thread.sleep(5_000); // keeps the connection open: the knock must stop at the marker
                    return new String(b, 0, n, StandardCharsets.US_ASCII);
                } catch (Exception e) {
                    return e.toString();
                }
            });
            long start = System.nanoTime();
            WarmUpListeners.knock(server.getLocalPort(), "warm-up\n", "\n");
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1_500);
            assertThat(asked.get(10, TimeUnit.SECONDS)).isEqualTo("warm-up\n");
        }
    }

    @Test
    void aListenerThatNeverAnswersHoldsAKnockForTwoSecondsAtMost() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    Thread.sleep(6_000);
                } catch (Exception ignored) {
                    // the test is over
                }
            });
            long start = System.nanoTime();
            WarmUpListeners.knock(server.getLocalPort(), "warm-up\n", "\n");
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(1_900L, 3_000L);
        }
    }

    @Test
    void aClosedPortEndsTheKnockAtOnce() throws Exception {
        int port;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = gone.getLocalPort();
        }
        long start = System.nanoTime();
        WarmUpListeners.knock(port, "warm-up\n", "\n");
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1_500);
    }
}
