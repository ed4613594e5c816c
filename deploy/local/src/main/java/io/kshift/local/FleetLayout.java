package io.kshift.local;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Where a local fleet lives: the repository it runs from, its work folder ({@code .kshift/}: logs, PIDs, Kafka
 * data) and its ports. {@link #defaults} are DESIGN.md's ports; {@link #ephemeral} picks free ones for tests.
 * Kafka is one broker or a cluster of several ({@code kafkaPorts} and {@code controllerPorts}, one of each per
 * broker); the first broker's ports are DESIGN.md's 9092 and 9093, the others follow by twos.
 */
public record FleetLayout(Path repo, Path workDir, String host, List<Integer> kafkaPorts,
                          List<Integer> controllerPorts, int configPort, int validatorPort,
                          List<Integer> proxyAdminPorts, int echoV1Port, int echoV2Port, int httpV1Port,
                          int httpV2Port, int meshPort, int telemetryPort) {

    public FleetLayout {
        kafkaPorts = List.copyOf(kafkaPorts);
        controllerPorts = List.copyOf(controllerPorts);
        proxyAdminPorts = List.copyOf(proxyAdminPorts);
        if (kafkaPorts.isEmpty() || kafkaPorts.size() != controllerPorts.size()) {
            throw new IllegalArgumentException("one Kafka port and one controller port per broker: " + kafkaPorts
                    + ", " + controllerPorts);
        }
    }

    public static FleetLayout defaults(Path repo) {
        return defaults(repo, 1);
    }

    /** DESIGN.md's ports with {@code brokers} Kafka brokers (9092/9093, 9094/9095, ...). */
    public static FleetLayout defaults(Path repo, int brokers) {
        List<Integer> kafka = new ArrayList<>();
        List<Integer> controllers = new ArrayList<>();
        for (int i = 0; i < brokers; i++) {
            kafka.add(9092 + 2 * i);
            controllers.add(9093 + 2 * i);
        }
        return new FleetLayout(repo, repo.resolve(".kshift"), "127.0.0.1", kafka, controllers, 8080, 8081,
                List.of(15000, 15001), 9001, 9002, 9011, 9012, 15080, 8082);
    }

    public static FleetLayout ephemeral(Path repo, Path workDir) {
        return ephemeral(repo, workDir, 1);
    }

    public static FleetLayout ephemeral(Path repo, Path workDir, int brokers) {
        List<Integer> ports = freePorts(10 + 2 * brokers);
        List<Integer> kafka = ports.subList(10, 10 + brokers);
        List<Integer> controllers = ports.subList(10 + brokers, 10 + 2 * brokers);
        return new FleetLayout(repo, workDir, "127.0.0.1", kafka, controllers, ports.get(0), ports.get(1),
                List.of(ports.get(2), ports.get(3)), ports.get(4), ports.get(5), ports.get(6), ports.get(7),
                ports.get(8), ports.get(9));
    }

    /** Every port this layout gives a process of the fleet. */
    public java.util.Set<Integer> ports() {
        java.util.Set<Integer> all = new java.util.HashSet<>(kafkaPorts);
        all.addAll(controllerPorts);
        all.addAll(proxyAdminPorts);
        all.addAll(List.of(configPort, validatorPort, echoV1Port, echoV2Port, httpV1Port, httpV2Port, meshPort,
                telemetryPort));
        return all;
    }

    /** The first broker's client port. */
    public int kafkaPort() {
        return kafkaPorts.get(0);
    }

    /** The first broker's controller port. */
    public int controllerPort() {
        return controllerPorts.get(0);
    }

    public int brokers() {
        return kafkaPorts.size();
    }

    public String telemetryUrl() {
        return "http://" + host + ":" + telemetryPort;
    }

    /** Every broker: a client that finds one of them down asks another. */
    public String bootstrapServers() {
        return String.join(",", kafkaPorts.stream().map(p -> host + ":" + p).toList());
    }

    public String configUrl() {
        return "http://" + host + ":" + configPort;
    }

    public Path logs() {
        return workDir.resolve("logs");
    }

    public Path pids() {
        return workDir.resolve("pids");
    }

    public Path lib() {
        return repo.resolve("deploy/local/target/lib");
    }

    public Path app(String module) {
        return repo.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }

    /** Saved by {@code up} so {@code status}, {@code down} and {@code demo} find a running fleet's ports. */
    public void save() {
        Properties p = new Properties();
        p.setProperty("host", host);
        p.setProperty("kafka", join(kafkaPorts));
        p.setProperty("controller", join(controllerPorts));
        p.setProperty("config", String.valueOf(configPort));
        p.setProperty("validator", String.valueOf(validatorPort));
        p.setProperty("proxies", join(proxyAdminPorts));
        p.setProperty("echo.v1", String.valueOf(echoV1Port));
        p.setProperty("echo.v2", String.valueOf(echoV2Port));
        p.setProperty("httpbin.v1", String.valueOf(httpV1Port));
        p.setProperty("httpbin.v2", String.valueOf(httpV2Port));
        p.setProperty("mesh", String.valueOf(meshPort));
        p.setProperty("telemetry", String.valueOf(telemetryPort));
        try (Writer w = Files.newBufferedWriter(workDir.resolve("fleet.properties"))) {
            p.store(w, "ports of the running kshift fleet");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static FleetLayout load(Path repo, Path workDir) {
        Path file = workDir.resolve("fleet.properties");
        if (!Files.exists(file)) {
            return defaults(repo);
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new FleetLayout(repo, workDir, p.getProperty("host"), ports(p.getProperty("kafka")),
                ports(p.getProperty("controller")), Integer.parseInt(p.getProperty("config")),
                Integer.parseInt(p.getProperty("validator")), ports(p.getProperty("proxies")),
                Integer.parseInt(p.getProperty("echo.v1")), Integer.parseInt(p.getProperty("echo.v2")),
                Integer.parseInt(p.getProperty("httpbin.v1", "9011")), Integer.parseInt(p.getProperty("httpbin.v2", "9012")),
                Integer.parseInt(p.getProperty("mesh", "15080")), Integer.parseInt(p.getProperty("telemetry", "8082")));
    }

    private static String join(List<Integer> ports) {
        return String.join(",", ports.stream().map(String::valueOf).toList());
    }

    private static List<Integer> ports(String list) {
        List<Integer> ports = new ArrayList<>();
        for (String s : list.split(",")) {
            ports.add(Integer.parseInt(s.trim()));
        }
        return ports;
    }

    /** {@code n} ports free on this host now (the kernel's ephemeral choice). */
    public static List<Integer> freePorts(int n) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0);
                held.add(s);
                ports.add(s.getLocalPort());
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // released for the fleet to bind
                }
            }
        }
    }
}
