package io.kshift.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.kshift.model.auth.Role;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * kubectl and istioctl habits over config-service's REST API, with the fleet's token:
 * {@code apply -f FILE}, {@code delete -f FILE} ({@code --dry-run}; {@code -f -} reads stdin), {@code get [KIND
 * [NS/NAME]]}, {@code proxies}, {@code generations}, {@code rollback N}, and {@code token --role R [--namespace NS]...}
 * which prints a new token signed with the local key. Each returns the exit code: 0 when the API said yes, 1 when
 * it said no, 3 when a change has no verdict yet.
 */
final class ApiCommands {
    private final FleetLayout layout;
    private final PrintStream out;

    ApiCommands(FleetLayout layout, PrintStream out) {
        this.layout = layout;
        this.out = out;
    }

    int run(String command, List<String> args) {
        return switch (command) {
            case "apply", "delete" -> change(command, args);
            case "get" -> get(args);
            case "proxies" -> proxies();
            case "generations" -> generations();
            case "rollback" -> rollback(args);
            case "token" -> token(args);
            default -> throw new IllegalArgumentException("no command " + command);
        };
    }

    private int change(String verb, List<String> args) {
        int f = args.indexOf("-f");
        if (f < 0 || f + 1 >= args.size()) {
            throw new IllegalArgumentException("usage: ./kshift " + verb + " -f FILE [--dry-run]   (FILE - reads stdin)");
        }
        byte[] yaml = read(args.get(f + 1));
        String query = "?wait=10s" + (args.contains("--dry-run") ? "&dryRun=true" : "");
        KshiftClient.Answer answer = client().post("/api/v1/" + verb + query, yaml);
        out.println(answer.describe());
        return exit(answer);
    }

    private int get(List<String> args) {
        String path = "/api/v1/resources";
        if (!args.isEmpty()) {
            path += "/" + encode(args.get(0));
            if (args.size() > 1) {
                String[] nsName = args.get(1).split("/", 2);
                path += nsName.length == 2 ? "/" + encode(nsName[0]) + "/" + encode(nsName[1])
                        : "/default/" + encode(nsName[0]);
            }
        }
        KshiftClient.Text text = client().getText(layout.configUrl() + path, "application/yaml");
        out.print(text.body());
        return text.status() / 100 == 2 ? 0 : 1;
    }

    private int proxies() {
        KshiftClient.Answer a = client().get(layout.configUrl() + "/api/v1/proxies");
        if (a.status() != 200) {
            out.println(a.describe());
            return 1;
        }
        out.printf("live generation %s%n", a.body().path("generation").asText("?"));
        out.printf("%-14s %-9s %-10s %s%n", "NODE", "STATE", "GENERATION", "LISTENERS");
        for (JsonNode p : a.body().path("proxies")) {
            List<String> listeners = new ArrayList<>();
            p.path("listeners").forEach(l -> listeners.add(l.asText()));
            out.printf("%-14s %-9s %-10s %s%n", p.path("nodeId").asText(), p.path("state").asText(),
                    p.path("generation").asText(), String.join(" ", listeners));
        }
        return 0;
    }

    private int generations() {
        KshiftClient.Answer a = client().get(layout.configUrl() + "/api/v1/generations");
        if (a.status() != 200) {
            out.println(a.describe());
            return 1;
        }
        out.printf("%-10s %-30s %-24s %-9s %s%n", "GENERATION", "CREATED", "BY", "RESOURCES", "CHANGES");
        for (JsonNode g : a.body().path("generations")) {
            out.printf("%-10s %-30s %-24s %-9s %d%n", g.path("generation").asText(), g.path("createdAt").asText(),
                    g.path("submittedBy").asText("(unknown)"), g.path("resources").asText(), g.path("changes").size());
        }
        return 0;
    }

    private int rollback(List<String> args) {
        if (args.isEmpty() || !args.get(0).matches("\\d+")) {
            throw new IllegalArgumentException("usage: ./kshift rollback GENERATION");
        }
        KshiftClient.Answer answer = client().postJson("/api/v1/rollback?wait=10s",
                "{\"to\": " + args.get(0) + "}");
        out.println(answer.describe());
        return exit(answer);
    }

    /** {@code token --role viewer|editor|admin [--namespace NS]... [--subject NAME] [--ttl 24h]}. */
    private int token(List<String> args) {
        Role role = null;
        List<String> namespaces = new ArrayList<>();
        String subject = null;
        Duration ttl = Duration.ofHours(24);
        for (int i = 0; i < args.size(); i++) {
            String value = i + 1 < args.size() ? args.get(i + 1) : null;
            switch (args.get(i)) {
                case "--role" -> role = Role.parse(value).orElseThrow(() -> new IllegalArgumentException(
                        "--role must be viewer, editor or admin, not " + value));
                case "--namespace" -> namespaces.add(value);
                case "--subject" -> subject = value;
                case "--ttl" -> ttl = ttl(value);
                default -> throw new IllegalArgumentException("unknown option " + args.get(i));
            }
            i++;
        }
        if (role == null) {
            throw new IllegalArgumentException("usage: ./kshift token --role viewer|editor|admin [--namespace NS]..."
                    + " [--subject NAME] [--ttl 24h]");
        }
        String who = subject != null ? subject : "local-" + role.claimValue();
        out.println(LocalCredentials.issuer(layout).mint(who, role, namespaces, ttl));
        return 0;
    }

    private static Duration ttl(String value) {
        if (value == null || !value.matches("\\d+[smhd]")) {
            throw new IllegalArgumentException("--ttl takes a number and s, m, h or d, e.g. 24h");
        }
        long n = Long.parseLong(value.substring(0, value.length() - 1));
        return switch (value.charAt(value.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    private KshiftClient client() {
        if (LocalCredentials.token(layout).isEmpty()) {
            throw new IllegalStateException("no token: run ./kshift up (it writes " + layout.workDir().resolve(
                    LocalCredentials.TOKEN_FILE) + ") or set KSHIFT_TOKEN");
        }
        return new KshiftClient(layout);
    }

    /**
     * 0 when the API said yes; 1 when it said no; 3 when it has no verdict yet (202 PENDING: the validator has not
     * decided within the wait, and may still refuse the change), so {@code ./kshift apply -f x && next} never runs
     * {@code next} on a change that is not in.
     */
    private int exit(KshiftClient.Answer answer) {
        if (answer.status() / 100 != 2) {
            return 1;
        }
        if ("PENDING".equals(answer.body().path("status").asText())) {
            System.err.println("no verdict yet: the change is not in until GET /api/v1/changes/"
                    + answer.body().path("changeId").asText() + " says ACCEPTED");
            return 3;
        }
        return 0;
    }

    private static byte[] read(String file) {
        try {
            return file.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(callerPath(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A file named on the command line, relative to where the user ran {@code ./kshift} (the script runs the launcher
     * from the repository, and passes the caller's directory as {@code kshift.caller.dir}).
     */
    static Path callerPath(String file) {
        Path p = Path.of(file);
        String caller = System.getProperty("kshift.caller.dir");
        return p.isAbsolute() || caller == null || caller.isBlank() ? p : Path.of(caller).resolve(p);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
