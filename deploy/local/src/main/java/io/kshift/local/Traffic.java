package io.kshift.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;

/** A tcp-echo client, like the task's {@code nc} loop: one line per new connection, one answer back. */
public final class Traffic {
    private Traffic() {
    }

    public static List<String> connections(String host, int port, int n, IntFunction<String> line) {
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            try (Socket s = new Socket(host, port)) {
                s.setSoTimeout(5000);
                answers.add(exchange(s, line.apply(i)));
            } catch (IOException e) {
                answers.add("ERROR " + e.getMessage());
            }
        }
        return answers;
    }

    /** Sends one line on an open connection and reads the answer. */
    public static String exchange(Socket socket, String line) throws IOException {
        socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        String answer = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        if (answer == null) {
            throw new UncheckedIOException(new IOException("connection closed without an answer"));
        }
        return answer;
    }

    /** Answers counted by their first word ({@code one}, {@code two}). */
    public static Map<String, Integer> countByVersion(List<String> answers) {
        Map<String, Integer> counts = new TreeMap<>();
        answers.forEach(a -> counts.merge(a.split(" ", 2)[0], 1, Integer::sum));
        return counts;
    }
}
