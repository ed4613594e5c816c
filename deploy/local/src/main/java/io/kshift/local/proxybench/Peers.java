package io.kshift.local.proxybench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * HAProxy and nginx as reference proxies, where they are installed (nothing installs them): configs generated here
 * for the same backends and weights (80/20 per new TCP connection and per HTTP request, keep-alive to backends,
 * one thread or worker per core, no logging), started as child processes and stopped with the benchmark.
 */
final class Peers implements AutoCloseable {
    private final List<Process> processes = new ArrayList<>();
    private final List<ProxyBench.Target> started = new ArrayList<>();

    List<ProxyBench.Target> started() {
        return started;
    }

    static Optional<Path> onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            for (String d : List.of(dir, "/usr/sbin", "/usr/local/sbin")) {
                Path p = Path.of(d, command);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /** {@code ports}: TCP line, TCP raw, HTTP and HTTPS; {@code pem}: the HTTPS certificate and key, one file. */
    void startHaproxy(Path dir, int[] ports, int[] line, int[] raw, int[] http, int threads, String pem)
            throws Exception {
        Optional<Path> haproxy = onPath("haproxy");
        if (haproxy.isEmpty()) {
            return;
        }
        String cfg = """
                global
                    nbthread %d
                    maxconn 8000
                defaults
                    timeout connect 5s
                    timeout client 60s
                    timeout server 60s
                    maxconn 8000
                listen tcp_line
                    mode tcp
                    bind 127.0.0.1:%d
                    balance roundrobin
                    server one 127.0.0.1:%d weight 80
                    server two 127.0.0.1:%d weight 20
                listen tcp_raw
                    mode tcp
                    bind 127.0.0.1:%d
                    balance roundrobin
                    server one 127.0.0.1:%d weight 80
                    server two 127.0.0.1:%d weight 20
                listen http
                    mode http
                    bind 127.0.0.1:%d
                    timeout http-keep-alive 60s
                    balance roundrobin
                    server one 127.0.0.1:%d weight 80
                    server two 127.0.0.1:%d weight 20
                listen https
                    mode http
                    bind 127.0.0.1:%d ssl crt "%s" alpn http/1.1
                    timeout http-keep-alive 60s
                    balance roundrobin
                    server one 127.0.0.1:%d weight 80
                    server two 127.0.0.1:%d weight 20
                """.formatted(threads, ports[0], line[0], line[1], ports[1], raw[0], raw[1], ports[2], http[0],
                http[1], ports[3], dir.resolve("haproxy.pem"), http[0], http[1]);
        // The run's throw-away key, readable by its owner only.
        Path pemFile = dir.resolve("haproxy.pem");
        java.nio.file.Files.deleteIfExists(pemFile);
        java.nio.file.Files.createFile(pemFile, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        java.nio.file.Files.writeString(pemFile, pem);
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, cfg);
        start(new ProcessBuilder(haproxy.get().toString(), "-f", file.toString(), "-db"), dir.resolve("haproxy.log"),
                new ProxyBench.Target("haproxy", ports[0], ports[1], ports[2], ports[3]));
    }

    void startNginx(Path dir, int[] ports, int[] line, int[] raw, int[] http, int workers) throws Exception {
        Optional<Path> nginx = onPath("nginx");
        Path stream = Path.of("/usr/lib/nginx/modules/ngx_stream_module.so");
        if (nginx.isEmpty()) {
            return;
        }
        Path prefix = dir.resolve("nginx");
        Files.createDirectories(prefix.resolve("logs"));
        String cfg = """
                %s
                daemon off;
                master_process on;
                worker_processes %d;
                worker_rlimit_nofile 20000;
                pid "%s/nginx.pid";
                error_log "%s/logs/error.log" warn;
                events { worker_connections 8000; }
                stream {
                    upstream line { zone line 64k; server 127.0.0.1:%d weight=4; server 127.0.0.1:%d weight=1; }
                    upstream raw { zone raw 64k; server 127.0.0.1:%d weight=4; server 127.0.0.1:%d weight=1; }
                    server { listen 127.0.0.1:%d backlog=4096; proxy_pass line; }
                    server { listen 127.0.0.1:%d backlog=4096; proxy_pass raw; }
                }
                http {
                    access_log off;
                    client_body_temp_path "%s/body";
                    proxy_temp_path "%s/proxy";
                    fastcgi_temp_path "%s/fastcgi";
                    uwsgi_temp_path "%s/uwsgi";
                    scgi_temp_path "%s/scgi";
                    keepalive_requests 1000000;
                    upstream web {
                        zone web 64k;
                        server 127.0.0.1:%d weight=4;
                        server 127.0.0.1:%d weight=1;
                        keepalive 64;
                        keepalive_requests 1000000;
                    }
                    server {
                        listen 127.0.0.1:%d backlog=4096;
                        location / {
                            proxy_pass http://web;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                        }
                    }
                }
                """.formatted(Files.exists(stream) ? "load_module " + stream + ";" : "", workers, prefix, prefix,
                line[0], line[1], raw[0], raw[1], ports[0], ports[1], prefix, prefix, prefix, prefix, prefix,
                http[0], http[1], ports[2]);
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, cfg);
        start(new ProcessBuilder(nginx.get().toString(), "-p", prefix.toString(), "-c", file.toString(),
                "-e", prefix.resolve("logs/error.log").toString()), dir.resolve("nginx.log"),
                new ProxyBench.Target("nginx", ports[0], ports[1], ports[2], 0));
    }

    private void start(ProcessBuilder builder, Path log, ProxyBench.Target peer) throws Exception {
        Process p = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        long until = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < until) {
            if (!p.isAlive()) {
                System.err.println(peer.name() + " did not start; see " + log);
                return;
            }
            if (listening(peer.http())) {
                started.add(peer);
                return;
            }
            Thread.sleep(50);
        }
    }

    static boolean listening(int port) {
        try (var s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
