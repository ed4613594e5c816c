package io.kshift.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TcpEchoTest {
    @Test
    void answersEachLineWithItsPrefix() throws Exception {
        try (TcpEcho echo = TcpEcho.start("127.0.0.1", 0, "one");
             Socket s = new Socket("127.0.0.1", echo.port())) {
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            out.write("hello\nworld\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            assertThat(in.readLine()).isEqualTo("one hello");
            assertThat(in.readLine()).isEqualTo("one world");
        }
    }
}
