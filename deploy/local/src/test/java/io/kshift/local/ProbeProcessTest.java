package io.kshift.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The probes' own JVM against real sockets: a line echo, an HTTP/1.1 keep-alive server and a closed port. */
class ProbeProcessTest {
    private final ServerSocket echo = server();
    private final ServerSocket http = server();

    @AfterEach
    void close() throws IOException {
        echo.close();
        http.close();
    }

    @Test
    void probesInTheirOwnJvmTimeRealCallsAndCountFailures() throws Exception {
        serve(echo, ProbeProcessTest::echoOneLine);
        serve(http, ProbeProcessTest::answerRequests);
        int closed;
        try (ServerSocket s = server()) {
            closed = s.getLocalPort();
        }
        ProbeProcess.Figures figures;
        try (ProbeProcess probes = ProbeProcess.start(20, 60_000, List.of("tcp:127.0.0.1:" + echo.getLocalPort(),
                "http:127.0.0.1:" + http.getLocalPort() + ":/get", "tcp:127.0.0.1:" + closed))) {
            // start() returned once each probe made a call: those count in the whole, not in a phase.
            probes.phase("first");
            Thread.sleep(600); // the probes call every 20 ms: time to make some
            probes.phase("second");
            Thread.sleep(600);
            figures = probes.stop();
            assertThat(probes.stop()).isSameAs(figures);
            assertThatThrownBy(() -> probes.phase("late")).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> probes.phase("two words")).isInstanceOf(IllegalArgumentException.class);
        }

        List<String> summaries = figures.summaries();
        assertThat(summaries).hasSize(3);
        assertThat(summaries.get(0)).startsWith("tcp:" + echo.getLocalPort()).endsWith("failures 0");
        assertThat(summaries.get(1)).startsWith("http:" + http.getLocalPort()).endsWith("failures 0");
        assertThat(summaries.get(2)).startsWith("tcp:" + closed).contains("no successful call", "ConnectException");
        assertThat(figures.phases().keySet()).containsExactly("first", "second");
        for (int probe = 0; probe < 2; probe++) {
            int first = calls(figures.phases().get("first").get(probe));
            int second = calls(figures.phases().get("second").get(probe));
            assertThat(first).isGreaterThan(3);
            assertThat(second).isGreaterThan(3);
            // A phase holds only its own calls: the whole run had more than both phases together.
            assertThat(calls(summaries.get(probe))).isGreaterThan(first + second);
        }
        assertThat(figures.phases().get("first").get(2)).isEqualTo("n=0");
        assertThat(figures.byPhase(List.of("a", "b", "c"))).hasSize(2)
                .allSatisfy(line -> assertThat(line).matches("(first|second) +a n=\\d+ p99 [0-9.]+ ms, b n=\\d+ "
                        + "p99 [0-9.]+ ms, c n=0"));
    }

    @Test
    void aBadSpecIsRefusedBeforeAnyJvmStarts() {
        assertThatThrownBy(() -> ProbeProcess.start(20, 1000, List.of("tcp:127.0.0.1:80", "http:127.0.0.1:80")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("probe http:127.0.0.1:80: expected");
        assertThatThrownBy(() -> ProbeProcess.start(20, 1000, List.of("udp:127.0.0.1:80")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static int calls(String summary) {
        Matcher m = Pattern.compile("n=(\\d+)").matcher(summary);
        assertThat(m.find()).as(summary).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private interface Conversation {
        void run(Socket s) throws IOException;
    }

    private static ServerSocket server() {
        try {
            return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void serve(ServerSocket server, Conversation conversation) {
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    conversation.run(s);
                } catch (IOException e) {
                    // the next connection, or the server closed
                }
            }
        });
        t.setDaemon(true);
        t.start();
    }

    private static void echoOneLine(Socket s) throws IOException {
        String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                .readLine();
        s.getOutputStream().write(("one " + line + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static void answerRequests(Socket s) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
        OutputStream out = s.getOutputStream();
        for (String line; (line = in.readLine()) != null; ) {
            if (line.isEmpty()) {
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".getBytes(StandardCharsets.US_ASCII));
            }
        }
    }
}
