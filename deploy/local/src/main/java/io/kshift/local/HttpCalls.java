package io.kshift.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A plain HTTP/1.1 client, like {@code curl -H 'Host: httpbin:8000'}: one request per connection, any Host header
 * (the JDK client refuses to set one, and mesh routing picks the route by it).
 */
public final class HttpCalls {
    /** What came back: status, headers (lower-case names) and body. */
    public record Reply(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** Which backend version answered ({@code x-echo-version}), or the status when the proxy answered. */
        public String version() {
            String v = header("x-echo-version");
            return v != null ? v : "HTTP " + status;
        }
    }

    private HttpCalls() {
    }

    public static Reply get(String host, int port, String authority, String path, Map<String, String> headers) {
        try (Socket s = new Socket(host, port)) {
            s.setSoTimeout(15_000);
            StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: " + authority
                    + "\r\nUser-Agent: kshift-demo\r\nConnection: close\r\n");
            headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
            s.getOutputStream().write(req.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            return parse(s.getInputStream().readAllBytes());
        } catch (IOException e) {
            return new Reply(0, Map.of(), "ERROR " + e.getMessage());
        }
    }

    static Reply parse(byte[] raw) throws IOException {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IOException("no HTTP response");
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(body);
        }
        return new Reply(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] dechunk(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < body.length) {
            int lineEnd = indexOf(body, i);
            int size = Integer.parseInt(new String(body, i, lineEnd - i, StandardCharsets.US_ASCII).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            out.write(body, lineEnd + 2, size);
            i = lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i < b.length - 1; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return b.length;
    }

}
